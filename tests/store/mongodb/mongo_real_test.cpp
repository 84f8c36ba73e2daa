// What only a real MongoDB shows (label mongodb-real): run with VA_TEST_MONGODB_URI naming one,
// e.g. a three-member replica set with TLS and a user. Skipped, with the reason, without it.
// Replica sets and failover, authentication; the contract suites (mongo_store_test.cpp) run
// against the same server when the variable is set.
#include <cstdlib>
#include <thread>

#include <gtest/gtest.h>

#include "core/id.hpp"
#include "store/mongodb/client.hpp"
#include "store/mongodb/mongo_store.hpp"
#include "support/mongo_server.hpp"

namespace va::store::test {
namespace {

const TimePoint kT0 = std::chrono::sys_days{std::chrono::year{2026} / 11 / 25};

Prompt make_prompt(const std::string& name, TimePoint at) {
    static int next = 0;
    Prompt p;
    p.id = core::new_object_id(at + std::chrono::seconds(++next));
    p.name = name;
    p.content = "Be brief.";
    p.introduction = "Hello!";
    p.created_at = p.updated_at = at;
    return p;
}

using mongodb::doc;
using namespace std::chrono_literals;

std::string real_uri() {
    const char* uri = std::getenv("VA_TEST_MONGODB_URI");
    return uri ? uri : "";
}

constexpr const char* kNeedsRealServer = "needs a real MongoDB: set VA_TEST_MONGODB_URI";

mongodb::MongoOptions options(std::chrono::milliseconds timeout) {
    mongodb::MongoOptions o;
    o.uri = real_uri();
    o.database = va::test::MongoServer::fresh_database();
    o.timeout = timeout;
    return o;
}

bool is_replica_set(mongodb::Pool& pool) {
    auto hello = pool.command("admin", doc("hello", 1));
    return mongodb::View(hello.get()).has("setName");
}

TEST(MongoReal, MajorityWritesAreAcknowledgedAndReadBack) {
    if (real_uri().empty()) GTEST_SKIP() << kNeedsRealServer;
    auto store = mongodb::MongoStore::open(options(5s));
    ASSERT_TRUE(store->ping());
    auto prompt = make_prompt("majority", kT0);
    store->prompts().create(prompt);  // w: majority, j: true; it throws if the set cannot acknowledge
    EXPECT_TRUE(store->prompts().get(prompt.id)) << "a read that follows an acknowledged write sees it";
}

TEST(MongoReal, APrimaryStepDownIsRiddenOutByRetryableWrites) {
    if (real_uri().empty()) GTEST_SKIP() << kNeedsRealServer;
    auto store = mongodb::MongoStore::open(options(30s));
    ASSERT_TRUE(store->ping());
    if (!is_replica_set(store->pool())) GTEST_SKIP() << "needs a replica set (a step-down elects another primary)";
    try {
        store->pool().command("admin", doc("replSetStepDown", 10, "force", true));
    } catch (const std::exception&) {
        // The primary closes its connections as it steps down: the command's own reply is lost.
    }
    // The next writes select the new primary (within the 30 s timeout) and are retried once
    // if the first try meets the old one.
    for (int i = 0; i < 20; ++i) store->prompts().create(make_prompt("after step-down", kT0));
    EXPECT_EQ(store->prompts().list({}).items.size(), 20u);
}

TEST(MongoReal, WrongCredentialsAreRefusedAndSayWhy) {
    if (real_uri().empty()) GTEST_SKIP() << kNeedsRealServer;
    auto uri = real_uri();
    const auto at = uri.find('@');
    const auto colon = uri.find(':', uri.find("://") + 3);
    if (at == std::string::npos || colon > at) GTEST_SKIP() << "the connection string has no password";
    uri.replace(colon + 1, at - colon - 1, "not-the-password");
    mongodb::MongoOptions o = options(3s);
    o.uri = uri;
    auto store = mongodb::MongoStore::open(o);
    EXPECT_FALSE(store->ping());
    try {
        store->prompts().list({});
        FAIL() << "read without valid credentials";
    } catch (const std::exception& e) {
        EXPECT_NE(std::string(e.what()).find("uthenticat"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace va::store::test
