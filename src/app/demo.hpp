#pragma once
#include <string>

#include "app/serve.hpp"

namespace va::app {

struct DemoConfig {
    std::string dir;    // database, recordings and reports; empty = a new temporary directory
    std::string db;     // the store (--db of serve); empty = a SQLite file in `dir`
    ServeConfig serve;  // the agent's settings (LLM_*, voice); the rest is set by the demo
};

// Runs one scheduled call end to end on this machine and prints it; 0 when the call had a
// conversation (greeting, answer, reply).
int run_demo(const DemoConfig& config);

}  // namespace va::app
