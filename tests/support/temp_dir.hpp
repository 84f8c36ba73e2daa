#pragma once
// A fresh directory under the system temp dir, removed with everything in it.
#include <atomic>
#include <filesystem>
#include <random>
#include <string>

namespace va::test {

class TempDir {
public:
    TempDir() {
        static std::atomic<int> counter{0};
        auto name = "va-test-" + std::to_string(std::random_device{}()) + "-" + std::to_string(++counter);
        path_ = std::filesystem::temp_directory_path() / name;
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

}  // namespace va::test
