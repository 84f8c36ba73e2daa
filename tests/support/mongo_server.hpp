#pragma once
// MongoDB for tests. `CongoDb` is a CongoDB process (tests/support/congodb) of the caller's own, on
// a free port or a given one; `MongoServer::shared()` is the server every store test of a process
// uses: the one VA_TEST_MONGODB_URI names (a real server), else a CongoDb started on first use.
#include <cstdint>
#include <memory>
#include <string>

#include "support/process.hpp"

namespace va::test {

class CongoDb {
public:
    explicit CongoDb(unsigned short port = 0);  // throws when CongoDB is not installed or cannot start
    unsigned short port() const { return port_; }
    // A connection string for `database` (libmongoc must not look for a replica set).
    std::string uri(const std::string& database) const;
    // How many hello commands it has answered so far.
    std::int64_t hellos();
    void signal(int sig) { process_->signal(sig); }  // SIGSTOP/SIGCONT freeze it; SIGKILL ends it
    int wait() { return process_->wait(); }

private:
    std::unique_ptr<Process> process_;
    unsigned short port_ = 0;
};

class MongoServer {
public:
    static MongoServer& shared();
    std::string uri(const std::string& database) const;
    bool real() const { return !congo_; }
    CongoDb& congo() { return *congo_; }  // only when !real()
    // A database name no other test of this run uses.
    static std::string fresh_database();

private:
    MongoServer();
    std::unique_ptr<CongoDb> congo_;
    std::string base_;  // a real server's URI without its path: mongodb://host[:port]
};

}  // namespace va::test
