#pragma once
// Runs a child process with stdout and stderr captured, for tests of the real binary.
#include <sys/types.h>

#include <string>
#include <thread>
#include <vector>

namespace va::test {

class Process {
public:
    // `inherited_fds` stay open in the child under the same numbers (a listening socket handed to
    // nginx); every other descriptor of ours is close-on-exec.
    Process(const std::string& program, const std::vector<std::string>& args,
            const std::vector<std::string>& extra_env = {}, const std::vector<int>& inherited_fds = {});
    ~Process();  // kills the child if it is still running
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;

    std::string read_stdout_line();  // blocks until a full line (without '\n') or EOF ("")
    std::string read_all_stdout();   // the rest of stdout, until the child closes it
    std::string read_all_stderr();   // blocks until the child closes stderr; all it ever wrote
    void signal(int sig);
    int wait();                      // exit code, or 128 + signal

private:
    std::string program_;  // for the failing test's report
    pid_t pid_ = -1;
    int out_fd_ = -1;
    int err_fd_ = -1;
    // Drains stderr from the start: a child whose logs fill the pipe would block on its next
    // log line, and a long-lived one (the simulator) would stall every test talking to it.
    std::thread err_reader_;
    std::string err_;
    std::string out_buffer_;
    bool waited_ = false;
    int status_ = 0;
};

}  // namespace va::test
