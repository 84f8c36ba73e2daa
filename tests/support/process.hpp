#pragma once
// Runs a child process with stdout and stderr captured, for tests of the real binary.
#include <sys/types.h>

#include <string>
#include <vector>

namespace va::test {

class Process {
public:
    Process(const std::string& program, const std::vector<std::string>& args,
            const std::vector<std::string>& extra_env = {});
    ~Process();  // kills the child if it is still running
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;

    std::string read_stdout_line();  // blocks until a full line (without '\n') or EOF ("")
    std::string read_all_stdout();   // the rest of stdout, until the child closes it
    std::string read_all_stderr();   // blocks until the child closes stderr
    void signal(int sig);
    int wait();                      // exit code, or 128 + signal

private:
    pid_t pid_ = -1;
    int out_fd_ = -1;
    int err_fd_ = -1;
    std::string out_buffer_;
    bool waited_ = false;
    int status_ = 0;
};

}  // namespace va::test
