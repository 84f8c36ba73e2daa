#pragma once
// A thin RAII layer over the SQLite C API: a connection and prepared statements. Any SQLite error
// throws StoreFailure (a store failure is not a client's mistake: it becomes a 500).
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace va::store::sqlite {

class StoreFailure : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class Connection {
public:
    // Opens (creating if needed) with WAL, synchronous=FULL, a busy timeout and foreign keys.
    explicit Connection(const std::string& path);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    void exec(std::string_view sql);
    int changes() const;
    sqlite3* handle() { return db_; }

private:
    sqlite3* db_ = nullptr;
};

class Statement {
public:
    Statement(Connection& connection, std::string_view sql);
    ~Statement();
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
};

}  // namespace va::store::sqlite
