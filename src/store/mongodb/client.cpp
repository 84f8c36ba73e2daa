#include "store/mongodb/client.hpp"

#include <mongoc/mongoc.h>

#include <algorithm>
#include <array>
#include <memory>
#include <mutex>

#include <spdlog/spdlog.h>

#include "store/store.hpp"

namespace va::store::mongodb {

namespace {
// Server error codes that mean "not now" rather than "never": the deployment is electing a
// primary, shutting down, or past a time limit. The caller may try again later.
constexpr std::array<std::uint32_t, 13> kTransient = {
    6,      // HostUnreachable
    7,      // HostNotFound
    50,     // MaxTimeMSExpired
    64,     // WriteConcernFailed (wtimeout)
    89,     // NetworkTimeout
    91,     // ShutdownInProgress
    189,    // PrimarySteppedDown
    262,    // ExceededTimeLimit
    9001,   // SocketException
    10107,  // NotWritablePrimary
    11600,  // InterruptedAtShutdown
    11602,  // InterruptedDueToReplStateChange
    13435,  // NotPrimaryNoSecondaryOk
};
constexpr std::uint32_t kDuplicateKey = 11000;

[[noreturn]] void fail(const bson_error_t& error, const std::string& what) {
    const std::string message = what + ": " + error.message;
    const bool unreachable = error.domain == MONGOC_ERROR_SERVER_SELECTION || error.domain == MONGOC_ERROR_STREAM ||
                             std::find(kTransient.begin(), kTransient.end(), error.code) != kTransient.end();
    if (unreachable) throw store::Unavailable(message);
    throw MongoFailure(message, error.code);
}

struct FreeUri {
    void operator()(mongoc_uri_t* u) const { mongoc_uri_destroy(u); }
};
struct FreeCollection {
    void operator()(mongoc_collection_t* c) const { mongoc_collection_destroy(c); }
};
struct FreeCursor {
    void operator()(mongoc_cursor_t* c) const { mongoc_cursor_destroy(c); }
};
struct FreeFindAndModify {
    void operator()(mongoc_find_and_modify_opts_t* o) const { mongoc_find_and_modify_opts_destroy(o); }
};

// A reply document libmongoc initialises (even on failure) and the caller must destroy.
struct Reply {
    bson_t doc = BSON_INITIALIZER;
    Reply() = default;
    Reply(const Reply&) = delete;
    Reply& operator=(const Reply&) = delete;
    ~Reply() { bson_destroy(&doc); }
    std::int64_t count(const char* field) const { return View(&doc).integer(field).value_or(0); }
};

std::int32_t millis32(std::chrono::milliseconds ms) {
    return static_cast<std::int32_t>(std::clamp<std::int64_t>(ms.count(), 1, INT32_MAX));
}

void set_default(mongoc_uri_t* uri, const char* option, std::int32_t value) {
    if (!mongoc_uri_has_option(uri, option)) mongoc_uri_set_option_as_int32(uri, option, value);
}

// libmongoc's log lines go to our log (its own handler prints to stderr); its debug chatter
// (every failed heartbeat during an outage) only at debug level.
void log_to_spdlog(mongoc_log_level_t level, const char* domain, const char* message, void*) {
    switch (level) {
        case MONGOC_LOG_LEVEL_ERROR:
        case MONGOC_LOG_LEVEL_CRITICAL:
            spdlog::error("mongoc {}: {}", domain, message);
            break;
        case MONGOC_LOG_LEVEL_WARNING:
            spdlog::warn("mongoc {}: {}", domain, message);
            break;
        case MONGOC_LOG_LEVEL_MESSAGE:
        case MONGOC_LOG_LEVEL_INFO:
            spdlog::info("mongoc {}: {}", domain, message);
            break;
        default:
            spdlog::debug("mongoc {}: {}", domain, message);
    }
}

std::once_flag g_init;
}  // namespace

Pool::Pool(const MongoOptions& options) : timeout_(options.timeout) {
    std::call_once(g_init, [] {
        mongoc_init();
        mongoc_log_set_handler(log_to_spdlog, nullptr);
        mongoc_log_trace_disable();
    });
    bson_error_t error;
    std::unique_ptr<mongoc_uri_t, FreeUri> uri(mongoc_uri_new_with_error(options.uri.c_str(), &error));
    if (!uri) throw std::invalid_argument(std::string("not a MongoDB connection string: ") + error.message);

    // Every call is bounded by the timeout: finding a server, each socket read and write, and the
    // wait for a majority to acknowledge a write. The URI may set the first three itself.
    const auto ms = millis32(options.timeout);
    set_default(uri.get(), MONGOC_URI_SERVERSELECTIONTIMEOUTMS, ms);
    set_default(uri.get(), MONGOC_URI_SOCKETTIMEOUTMS, ms);
    set_default(uri.get(), MONGOC_URI_CONNECTTIMEOUTMS, ms);
    if (!mongoc_uri_has_option(uri.get(), MONGOC_URI_RETRYWRITES)) mongoc_uri_set_option_as_bool(uri.get(), MONGOC_URI_RETRYWRITES, true);
    if (!mongoc_uri_has_option(uri.get(), MONGOC_URI_RETRYREADS)) mongoc_uri_set_option_as_bool(uri.get(), MONGOC_URI_RETRYREADS, true);
    if (!mongoc_uri_get_appname(uri.get())) mongoc_uri_set_appname(uri.get(), "voiceagent");

    // An acknowledged write survives a failover (majority, journaled); a read sees only what a
    // majority has, so nothing read can be rolled back, and with one primary it follows every
    // acknowledged write.
    auto* wc = mongoc_write_concern_new();
    mongoc_write_concern_set_w(wc, MONGOC_WRITE_CONCERN_W_MAJORITY);
    mongoc_write_concern_set_journal(wc, true);
    mongoc_write_concern_set_wtimeout_int64(wc, ms);
    mongoc_uri_set_write_concern(uri.get(), wc);
    mongoc_write_concern_destroy(wc);
    auto* rc = mongoc_read_concern_new();
    mongoc_read_concern_set_level(rc, MONGOC_READ_CONCERN_LEVEL_MAJORITY);
    mongoc_uri_set_read_concern(uri.get(), rc);
    mongoc_read_concern_destroy(rc);

    database_ = options.database;
    if (database_.empty() && mongoc_uri_get_database(uri.get())) database_ = mongoc_uri_get_database(uri.get());
    if (database_.empty()) database_ = "voiceagent";

    pool_ = mongoc_client_pool_new_with_error(uri.get(), &error);
    if (!pool_) throw std::invalid_argument(std::string("cannot use this MongoDB connection string: ") + error.message);
    mongoc_client_pool_set_error_api(pool_, MONGOC_ERROR_API_VERSION_2);
    mongoc_client_pool_max_size(pool_, static_cast<std::uint32_t>(std::max(1, options.max_clients)));
}

Pool::~Pool() { mongoc_client_pool_destroy(pool_); }

Pool::Lease::Lease(Pool& pool) : pool_(pool), client_(mongoc_client_pool_pop(pool.pool_)) {}
Pool::Lease::~Lease() { mongoc_client_pool_push(pool_.pool_, client_); }

bool Pool::ping() {
    Lease lease(*this);
    Reply reply;
    bson_error_t error;
    auto command = doc("ping", 1);
    return mongoc_client_command_simple(lease.get(), "admin", command.get(), nullptr, &reply.doc, &error);
}

Bson Pool::command(const std::string& database, const Bson& command) {
    Lease lease(*this);
    Reply reply;
    bson_error_t error;
    if (!mongoc_client_command_simple(lease.get(), database.c_str(), command.get(), nullptr, &reply.doc, &error)) {
        fail(error, "command on " + database);
    }
    return Bson::copy(&reply.doc);
}

namespace {
// A collection handle on a leased client, for one operation.
class Handle {
public:
    Handle(Pool& pool, const std::string& database, const std::string& name)
        : lease_(pool), collection_(mongoc_client_get_collection(lease_.get(), database.c_str(), name.c_str())) {}
    mongoc_collection_t* get() const { return collection_.get(); }

private:
    Pool::Lease lease_;
    std::unique_ptr<mongoc_collection_t, FreeCollection> collection_;
};

Bson find_options(const FindOptions& options, std::int64_t limit) {
    Bson out;
    if (!options.sort.empty()) out.append("sort", options.sort);
    if (limit > 0) out.append("limit", static_cast<long long>(limit));
    if (!options.projection.empty()) out.append("projection", options.projection);
    return out;
}

std::vector<Bson> run_find(Pool& pool, const std::string& database, const std::string& name, const Bson& filter,
                           const Bson& options) {
    Handle handle(pool, database, name);
    std::unique_ptr<mongoc_cursor_t, FreeCursor> cursor(
        mongoc_collection_find_with_opts(handle.get(), filter.get(), options.get(), nullptr));
    std::vector<Bson> out;
    const bson_t* item = nullptr;
    while (mongoc_cursor_next(cursor.get(), &item)) out.push_back(Bson::copy(item));
    bson_error_t error;
    if (mongoc_cursor_error(cursor.get(), &error)) fail(error, "find in " + name);
    return out;
}
}  // namespace

bool Collection::insert_one(const Bson& document) {
    Handle handle(pool_, database_, name_);
    Reply reply;
    bson_error_t error;
    if (mongoc_collection_insert_one(handle.get(), document.get(), nullptr, &reply.doc, &error)) return true;
    if (error.code == kDuplicateKey) return false;
    fail(error, "insert into " + name_);
}

std::optional<Bson> Collection::find_one(const Bson& filter, const FindOptions& options) {
    auto found = run_find(pool_, database_, name_, filter, find_options(options, 1));
    if (found.empty()) return std::nullopt;
    return std::move(found.front());
}

std::vector<Bson> Collection::find(const Bson& filter, const FindOptions& options) {
    return run_find(pool_, database_, name_, filter, find_options(options, options.limit));
}

std::optional<Bson> Collection::find_one_and_update(const Bson& filter, const Bson& update, const FindAndModify& options) {
    Handle handle(pool_, database_, name_);
    std::unique_ptr<mongoc_find_and_modify_opts_t, FreeFindAndModify> opts(mongoc_find_and_modify_opts_new());
    mongoc_find_and_modify_opts_set_update(opts.get(), update.get());
    if (!options.sort.empty()) mongoc_find_and_modify_opts_set_sort(opts.get(), options.sort.get());
    int flags = MONGOC_FIND_AND_MODIFY_NONE;
    if (options.upsert) flags |= MONGOC_FIND_AND_MODIFY_UPSERT;
    if (options.return_new) flags |= MONGOC_FIND_AND_MODIFY_RETURN_NEW;
    mongoc_find_and_modify_opts_set_flags(opts.get(), static_cast<mongoc_find_and_modify_flags_t>(flags));
    Reply reply;
    bson_error_t error;
    if (mongoc_collection_find_and_modify_with_opts(handle.get(), filter.get(), opts.get(), &reply.doc, &error)) {
        auto value = View(&reply.doc).document("value");
        if (!value) return std::nullopt;
        return Bson::adopt(bson_new_from_data(value->data(), value->size()));
    }
    if (error.code == kDuplicateKey && options.upsert) return std::nullopt;
    fail(error, "findAndModify in " + name_);
}

UpdateResult Collection::update_one(const Bson& filter, const Bson& update, bool upsert) {
    Handle handle(pool_, database_, name_);
    auto options = upsert ? doc("upsert", true) : Bson();
    Reply reply;
    bson_error_t error;
    if (mongoc_collection_update_one(handle.get(), filter.get(), update.get(), options.get(), &reply.doc, &error)) {
        return {reply.count("matchedCount"), reply.count("modifiedCount"), View(&reply.doc).has("upsertedId"), false};
    }
    if (error.code == kDuplicateKey && upsert) return {0, 0, false, true};
    fail(error, "update in " + name_);
}

UpdateResult Collection::update_many(const Bson& filter, const Bson& update) {
    Handle handle(pool_, database_, name_);
    Reply reply;
    bson_error_t error;
    if (!mongoc_collection_update_many(handle.get(), filter.get(), update.get(), nullptr, &reply.doc, &error)) {
        fail(error, "update in " + name_);
    }
    return {reply.count("matchedCount"), reply.count("modifiedCount"), false, false};
}

std::int64_t Collection::delete_many(const Bson& filter) {
    Handle handle(pool_, database_, name_);
    Reply reply;
    bson_error_t error;
    if (!mongoc_collection_delete_many(handle.get(), filter.get(), nullptr, &reply.doc, &error)) {
        fail(error, "delete from " + name_);
    }
    return reply.count("deletedCount");
}

std::int64_t Collection::count(const Bson& filter) {
    Handle handle(pool_, database_, name_);
    bson_error_t error;
    auto n = mongoc_collection_count_documents(handle.get(), filter.get(), nullptr, nullptr, nullptr, &error);
    if (n < 0) fail(error, "count in " + name_);
    return n;
}

void Collection::create_indexes(const Array& indexes) {
    Handle handle(pool_, database_, name_);
    auto command = doc("createIndexes", name_);
    command.append_array("indexes", indexes.bson());
    Reply reply;
    bson_error_t error;
    if (!mongoc_collection_write_command_with_opts(handle.get(), command.get(), nullptr, &reply.doc, &error)) {
        fail(error, "createIndexes on " + name_);
    }
}

}  // namespace va::store::mongodb
