// Every test executable's main: GoogleTest's, once spdlog's registry exists. The registry is a lazy
// static inside libspdlog, which ThreadSanitizer does not instrument, so a first log line from two
// io threads at once would look like a race on it; made here, on the main thread, it never is.
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

int main(int argc, char** argv) {
    spdlog::default_logger();
    testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
