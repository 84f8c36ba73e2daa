#pragma once
// --db: which store serve (and `store copy`) opens. "sqlite:PATH" is one file on this machine;
// "mongodb://…" or "mongodb+srv://…" is any MongoDB connection string (store/mongodb/README.md).
#include <chrono>
#include <memory>
#include <string>

#include "core/metrics.hpp"
#include "store/store.hpp"

namespace va::app {

struct StoreSpec {
    std::string db = "sqlite:voiceagent.db";
    std::string mongodb_database;  // "" = the URI's path, else "voiceagent"
    std::chrono::milliseconds timeout{1000};  // MongoDB: bounds every store call
};

// Throws std::invalid_argument for a spec that names no store, or a connection string the
// driver refuses. A MongoDB that is down is not an error: the store reports not ready.
std::unique_ptr<store::Store> open_store(const StoreSpec& spec, core::MetricsRegistry* metrics);

// The spec as logs and messages may show it: a connection string's password becomes "***".
std::string redacted(const std::string& db);

}  // namespace va::app
