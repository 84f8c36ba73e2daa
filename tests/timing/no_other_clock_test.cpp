// One time source: nothing in src/ outside src/timing names a std::chrono clock (so cannot read
// one, even through an alias) or makes an Asio timer, so every timed behaviour runs on a
// TimeSource.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

namespace {

TEST(OneTimeSource, NoClockReadsOrTimersOutsideTheTimingModule) {
    const std::filesystem::path src = VA_SOURCE_DIR;
    const std::regex forbidden(R"(steady_timer|system_timer|deadline_timer|high_resolution_timer|(steady|system|high_resolution)_clock)");
    std::vector<std::string> found;
    std::size_t files = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(src)) {
        const auto& path = entry.path();
        if (!entry.is_regular_file() || (path.extension() != ".cpp" && path.extension() != ".hpp")) continue;
        if (path.parent_path() == src / "timing") continue;
        ++files;
        std::ifstream in(path);
        std::string line;
        for (int number = 1; std::getline(in, line); ++number) {
            if (std::regex_search(line, forbidden)) {
                found.push_back(std::filesystem::relative(path, src).string() + ":" + std::to_string(number) + ": " + line);
            }
        }
    }
    EXPECT_GT(files, 100u) << "the scan found the sources";
    std::ostringstream list;
    for (const auto& f : found) list << "\n  " << f;
    EXPECT_TRUE(found.empty()) << "use va::timing::TimeSource instead:" << list.str();
}

}  // namespace
