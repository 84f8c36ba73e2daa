#pragma once
#include <string>

namespace va::app {

struct SimConfig {
    std::string listen = "127.0.0.1:8081";
    std::string account_sid;
    std::string auth_token;
    std::string scenario;     // path of a scenario JSON file; empty = every call answered, silent callee
    std::string report_dir;   // per-call report and WAV; empty = none written
    unsigned threads = 0;     // 0 = one per core
};

// Runs the phone simulator until SIGINT/SIGTERM (live calls are hung up); the process exit code.
int run_sim(const SimConfig& config);

}  // namespace va::app
