#pragma once
// Read-only connections lent one per call, so reads run in parallel with each other and with the
// writer (WAL). Each call runs in one read transaction: a consistent snapshot across statements.
// Connections open lazily, up to `max_connections`; a caller beyond that waits for one.
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <vector>

#include "store/sqlite/database.hpp"

namespace va::store::sqlite {

class ReadPool {
public:
    ReadPool(std::string path, std::size_t max_connections);

    template <typename F>
    auto run(F fn) -> std::invoke_result_t<F&, Connection&> {
        Lease lease(*this);
        Connection& c = *lease.connection;
        c.run("BEGIN");
        // Ends the read transaction however fn ends; a connection left inside one is not reused.
        struct EndRead {
            Connection& c;
            ~EndRead() {
                try {
                    c.run("COMMIT");
                } catch (...) {
                    try {
                        c.run("ROLLBACK");
                    } catch (...) {
                    }
                }
            }
        } end{c};
        return fn(c);
    }

private:
    struct Lease {
        explicit Lease(ReadPool& pool);
        ~Lease();
        ReadPool& pool;
        std::unique_ptr<Connection> connection;
    };

    std::string path_;
    std::size_t max_;
    std::size_t open_ = 0;  // idle + lent
    std::mutex mutex_;
    std::condition_variable available_;
    std::vector<std::unique_ptr<Connection>> idle_;
};

}  // namespace va::store::sqlite
