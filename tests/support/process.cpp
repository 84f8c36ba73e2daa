#include "support/process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <exception>
#include <iostream>
#include <stdexcept>
#include <string_view>
#include <utility>

#include <gtest/gtest.h>

extern char** environ;

namespace va::test {

namespace {
std::string read_to_end(int fd, std::string all = {}) {
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) all.append(buf, static_cast<size_t>(n));
    return all;
}
}  // namespace

Process::Process(const std::string& program, const std::vector<std::string>& args,
                 const std::vector<std::string>& extra_env, const std::vector<int>& inherited_fds)
    : program_(program) {
    int out[2], err[2];
    if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err[1], 2);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    posix_spawn_file_actions_addclose(&actions, err[0]);
    // dup2 onto itself clears close-on-exec (POSIX.1-2024, glibc 2.29 and later).
    for (int fd : inherited_fds) posix_spawn_file_actions_adddup2(&actions, fd, fd);

    std::vector<std::string> storage{program};
    storage.insert(storage.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& s : storage) argv.push_back(s.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_storage(extra_env);
    for (char** e = environ; *e; ++e) env_storage.emplace_back(*e);
    std::vector<char*> envp;
    for (auto& s : env_storage) envp.push_back(s.data());
    envp.push_back(nullptr);

    int rc = posix_spawn(&pid_, program.c_str(), &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    close(err[1]);
    out_fd_ = out[0];
    err_fd_ = err[0];
    if (rc != 0) {
        close(out_fd_);
        close(err_fd_);
        throw std::runtime_error("cannot start " + program);
    }
    err_reader_ = std::thread([this] { err_ = read_to_end(err_fd_); });
}

Process::~Process() {
    if (!waited_) {
        kill(pid_, SIGKILL);
        wait();
    }
    if (err_reader_.joinable()) err_reader_.join();
    // A failing test shows the last words of its children: why a server went away is there.
    if (::testing::Test::HasFailure() || std::uncaught_exceptions() > 0) {  // (a throw: not yet recorded)
        std::size_t from = err_.size();
        for (int lines = 0; from > 0 && lines < 40; --from) lines += err_[from - 1] == '\n';
        std::cerr << "--- the last of " << program_ << " (pid " << pid_ << ")'s stderr ---\n"
                  << std::string_view(err_).substr(from) << "--- end ---\n";
    }
    close(out_fd_);
    close(err_fd_);
}

std::string Process::read_stdout_line() {
    for (;;) {
        auto newline = out_buffer_.find('\n');
        if (newline != std::string::npos) {
            auto line = out_buffer_.substr(0, newline);
            out_buffer_.erase(0, newline + 1);
            return line;
        }
        char buf[4096];
        auto n = read(out_fd_, buf, sizeof buf);
        if (n <= 0) return std::exchange(out_buffer_, {});
        out_buffer_.append(buf, static_cast<size_t>(n));
    }
}

std::string Process::read_all_stdout() { return read_to_end(out_fd_, std::exchange(out_buffer_, {})); }

std::string Process::read_all_stderr() {
    if (err_reader_.joinable()) err_reader_.join();
    return err_;
}

void Process::signal(int sig) { kill(pid_, sig); }

int Process::wait() {
    if (!waited_) {
        waitpid(pid_, &status_, 0);
        waited_ = true;
        // libmongoc, loaded by every voiceagent, keeps its counters in /dev/shm/mongoc-<pid> and
        // removes it on a clean exit. A killed child leaves it, and a later process given the same
        // pid then logs a plain-text warning at load (breaking a JSON log): remove it for the child.
        std::error_code ignored;  // none there: it was not a voiceagent, or it had no time to make one
        if (WIFSIGNALED(status_)) std::filesystem::remove("/dev/shm/mongoc-" + std::to_string(pid_), ignored);
    }
    if (WIFEXITED(status_)) return WEXITSTATUS(status_);
    return 128 + WTERMSIG(status_);
}

}  // namespace va::test
