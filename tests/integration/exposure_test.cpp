// `voiceagent serve` put where the internet reaches it: no open API behind a public URL, tokens
// only from files or the environment (with scopes), requests through a same-host proxy are not
// local, and destinations default to the caller id's country.
#include <signal.h>

#include <fstream>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "core/clock.hpp"
#include "core/time_format.hpp"
#include "dispatch_process.hpp"
#include "timing/time_source.hpp"

namespace va::test {
namespace {

const std::string kReadToken = "reader-0123456789abcdef0123456789abcdef";
const std::string kFullToken = "operator-0123456789abcdef0123456789abcd";

// A process that answers Twilio's webhooks at a public URL but dials nowhere.
std::vector<std::string> public_serve(const TempDir& dir, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"serve",           "--listen",         "127.0.0.1:0",
                                  "--db",            "sqlite:" + dir.file("va.db"),
                                  "--twilio-account-sid", kSimAccount, "--twilio-from", "+15005550006",
                                  "--public-url",    "https://va.example.com", "--twilio-api-base",
                                  "http://127.0.0.1:1", "--agent", "greeting", "--role", "web"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}
const std::vector<std::string> kTwilioEnv{"TWILIO_AUTH_TOKEN=twilio-secret"};

TEST(Exposure, APublicUrlWithoutApiTokensRefusesToStart) {
    TempDir dir;
    Process open_api(voiceagent_binary(), public_serve(dir), kTwilioEnv);
    EXPECT_EQ(open_api.wait(), 2);
    auto err = open_api.read_all_stderr();
    EXPECT_NE(err.find("VA_API_TOKENS_FILE"), std::string::npos) << err;
    EXPECT_NE(err.find("--insecure-open-api"), std::string::npos) << err;

    Process insecure(voiceagent_binary(), public_serve(dir, {"--insecure-open-api"}), kTwilioEnv);
    EXPECT_NE(port_of(insecure.read_stdout_line()), 0);
    insecure.signal(SIGTERM);
    EXPECT_EQ(insecure.wait(), 0);

    Process with_tokens(voiceagent_binary(), public_serve(dir),
                        {"TWILIO_AUTH_TOKEN=twilio-secret", "VA_API_TOKENS=" + kFullToken});
    EXPECT_NE(port_of(with_tokens.read_stdout_line()), 0);
    with_tokens.signal(SIGTERM);
    EXPECT_EQ(with_tokens.wait(), 0);
    EXPECT_EQ(with_tokens.read_all_stderr().find(kFullToken), std::string::npos) << "tokens must not be logged";
}

TEST(Exposure, TokensFileScopesAreEnforcedAndTranscriptsNeedTheirScope) {
    TempDir dir;
    std::ofstream(dir.file("tokens")) << "# who may use the API\n" << kReadToken << " read\n" << kFullToken << "\n";
    Process server(voiceagent_binary(), public_serve(dir, {"--api-tokens-file", dir.file("tokens")}), kTwilioEnv);
    auto port = port_of(server.read_stdout_line());
    ASSERT_NE(port, 0);
    HttpClient client(port);
    auto as = [](const std::string& token) { return std::map<std::string, std::string>{{"Authorization", "Bearer " + token}}; };
    const std::string prompt = R"({"name":"n","content":"c","introduction":"i"})";
    EXPECT_EQ(client.request("POST", "/api/prompts", prompt, as(kReadToken)).status, 403u);
    EXPECT_EQ(client.request("POST", "/api/prompts", prompt, as(kFullToken)).status, 201u);
    EXPECT_EQ(client.request("GET", "/api/prompts", "", as(kReadToken)).status, 200u);
    EXPECT_EQ(client.request("GET", "/api/prompts").status, 401u);
    server.signal(SIGTERM);
    EXPECT_EQ(server.wait(), 0);
}

TEST(Exposure, TwilioWebhooksAreBoundedAndAnUnsignedOneIsRefusedBeforeItsBody) {
    TempDir dir;
    Process server(voiceagent_binary(), public_serve(dir), {"TWILIO_AUTH_TOKEN=twilio-secret", "VA_API_TOKENS=" + kFullToken});
    auto port = port_of(server.read_stdout_line());
    ASSERT_NE(port, 0);
    // Announces 2 MiB and sends none of it: refused on the head.
    auto unsigned_post = HttpClient(port).raw(
        "POST /webhooks/twilio/incoming HTTP/1.1\r\nHost: va.example.com\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 2097152\r\n\r\n");
    EXPECT_EQ(unsigned_post.status, 403u);
    const std::map<std::string, std::string> form{{"Content-Type", "application/x-www-form-urlencoded"},
                                                  {"X-Twilio-Signature", "c2lnbmF0dXJl"}};
    EXPECT_EQ(HttpClient(port).request("POST", "/webhooks/twilio/status", std::string(64 * 1024 + 1, 'a'), form).status,
              413u);
    EXPECT_EQ(HttpClient(port).request("POST", "/webhooks/twilio/status", "a=1", form).status, 403u)
        << "within the limits, the signature itself is checked";
    EXPECT_EQ(HttpClient(port)
                  .request("POST", "/webhooks/twilio/incoming", "{}",
                           {{"Content-Type", "application/json"}, {"X-Twilio-Signature", "c2lnbmF0dXJl"}})
                  .status,
              415u);
    EXPECT_EQ(HttpClient(port).request("GET", "/webhooks/twilio/stream", "", {{"Upgrade", "websocket"}}).status, 403u);
    server.signal(SIGTERM);
    EXPECT_EQ(server.wait(), 0);
}

TEST(Exposure, ABadTokensFileNamesTheLineButNeverTheToken) {
    TempDir dir;
    std::ofstream(dir.file("tokens")) << kFullToken << "\nshort-but-secret read\n";
    Process server(voiceagent_binary(), public_serve(dir, {"--api-tokens-file", dir.file("tokens")}), kTwilioEnv);
    EXPECT_EQ(server.wait(), 2);
    auto err = server.read_all_stderr();
    EXPECT_NE(err.find("line 2"), std::string::npos) << err;
    EXPECT_EQ(err.find("short-but-secret"), std::string::npos) << err;
    EXPECT_EQ(err.find(kFullToken), std::string::npos) << err;

    // A tokens file with no token in it was meant to require one: it is no tokenless mode.
    std::ofstream(dir.file("empty-tokens")) << "# nobody yet\n\n";
    Process empty(voiceagent_binary(), public_serve(dir, {"--api-tokens-file", dir.file("empty-tokens"),
                                                          "--insecure-open-api"}),
                  kTwilioEnv);
    EXPECT_EQ(empty.wait(), 2);
    EXPECT_NE(empty.read_all_stderr().find("no token in it"), std::string::npos);

    Process short_env(voiceagent_binary(), public_serve(dir), {"TWILIO_AUTH_TOKEN=t", "VA_API_TOKENS=tiny-secret"});
    EXPECT_EQ(short_env.wait(), 2);
    err = short_env.read_all_stderr();
    EXPECT_NE(err.find("at least 32"), std::string::npos) << err;
    EXPECT_EQ(err.find("tiny-secret"), std::string::npos) << err;
}

TEST(Exposure, SecretsInFlagsAreRefusedWithTheWayInstead) {
    TempDir dir;
    Process tokens(voiceagent_binary(), public_serve(dir, {"--api-tokens", kFullToken}), kTwilioEnv);
    EXPECT_EQ(tokens.wait(), 2);
    auto err = tokens.read_all_stderr();
    EXPECT_NE(err.find("--api-tokens-file"), std::string::npos) << err;
    EXPECT_EQ(err.find(kFullToken), std::string::npos) << err;

    Process twilio(voiceagent_binary(), public_serve(dir, {"--twilio-auth-token", "twilio-secret"}));
    EXPECT_EQ(twilio.wait(), 2);
    err = twilio.read_all_stderr();
    EXPECT_NE(err.find("--twilio-auth-token-file"), std::string::npos) << err;
    EXPECT_EQ(err.find("twilio-secret"), std::string::npos) << err;
}

// A reverse proxy on the same host: every request arrives from 127.0.0.1.
TEST(Exposure, WithoutTokensProxiedAndRebindingRequestsAreRefused) {
    TempDir dir;
    Process server(voiceagent_binary(),
                   {"serve", "--listen", "127.0.0.1:0", "--db", "sqlite:" + dir.file("va.db"), "--allowed-countries", "US"});
    auto port = port_of(server.read_stdout_line());
    ASSERT_NE(port, 0);
    HttpClient client(port);
    EXPECT_EQ(client.request("GET", "/api/prompts").status, 200u);
    EXPECT_EQ(client.request("GET", "/api/prompts", "", {{"X-Forwarded-For", "203.0.113.9"}}).status, 403u);
    EXPECT_EQ(client.request("GET", "/api/prompts", "", {{"Host", "evil.example"}}).status, 403u);
    EXPECT_EQ(client.request("GET", "/metrics", "", {{"Host", "evil.example"}}).status, 403u);
    EXPECT_EQ(client.request("POST", "/api/prompts", R"({"name":"n","content":"c","introduction":"i"})",
                             {{"Origin", "https://evil.example"}})
                  .status,
              403u);
    // A cross-site form post: refused for its content type, nothing created.
    EXPECT_EQ(client.request("POST", "/api/prompts", "name=n", {{"Content-Type", "application/x-www-form-urlencoded"}})
                  .status,
              415u);
    EXPECT_EQ(boost::json::parse(client.request("GET", "/api/prompts").body).at("items").as_array().size(), 0u);
    EXPECT_EQ(client.request("GET", "/healthz", "", {{"Host", "evil.example"}}).status, 200u);
}

TEST(Exposure, DestinationsDefaultToTheCallerIdsCountry) {
    TempDir dir;
    Process no_country(voiceagent_binary(), {"serve", "--listen", "127.0.0.1:0", "--db", "sqlite:" + dir.file("a.db")});
    EXPECT_EQ(no_country.wait(), 2);
    EXPECT_NE(no_country.read_all_stderr().find("--allowed-countries"), std::string::npos);

    Process server(voiceagent_binary(), public_serve(dir), {"TWILIO_AUTH_TOKEN=t", "VA_API_TOKENS=" + kFullToken});
    auto port = port_of(server.read_stdout_line());
    ASSERT_NE(port, 0);
    HttpClient client(port);
    std::map<std::string, std::string> auth{{"Authorization", "Bearer " + kFullToken}};
    auto prompt = client.request("POST", "/api/prompts", R"({"name":"n","content":"c","introduction":"i"})", auth);
    auto id = std::string(boost::json::parse(prompt.body).at("id").as_string());
    const auto tomorrow = core::format_rfc3339(timing::RealTime{}.now() + std::chrono::hours(24));
    auto schedule = [&](const std::string& number) {
        return client.request("POST", "/api/scheduled-calls",
                              R"({"toPhoneNumbers":[")" + number + R"("],"promptId":")" + id +
                                  R"(","scheduledDateTime":")" + tomorrow + R"("})",
                              auth);
    };
    auto abroad = schedule("+442071838750");
    EXPECT_EQ(abroad.status, 422u);
    EXPECT_NE(abroad.body.find("not in the allowed list"), std::string::npos) << abroad.body;
    EXPECT_EQ(schedule("+14155552671").status, 201u);
}

}  // namespace
}  // namespace va::test
