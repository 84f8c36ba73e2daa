// The real `voiceagent sim` binary: start-up line, Basic auth, a call placed and listed, clear
// errors for a bad scenario file and bad flags, clean exit on SIGTERM.
#include <signal.h>

#include <cstdlib>
#include <fstream>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "support/http_client.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "telephony/twilio/base64.hpp"

namespace va::test {
namespace {

const std::string kAccount = "AC0123456789abcdef0123456789abcdef";

std::string binary() {
    const char* path = std::getenv("VA_BINARY");
    return path ? path : "voiceagent";
}

std::string basic(const std::string& credentials) {
    return "Basic " + twilio::base64_encode({reinterpret_cast<const std::uint8_t*>(credentials.data()), credentials.size()});
}

TEST(SimBinary, PlacesAndListsCallsBehindBasicAuthAndStopsOnSigterm) {
    TempDir dir;
    std::ofstream(dir.file("scenario.json")) << R"({"default": {"outcome": "busy", "ringSeconds": 0}})";
    std::ofstream(dir.file("token")) << "tok\n";
    Process sim(binary(), {"sim", "--listen", "127.0.0.1:0", "--account-sid", kAccount, "--auth-token-file",
                           dir.file("token"), "--scenario", dir.file("scenario.json"), "--reports", dir.file("reports")});
    auto line = sim.read_stdout_line();
    const std::string prefix = "listening on http://127.0.0.1:";
    ASSERT_EQ(line.rfind(prefix, 0), 0u) << line;
    auto port = static_cast<unsigned short>(std::stoi(line.substr(prefix.size())));
    const std::string calls = "/2010-04-01/Accounts/" + kAccount + "/Calls.json";

    HttpClient client(port);
    auto denied = client.request("GET", calls, "", {{"Authorization", basic(kAccount + ":nope")}});
    EXPECT_EQ(denied.status, 401u);
    EXPECT_EQ(boost::json::parse(denied.body).at("code").as_int64(), 20003);

    auto created = client.request("POST", calls, "To=%2B15550001111&From=%2B15005550006&Twiml=%3CResponse%2F%3E",
                                  {{"Authorization", basic(kAccount + ":tok")},
                                   {"Content-Type", "application/x-www-form-urlencoded"}});
    ASSERT_EQ(created.status, 201u) << created.body;
    auto listed = client.request("GET", calls, "", {{"Authorization", basic(kAccount + ":tok")}});
    EXPECT_EQ(boost::json::parse(listed.body).at("calls").as_array().size(), 1u);

    sim.signal(SIGTERM);
    EXPECT_EQ(sim.wait(), 0);
    auto log = sim.read_all_stderr();
    EXPECT_EQ(log.find("+15550001111"), std::string::npos) << "phone numbers must not be logged";
}

TEST(SimBinary, BadScenarioFileIsAClearErrorAtStart) {
    TempDir dir;
    std::ofstream(dir.file("bad.json")) << R"({"default": {"script": [{"say": 7}]}})";
    const std::vector<std::string> token_env{"TWILIO_AUTH_TOKEN=tok"};
    Process sim(binary(), {"sim", "--listen", "127.0.0.1:0", "--account-sid", kAccount, "--scenario", dir.file("bad.json")},
                token_env);
    EXPECT_EQ(sim.wait(), 2);
    auto err = sim.read_all_stderr();
    EXPECT_NE(err.find("bad.json: default.script[0].say: expected a string"), std::string::npos) << err;

    std::ofstream(dir.file("wav.json")) << R"({"default": {"script": [{"wav": "missing.wav"}]}})";
    Process missing_wav(binary(), {"sim", "--listen", "127.0.0.1:0", "--account-sid", kAccount, "--scenario",
                                   dir.file("wav.json")},
                        token_env);
    EXPECT_EQ(missing_wav.wait(), 2);
    EXPECT_NE(missing_wav.read_all_stderr().find("missing.wav"), std::string::npos);
}

TEST(SimBinary, BadFlagsAreRefused) {
    Process no_token(binary(), {"sim", "--account-sid", kAccount});
    EXPECT_NE(no_token.wait(), 0);
    EXPECT_NE(no_token.read_all_stderr().find("TWILIO_AUTH_TOKEN"), std::string::npos);
    // A secret on the command line shows in `ps`: the old flag is refused with the way instead.
    Process flag_token(binary(), {"sim", "--account-sid", kAccount, "--auth-token", "tok"});
    EXPECT_EQ(flag_token.wait(), 2);
    auto err = flag_token.read_all_stderr();
    EXPECT_NE(err.find("--auth-token-file"), std::string::npos) << err;
    EXPECT_EQ(err.find("tok\n"), std::string::npos);
    Process empty_file(binary(), {"sim", "--account-sid", kAccount, "--auth-token-file", "/dev/null"});
    EXPECT_EQ(empty_file.wait(), 2);
    EXPECT_NE(empty_file.read_all_stderr().find("/dev/null: empty"), std::string::npos);
    Process bad_sid(binary(), {"sim", "--account-sid", "AC123"}, {"TWILIO_AUTH_TOKEN=tok"});
    EXPECT_EQ(bad_sid.wait(), 2);
    EXPECT_NE(bad_sid.read_all_stderr().find("AC followed by 32 hex digits"), std::string::npos);
}

}  // namespace
}  // namespace va::test
