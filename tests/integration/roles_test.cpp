// `voiceagent serve --role`: a dispatcher-only process serves no API (so it needs no tokens behind
// a public URL) but answers health checks; flags that contradict or do not parse are refused with
// the flag named; secrets come from the files systemd's LoadCredential= hands over.
#include <signal.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "dispatch_process.hpp"

namespace va::test {
namespace {

const std::vector<std::string> kTwilioEnv{"TWILIO_AUTH_TOKEN=twilio-secret"};

// A process behind a public URL whose Twilio is nowhere (nothing is due, so nothing is dialed).
std::vector<std::string> public_process(const TempDir& dir, std::vector<std::string> extra) {
    std::vector<std::string> args{"serve", "--listen", "127.0.0.1:0", "--twilio-account-sid", kSimAccount,
                                  "--twilio-from", "+15005550006", "--public-url", "https://va.example.com",
                                  "--twilio-api-base", "http://127.0.0.1:1", "--agent", "greeting"};
    if (std::find(extra.begin(), extra.end(), "--db-file") == extra.end()) {
        args.insert(args.end(), {"--db", "sqlite:" + dir.file("va.db")});
    }
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}

// Exit code 2, and stderr holding `needle`.
void expect_refused(Process& process, const std::string& needle) {
    EXPECT_EQ(process.wait(), 2);
    const auto err = process.read_all_stderr();
    EXPECT_NE(err.find(needle), std::string::npos) << err;
}

TEST(Roles, ADispatcherServesNoApiAndNoWebhooksNeedsNoTokensAndAnswersHealthChecks) {
    TempDir dir;
    Process dispatcher(voiceagent_binary(), public_process(dir, {"--role", "dispatcher"}), kTwilioEnv);
    const auto port = port_of(dispatcher.read_stdout_line());
    ASSERT_NE(port, 0) << "a public URL without API tokens is fine for a process without an API";
    HttpClient client(port);
    EXPECT_EQ(client.request("GET", "/healthz").status, 200u);
    EXPECT_EQ(client.request("GET", "/readyz").status, 200u);
    EXPECT_EQ(client.request("GET", "/api/prompts").status, 404u);
    EXPECT_EQ(client.request("GET", "/api/openapi.json").status, 404u);
    EXPECT_EQ(client.request("POST", "/webhooks/twilio/status", "", {{"Content-Type", "application/x-www-form-urlencoded"}})
                  .status,
              404u);
    dispatcher.signal(SIGTERM);
    EXPECT_EQ(dispatcher.wait(), 0);
}

TEST(Roles, ADispatcherWithoutTwilioRefusesToStart) {
    TempDir dir;
    Process dispatcher(voiceagent_binary(),
                       {"serve", "--listen", "127.0.0.1:0", "--db", "sqlite:" + dir.file("va.db"), "--role",
                        "dispatcher", "--allowed-countries", "US"});
    expect_refused(dispatcher, "--role dispatcher dials through Twilio");
}

TEST(Roles, NoDispatcherIsRoleWebAndAContradictionIsRefused) {
    TempDir dir;
    Process both(voiceagent_binary(), public_process(dir, {"--no-dispatcher", "--role", "dispatcher"}), kTwilioEnv);
    expect_refused(both, "--no-dispatcher is --role web");
    Process unknown(voiceagent_binary(), public_process(dir, {"--role", "worker"}), kTwilioEnv);
    EXPECT_NE(unknown.wait(), 0);  // CLI11's validation error
    EXPECT_NE(unknown.read_all_stderr().find("--role: worker not in {all,web,dispatcher}"), std::string::npos);

    Process web(voiceagent_binary(), public_process(dir, {"--no-dispatcher", "--insecure-open-api"}), kTwilioEnv);
    ASSERT_NE(port_of(web.read_stdout_line()), 0);
    web.signal(SIGTERM);
    EXPECT_EQ(web.wait(), 0);
    EXPECT_NE(web.read_all_stderr().find("role web"), std::string::npos);
}

TEST(Roles, TrustedProxiesThatDoNotParseAreRefusedWithTheEntry) {
    TempDir dir;
    Process bad(voiceagent_binary(), public_process(dir, {"--role", "dispatcher", "--trusted-proxies", "10.0.0.0/8,nginx"}),
                kTwilioEnv);
    expect_refused(bad, "--trusted-proxies: not an address or network (CIDR): nginx");
}

TEST(Roles, SecretsComeFromTheFilesTheirFileVariablesName) {
    TempDir dir;
    // The store's connection string from a file (a MongoDB one holds a password).
    std::ofstream(dir.file("db")) << "sqlite:" << dir.file("from-file.db") << "\n";
    Process from_file(voiceagent_binary(), public_process(dir, {"--role", "dispatcher", "--db-file", dir.file("db")}),
                      kTwilioEnv);
    ASSERT_NE(port_of(from_file.read_stdout_line()), 0);
    from_file.signal(SIGTERM);
    EXPECT_EQ(from_file.wait(), 0);
    EXPECT_TRUE(std::filesystem::exists(dir.file("from-file.db")));

    Process both(voiceagent_binary(), public_process(dir, {"--role", "dispatcher", "--db-file", dir.file("db"), "--db",
                                                           "sqlite:" + dir.file("other.db")}),
                 kTwilioEnv);
    expect_refused(both, "--db or --db-file, not both");

    auto env = kTwilioEnv;
    env.push_back("LLM_API_KEY_FILE=" + dir.file("missing-key"));
    Process missing(voiceagent_binary(), public_process(dir, {"--role", "dispatcher"}), env);
    expect_refused(missing, "LLM_API_KEY_FILE: " + dir.file("missing-key"));
}

}  // namespace
}  // namespace va::test
