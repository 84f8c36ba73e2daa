#include "store/sqlite/database.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace va::store::sqlite {

namespace {
constexpr int kBusyTimeoutMs = 5000;

[[noreturn]] void fail(sqlite3* db, std::string_view what) {
    throw StoreFailure(std::string(what) + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}
}  // namespace

Connection::Connection(const std::string& path, Role role) {
    // NOMUTEX: a connection is only ever used by one thread at a time (the writer, or a reader's
    // borrower), so SQLite's own per-connection mutex would be pure cost.
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
    if (role == Role::writer) {
        flags |= SQLITE_OPEN_CREATE;
        create_private(path);
    }
    if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
        std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
        sqlite3_close(db_);
        db_ = nullptr;
        throw StoreFailure("cannot open " + path + ": " + message);
    }
    // Waits for other writers (other processes too) instead of failing at once.
    sqlite3_busy_timeout(db_, kBusyTimeoutMs);
    try {
        if (role == Role::writer) {
            enable_wal(path);
            // Deleted and overwritten content is zeroed, not left in free pages (--retention-days).
            exec("PRAGMA secure_delete=ON");
        }
        exec("PRAGMA synchronous=FULL");  // with WAL: no acknowledged commit is lost on power loss
        exec("PRAGMA foreign_keys=ON");
        if (role == Role::reader) exec("PRAGMA query_only=1");
    } catch (...) {
        close();
        throw;
    }
}

// The file holds phone numbers and transcripts: only its owner may read it. SQLite gives the -wal
// and -shm files it creates the database file's mode, so creating the file 0600 (whatever the
// umask) covers all three. An existing file keeps the mode its operator gave it.
void Connection::create_private(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, S_IRUSR | S_IWUSR);
    if (fd < 0) throw StoreFailure("cannot open " + path + ": " + std::strerror(errno));
    ::close(fd);
}

// Readers run beside the writer only in WAL mode. SQLite answers the old mode instead of failing
// when it cannot switch (":memory:", some network filesystems), so the answer is checked.
// Switching takes an exclusive lock and SQLite reports SQLITE_BUSY at once, without the busy
// handler, while another connection (another process starting on the same new file) switches: so
// this waits and retries within the same budget as the busy timeout.
void Connection::enable_wal(const std::string& path) {
    constexpr int kStepMs = 5;
    for (int waited = 0;; waited += kStepMs) {
        sqlite3_stmt* stmt = nullptr;
        if (sqlite3_prepare_v2(db_, "PRAGMA journal_mode=WAL", -1, &stmt, nullptr) != SQLITE_OK) {
            fail(db_, "PRAGMA journal_mode=WAL");
        }
        int rc = sqlite3_step(stmt);
        std::string got;
        if (rc == SQLITE_ROW) got = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
        sqlite3_finalize(stmt);
        if (rc == SQLITE_ROW) {
            if (got != "wal") throw StoreFailure("cannot use WAL mode on " + path + " (journal mode is '" + got + "')");
            return;
        }
        if ((rc & 0xff) != SQLITE_BUSY || waited >= kBusyTimeoutMs) fail(db_, "PRAGMA journal_mode=WAL");
        sqlite3_sleep(kStepMs);
    }
}

Connection::~Connection() { close(); }

void Connection::close() {
    for (auto& [sql, cached] : cache_) sqlite3_finalize(cached.stmt);
    cache_.clear();
    sqlite3_close(db_);
    db_ = nullptr;
}

void Connection::exec(std::string_view sql) {
    char* error = nullptr;
    if (sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
        std::string message = error ? error : "unknown error";
        sqlite3_free(error);
        throw StoreFailure(std::string(sql.substr(0, 40)) + ": " + message);
    }
}

void Connection::run(std::string_view sql) { Statement(*this, sql).run(); }

int Connection::changes() const { return sqlite3_changes(db_); }

bool Connection::in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

Statement::Statement(Connection& connection, std::string_view sql) : connection_(connection) {
    auto [it, fresh] = connection.cache_.try_emplace(std::string(sql));
    if (!fresh && !it->second.in_use) {
        stmt_ = it->second.stmt;
        cached_ = &it->second;
        cached_->in_use = true;
        return;
    }
    unsigned flags = fresh ? SQLITE_PREPARE_PERSISTENT : 0;
    if (sqlite3_prepare_v3(connection.handle(), sql.data(), static_cast<int>(sql.size()), flags, &stmt_, nullptr) !=
        SQLITE_OK) {
        if (fresh) connection.cache_.erase(it);
        fail(connection.handle(), "prepare");
    }
    if (fresh) {
        it->second.stmt = stmt_;
        it->second.in_use = true;
        cached_ = &it->second;
    }
}

Statement::~Statement() {
    if (!cached_) {
        sqlite3_finalize(stmt_);
        return;
    }
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    cached_->in_use = false;
}

Statement& Statement::bind(int index, std::string_view value) {
    if (sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT) != SQLITE_OK) {
        fail(connection_.handle(), "bind");
    }
    return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
    if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) fail(connection_.handle(), "bind");
    return *this;
}

Statement& Statement::bind_null(int index) {
    if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) fail(connection_.handle(), "bind");
    return *this;
}

Statement& Statement::bind(int index, const std::optional<std::int64_t>& value) {
    return value ? bind(index, *value) : bind_null(index);
}

bool Statement::step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    std::string_view sql = sqlite3_sql(stmt_);
    fail(connection_.handle(), std::string(sql.substr(0, 60)));
}

void Statement::run() {
    while (step()) {
    }
}

void Statement::reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

std::string Statement::text(int column) const {
    auto p = sqlite3_column_text(stmt_, column);
    return p ? std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(stmt_, column)))
             : std::string();
}

std::int64_t Statement::integer(int column) const { return sqlite3_column_int64(stmt_, column); }

bool Statement::is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

std::optional<std::int64_t> Statement::optional_integer(int column) const {
    if (is_null(column)) return std::nullopt;
    return integer(column);
}

}  // namespace va::store::sqlite
