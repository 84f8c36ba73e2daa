#pragma once
// A MongoDB for tests: the server VA_TEST_MONGODB_URI names when it is set (a real one), else a
// CongoDB (tests/support/congodb) started on a free port for this test process, on first use.
#include <cstdint>
#include <memory>
#include <string>

#include "support/process.hpp"

namespace va::test {

class MongoServer {
public:
    static MongoServer& shared();

    // A connection string for `database` on this server.
    std::string uri(const std::string& database) const;
    // A database name no other test of this run uses.
    static std::string fresh_database();
    bool real() const { return !process_; }
    // CongoDB only: how many hello commands it has answered so far.
    std::int64_t hellos();
    // CongoDB only: kills the server (an outage); the next shared() starts another on a new port.
    void kill();

private:
    MongoServer();
    std::unique_ptr<Process> process_;
    std::string base_;  // mongodb://host:port
};

}  // namespace va::test
