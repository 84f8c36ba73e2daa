#pragma once
// A thin RAII layer over the SQLite C API: a connection and prepared statements. Any SQLite error
// throws StoreFailure (a store failure is not a client's mistake: it becomes a 500).
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace va::store::sqlite {

class StoreFailure : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class Connection {
public:
    // The writer creates the file if needed and puts it in WAL mode (a property of the file, so
    // once is enough); readers are query_only. Both get synchronous=FULL, a 5 s busy timeout (waits
    // for other writers, other processes included, instead of failing) and foreign keys.
    enum class Role { writer, reader };
    explicit Connection(const std::string& path, Role role = Role::writer);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    void exec(std::string_view sql);  // any SQL, several statements allowed; not cached
    void run(std::string_view sql);   // one statement, prepared once and cached (BEGIN, COMMIT...)
    int changes() const;
    // False in autocommit mode. SQLite rolls a whole transaction back by itself on some errors
    // (SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM...): callers holding savepoints must check.
    bool in_transaction() const;
    sqlite3* handle() { return db_; }

private:
    friend class Statement;
    // Prepared statements are kept per connection and reused: preparing costs more than running
    // the small statements this store issues. A statement in use is not lent twice.
    struct Cached {
        sqlite3_stmt* stmt = nullptr;
        bool in_use = false;
    };
    static void create_private(const std::string& path);
    void enable_wal(const std::string& path);
    void close();

    sqlite3* db_ = nullptr;
    std::unordered_map<std::string, Cached> cache_;
};

class Statement {
public:
    Statement(Connection& connection, std::string_view sql);
    ~Statement();  // returns a cached statement, reset, to its connection
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    // Parameters are 1-based, as in SQLite.
    Statement& bind(int index, std::string_view value);
    Statement& bind(int index, std::int64_t value);
    Statement& bind_null(int index);
    Statement& bind(int index, const std::optional<std::int64_t>& value);

    bool step();  // true while a row is available
    void run();   // steps to completion, for statements that return no rows
    void reset(); // ready to bind and run again

    std::string text(int column) const;
    std::int64_t integer(int column) const;
    bool is_null(int column) const;
    std::optional<std::int64_t> optional_integer(int column) const;

private:
    Connection& connection_;
    sqlite3_stmt* stmt_ = nullptr;
    Connection::Cached* cached_ = nullptr;  // null when this statement owns stmt_
};

}  // namespace va::store::sqlite
