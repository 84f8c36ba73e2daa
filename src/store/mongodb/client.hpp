#pragma once
// libmongoc behind RAII: a pool of clients for one deployment (`Pool`) and the operations on one
// collection (`Collection`), each of which borrows a client for its duration. Calls block; they
// run on the store's worker threads, never on a network thread. Internal to store/mongodb.
//
// A server that cannot be reached (no server selected in time, a socket error or timeout) throws
// store::Unavailable; any other failure throws MongoFailure.
#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "store/mongodb/bson.hpp"

typedef struct _mongoc_client_pool_t mongoc_client_pool_t;
typedef struct _mongoc_client_t mongoc_client_t;

namespace va::store::mongodb {

class MongoFailure : public std::runtime_error {
public:
    MongoFailure(const std::string& what, std::uint32_t code) : std::runtime_error(what), code_(code) {}
    std::uint32_t code() const { return code_; }

private:
    std::uint32_t code_;
};

struct MongoOptions {
    std::string uri;       // any standard connection string: mongodb://… or mongodb+srv://…
    std::string database;  // "" = the URI's path, else "voiceagent"
    std::chrono::milliseconds timeout{1000};  // bounds server selection, sockets and write concern
    int max_clients = 64;
};

class Pool {
public:
    // Throws std::invalid_argument for a connection string libmongoc refuses. Connects lazily:
    // a server that is down now is not an error until an operation needs it.
    explicit Pool(const MongoOptions& options);
    ~Pool();
    Pool(const Pool&) = delete;
    Pool& operator=(const Pool&) = delete;

    const std::string& database() const { return database_; }  // the URI's, unless the options named one
    std::chrono::milliseconds timeout() const { return timeout_; }

    // A client for one operation; back to the pool when the lease goes.
    class Lease {
    public:
        Lease(Pool& pool);
        ~Lease();
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        mongoc_client_t* get() const { return client_; }

    private:
        Pool& pool_;
        mongoc_client_t* client_;
    };

    // {ping: 1} on the admin database: true when a server answers within the timeout.
    bool ping();
    // Runs `command` on `database` (on the primary) and returns the server's reply.
    Bson command(const std::string& database, const Bson& command);

private:
    mongoc_client_pool_t* pool_ = nullptr;
    std::string database_;
    std::chrono::milliseconds timeout_;
};

struct UpdateResult {
    std::int64_t matched = 0;
    std::int64_t modified = 0;
    bool upserted = false;
    bool duplicate = false;  // an upsert's insert hit an existing _id: nothing was written
};

struct FindOptions {
    Bson sort;        // empty: natural order
    std::int64_t limit = 0;  // 0: no limit
    Bson projection;  // empty: whole documents
};

struct FindAndModify {
    Bson sort;
    bool upsert = false;
    bool return_new = true;  // the document after the update (else before it)
};

class Collection {
public:
    Collection(Pool& pool, std::string database, std::string name)
        : pool_(pool), database_(std::move(database)), name_(std::move(name)) {}
    const std::string& name() const { return name_; }

    // False when a document with the same _id (or unique key) exists; nothing was written.
    bool insert_one(const Bson& doc);
    std::optional<Bson> find_one(const Bson& filter, const FindOptions& options = {});
    std::vector<Bson> find(const Bson& filter, const FindOptions& options = {});
    // The matching document after (or before) the update; nullopt when none matched, or when an
    // upsert's insert hit an existing _id (a document the filter does not match).
    std::optional<Bson> find_one_and_update(const Bson& filter, const Bson& update, const FindAndModify& options = {});
    UpdateResult update_one(const Bson& filter, const Bson& update, bool upsert = false);
    UpdateResult update_many(const Bson& filter, const Bson& update);
    std::int64_t delete_many(const Bson& filter);
    std::int64_t count(const Bson& filter);
    // createIndexes with `indexes` (an array of {key, name, ...}); existing ones are kept.
    void create_indexes(const Array& indexes);

private:
    Pool& pool_;
    std::string database_;
    std::string name_;
};

}  // namespace va::store::mongodb
