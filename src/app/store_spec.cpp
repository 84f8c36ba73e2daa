#include "app/store_spec.hpp"

#include <stdexcept>

#include "store/mongodb/mongo_store.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace va::app {

namespace {
constexpr std::string_view kSqlite = "sqlite:";
bool is_mongodb(const std::string& db) { return db.starts_with("mongodb://") || db.starts_with("mongodb+srv://"); }
}  // namespace

std::unique_ptr<store::Store> open_store(const StoreSpec& spec, core::MetricsRegistry* metrics) {
    if (spec.db.starts_with(kSqlite) && spec.db.size() > kSqlite.size()) {
        return store::sqlite::SqliteStore::open(spec.db.substr(kSqlite.size()), metrics);
    }
    if (is_mongodb(spec.db)) {
        if (spec.timeout.count() < 1) throw std::invalid_argument("--store-timeout-ms must be at least 1");
        store::mongodb::MongoOptions options;
        options.uri = spec.db;
        options.database = spec.mongodb_database;
        options.timeout = spec.timeout;
        return store::mongodb::MongoStore::open(options);
    }
    throw std::invalid_argument("--db must be sqlite:PATH or a mongodb:// connection string");
}

std::string redacted(const std::string& db) {
    if (!is_mongodb(db)) return db;
    // mongodb://user:password@host/...: the credentials end at the last '@' before the path.
    const auto start = db.find("://") + 3;
    const auto path = db.find('/', start);
    const auto at = db.rfind('@', path == std::string::npos ? std::string::npos : path);
    if (at == std::string::npos || at < start) return db;
    const auto colon = db.find(':', start);
    if (colon == std::string::npos || colon > at) return db;
    return db.substr(0, colon + 1) + "***" + db.substr(at);
}

}  // namespace va::app
