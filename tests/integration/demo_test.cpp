// `voiceagent demo` as `./scripts/run` runs it: a whole scheduled call on this machine, with the
// API behind a token the demo makes for itself.
#include <gtest/gtest.h>

#include "dispatch_process.hpp"

namespace va::test {
namespace {

TEST(DemoBinary, CallsTheSimulatedPatientThroughItsOwnTokenedApi) {
    TempDir dir;
    Process demo(voiceagent_binary(), {"demo", "--dir", dir.file("demo")});
    auto out = demo.read_all_stdout();
    EXPECT_EQ(demo.wait(), 0) << out << demo.read_all_stderr();
    EXPECT_NE(out.find("API: bearer token made for this run"), std::string::npos) << out;
    EXPECT_NE(out.find("Scheduled a call to"), std::string::npos) << out;
    EXPECT_NE(out.find("Recording"), std::string::npos) << out;
    // The patient's "okay" over the agent is kept and not answered; talking over the agent cuts it.
    EXPECT_NE(out.find("callee: okay  (backchannel)"), std::string::npos) << out;
    EXPECT_NE(out.find("(cut off)"), std::string::npos) << out;
    // The patient is greeted by the name they were scheduled with.
    EXPECT_NE(out.find("agent : Hello Maria, this is Bright Smile Dental"), std::string::npos) << out;
}

}  // namespace
}  // namespace va::test
