// The real `voiceagent serve` binary on port 0: start-up line, a request round trip, graceful
// exit on SIGTERM, clear errors for bad flags.
#include <signal.h>

#include <atomic>
#include <memory>
#include <cstdlib>
#include <sstream>
#include <thread>
#include <vector>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "support/http_client.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace va::test {
namespace {

std::string binary() {
    const char* path = std::getenv("VA_BINARY");
    return path ? path : "voiceagent";
}

unsigned short port_from(const std::string& line) {
    const std::string prefix = "listening on http://127.0.0.1:";
    EXPECT_EQ(line.rfind(prefix, 0), 0u) << line;
    return static_cast<unsigned short>(std::stoi(line.substr(prefix.size())));
}

TEST(ServeBinary, ServesTheApiAndExitsCleanlyOnSigterm) {
    TempDir dir;
    Process server(binary(), {"serve", "--listen", "127.0.0.1:0", "--db", "sqlite:" + dir.file("va.db"), "--allowed-countries", "US"});
    auto port = port_from(server.read_stdout_line());

    HttpClient client(port);
    EXPECT_EQ(client.request("GET", "/healthz").status, 200u);
    EXPECT_EQ(client.request("GET", "/readyz").status, 200u);
    auto prompt = client.request("POST", "/api/prompts", R"({"name":"n","content":"c","introduction":"Hello"})");
    ASSERT_EQ(prompt.status, 201u) << prompt.body;
    auto id = std::string(boost::json::parse(prompt.body).at("id").as_string());
    auto call = client.request(
        "POST", "/api/scheduled-calls",
        R"({"toPhoneNumbers":["+14155552671"],"promptId":")" + id + R"(","scheduledDateTime":"2099-01-01T00:00:00Z"})");
    EXPECT_EQ(call.status, 422u);  // more than a year ahead; proves the real clock and rules are wired
    EXPECT_NE(client.request("GET", "/metrics").body.find("http_requests_total"), std::string::npos);

    server.signal(SIGTERM);
    EXPECT_EQ(server.wait(), 0);
    auto log = server.read_all_stderr();
    EXPECT_NE(log.find("answers only requests from this machine"), std::string::npos) << log;
    EXPECT_EQ(log.find("+14155552671"), std::string::npos) << "phone numbers must not be logged";
}

// Each network thread runs its own io_context; the rate limit is the process's, whichever thread
// serves a connection. (Four connections are spread over the two threads: server_contexts_test.)
TEST(ServeBinary, TheRateLimitHoldsAcrossNetworkThreads) {
    TempDir dir;
    Process server(binary(), {"serve", "--listen", "127.0.0.1:0", "--db", "sqlite:" + dir.file("va.db"),
                              "--allowed-countries", "US", "--threads", "2", "--api-rate-limit", "0.1",
                              "--api-rate-burst", "3"});
    auto port = port_from(server.read_stdout_line());
    std::vector<std::unique_ptr<HttpClient>> clients;
    std::vector<unsigned> statuses;
    for (int i = 0; i < 4; ++i) {
        clients.push_back(std::make_unique<HttpClient>(port));
        statuses.push_back(clients.back()->request("GET", "/api/prompts").status);
    }
    EXPECT_EQ(statuses, (std::vector<unsigned>{200, 200, 200, 429}));
    server.signal(SIGTERM);
    EXPECT_EQ(server.wait(), 0);
}

TEST(ServeBinary, RefusesABodyOverOneMebibyteAndKeepsServing) {
    TempDir dir;
    Process server(binary(), {"serve", "--listen", "127.0.0.1:0", "--db", "sqlite:" + dir.file("va.db"), "--allowed-countries", "US"});
    auto port = port_from(server.read_stdout_line());
    auto reply = HttpClient(port).request("POST", "/api/prompts", std::string(1024 * 1024 + 1, ' '));
    EXPECT_EQ(reply.status, 413u);
    EXPECT_NE(reply.body.find("body_too_large"), std::string::npos);
    // Exactly 1 MiB is read and judged as JSON.
    std::string padded = R"({"name":"n","content":"c","introduction":"i"})";
    padded.resize(1024 * 1024, ' ');
    EXPECT_EQ(HttpClient(port).request("POST", "/api/prompts", padded).status, 201u);
}

TEST(ServeBinary, KeepsDataAcrossRestarts) {
    TempDir dir;
    std::string id;
    {
        Process server(binary(), {"serve", "--listen", "127.0.0.1:0", "--db", "sqlite:" + dir.file("va.db"), "--allowed-countries", "US"});
        HttpClient client(port_from(server.read_stdout_line()));
        auto reply = client.request("POST", "/api/prompts", R"({"name":"n","content":"c","introduction":"i"})");
        id = std::string(boost::json::parse(reply.body).at("id").as_string());
        server.signal(SIGINT);
        EXPECT_EQ(server.wait(), 0);
    }
    Process server(binary(), {"serve", "--listen", "127.0.0.1:0", "--db", "sqlite:" + dir.file("va.db"), "--allowed-countries", "US"});
    HttpClient client(port_from(server.read_stdout_line()));
    EXPECT_EQ(client.request("GET", "/api/prompts/" + id).status, 200u);
}

TEST(ServeBinary, TakesSettingsFromTheEnvironment) {
    TempDir dir;
    const std::string token = "s3cret-0123456789abcdef0123456789abcdef";
    Process server(binary(), {"serve"},
                   {"VA_LISTEN=127.0.0.1:0", "VA_DB=sqlite:" + dir.file("env.db"), "VA_API_TOKENS=" + token,
                    "VA_ALLOWED_COUNTRIES=US,CA"});
    HttpClient client(port_from(server.read_stdout_line()));
    EXPECT_EQ(client.request("GET", "/api/prompts").status, 401u);
    EXPECT_EQ(client.request("GET", "/api/prompts", "", {{"Authorization", "Bearer " + token}}).status, 200u);
    server.signal(SIGTERM);
    EXPECT_EQ(server.wait(), 0);
    EXPECT_EQ(server.read_all_stderr().find("s3cret"), std::string::npos) << "secrets must not be logged";
}

TEST(ServeBinary, TwoProcessesShareOneDatabaseFile) {
    TempDir dir;
    auto db = "sqlite:" + dir.file("shared.db");
    Process first(binary(), {"serve", "--listen", "127.0.0.1:0", "--db", db, "--allowed-countries", "US"});
    Process second(binary(), {"serve", "--listen", "127.0.0.1:0", "--db", db, "--allowed-countries", "US"});
    std::vector<unsigned short> ports{port_from(first.read_stdout_line()), port_from(second.read_stdout_line())};
    std::vector<std::thread> writers;
    std::atomic<int> created{0};
    for (auto port : ports) {
        writers.emplace_back([port, &created] {
            HttpClient client(port);
            for (int i = 0; i < 40; ++i) {
                auto reply = client.request("POST", "/api/prompts", R"({"name":"n","content":"c","introduction":"i"})");
                created += reply.status == 201;
            }
        });
    }
    for (auto& w : writers) w.join();
    EXPECT_EQ(created, 80);
    for (auto port : ports) {
        auto page = boost::json::parse(HttpClient(port).request("GET", "/api/prompts?limit=200").body);
        EXPECT_EQ(page.at("items").as_array().size(), 80u);
    }
}

TEST(ServeBinary, WritesOneJsonObjectPerLogLine) {
    TempDir dir;
    Process server(binary(), {"--log-format", "json", "serve", "--listen", "127.0.0.1:0", "--db",
                              "sqlite:" + dir.file("va.db"), "--allowed-countries", "all"});
    HttpClient(port_from(server.read_stdout_line())).request("GET", "/healthz");
    server.signal(SIGTERM);
    EXPECT_EQ(server.wait(), 0);
    auto log = server.read_all_stderr();
    std::istringstream lines(log);
    std::string line;
    int count = 0;
    while (std::getline(lines, line)) {
        boost::json::error_code ec;
        auto entry = boost::json::parse(line, ec);
        ASSERT_FALSE(ec) << line;
        EXPECT_TRUE(entry.as_object().contains("msg")) << line;
        EXPECT_TRUE(entry.as_object().contains("level")) << line;
        ++count;
    }
    EXPECT_GE(count, 3) << log;  // start-up, the request, shutdown
}

struct BadFlags {
    std::vector<std::string> args;
    std::string message;
    std::vector<std::string> env = {};
};

class ServeBadFlags : public ::testing::TestWithParam<BadFlags> {};

TEST_P(ServeBadFlags, ExitsWithAClearError) {
    Process server(binary(), GetParam().args, GetParam().env);
    auto err = server.read_all_stderr();
    EXPECT_NE(server.wait(), 0);
    EXPECT_NE(err.find(GetParam().message), std::string::npos) << err;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ServeBadFlags,
    ::testing::Values(BadFlags{{"serve", "--listen", "nowhere"}, "HOST:PORT"},
                      BadFlags{{"serve", "--listen", "127.0.0.1:99999"}, "port"},
                      BadFlags{{"serve", "--listen", "127.0.0.1:0", "--db", "postgres:x", "--allowed-countries", "US"}, "sqlite:PATH"},
                      BadFlags{{"serve", "--threads", "many"}, "threads"},
                      BadFlags{{"serve", "--allowed-countries", "XX"}, "unknown region"},
                      BadFlags{{"serve", "--log-format", "xml"}, "log-format"},
                      BadFlags{{"serve", "--agent", "robot"}, "--agent"},
                      BadFlags{{"serve", "--transfer-number", "555-0100"}, "expected +<digits>"},
                      BadFlags{{"serve", "--end-of-turn-ms", "0"}, "end-of-turn-ms"},
                      BadFlags{{"serve", "--listen", "127.0.0.1:0", "--db", "sqlite:bad-flags.db", "--twilio-account-sid",
                                "AC0123456789abcdef0123456789abcdef", "--twilio-from",
                                "+15005550006", "--public-url", "http://127.0.0.1:0", "--stt-model", "/nonexistent"},
                               "pocketsphinx-en-us", {"TWILIO_AUTH_TOKEN=t"}},
                      BadFlags{{"serve", "--listen", "127.0.0.1:0", "--db", "sqlite:bad-flags.db", "--twilio-account-sid",
                                "AC0123456789abcdef0123456789abcdef", "--twilio-from",
                                "+15005550006", "--public-url", "http://127.0.0.1:0", "--llm-base-url", "ftp://x"},
                               "the agent", {"TWILIO_AUTH_TOKEN=t"}},
                      BadFlags{{"serve", "--listen", "127.0.0.1:0", "--db", "sqlite:bad-flags.db", "--twilio-account-sid",
                                "AC0123456789abcdef0123456789abcdef", "--twilio-from",
                                "+15005550006", "--public-url", "http://127.0.0.1:0", "--stt", "deepgram"},
                               "DEEPGRAM_API_KEY", {"TWILIO_AUTH_TOKEN=t"}},
                      BadFlags{{"serve", "--listen", "127.0.0.1:0", "--db", "sqlite:bad-flags.db", "--twilio-account-sid",
                                "AC0123456789abcdef0123456789abcdef", "--twilio-from",
                                "+15005550006", "--public-url", "http://127.0.0.1:0", "--tts-voice", "elevenlabs:v1"},
                               "ELEVENLABS_API_KEY", {"TWILIO_AUTH_TOKEN=t"}},
                      BadFlags{{"serve", "--listen", "127.0.0.1:0", "--db", "sqlite:bad-flags.db", "--twilio-account-sid",
                                "AC0123456789abcdef0123456789abcdef", "--twilio-from",
                                "+15005550006", "--public-url", "http://127.0.0.1:0", "--tts-voice", "robot:x"},
                               "expected espeak:<voice>", {"TWILIO_AUTH_TOKEN=t"}},
                      BadFlags{{"serve", "--listen", "127.0.0.1:0", "--db", "sqlite:bad-flags.db", "--twilio-account-sid",
                                "AC0123456789abcdef0123456789abcdef", "--twilio-from", "+15005550006",
                                "--public-url", "http://va.example.com", "--insecure-open-api"},
                               "is http:// and not this machine", {"TWILIO_AUTH_TOKEN=t"}},
                      BadFlags{{"demo", "--dir", "/proc/no/such/dir"}, "--dir"},
                      BadFlags{{"dance"}, "subcommand"}));

TEST(ServeBinary, HelpNamesTheEnvironmentVariables) {
    Process serve_help(binary(), {"serve", "--help"});
    auto out = serve_help.read_all_stdout();
    EXPECT_EQ(serve_help.wait(), 0);
    for (auto env : {"VA_LISTEN", "VA_DB", "VA_API_TOKENS", "VA_API_TOKENS_FILE", "TWILIO_AUTH_TOKEN", "VA_THREADS",
                     "VA_ALLOWED_COUNTRIES", "VA_MAX_DIALS_PER_DAY", "VA_MAX_CONNECTIONS", "LLM_BASE_URL",
                     "LLM_MODEL", "VA_END_OF_TURN_MS", "VA_BARGE_IN_MS"}) {
        EXPECT_NE(out.find(env), std::string::npos) << env;
    }
    Process help(binary(), {"--help"});
    out = help.read_all_stdout();
    EXPECT_EQ(help.wait(), 0);
    EXPECT_NE(out.find("VA_LOG_FORMAT"), std::string::npos);
}

}  // namespace
}  // namespace va::test
