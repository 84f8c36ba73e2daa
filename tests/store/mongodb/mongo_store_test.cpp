// The store contract on MongoDB: CongoDB here, or the server VA_TEST_MONGODB_URI names. Plus what
// only MongoDB has: documents the original system wrote, an unreachable server, and a client
// pool that stays quiet when idle.
#include <set>
#include <thread>

#include "core/time_format.hpp"
#include "store/mongodb/client.hpp"
#include "store/mongodb/documents.hpp"
#include "store/mongodb/mongo_store.hpp"
#include "store_contract.hpp"
#include "support/closed_port.hpp"
#include "support/mongo_server.hpp"

namespace va::store::test {
namespace {

using mongodb::Bson;
using mongodb::Collection;
using mongodb::doc;
using mongodb::MongoOptions;
using mongodb::MongoStore;
using mongodb::ObjectId;
using std::chrono::seconds;

MongoOptions options_for(const std::string& database) {
    MongoOptions o;
    o.uri = va::test::MongoServer::shared().uri(database);
    o.timeout = std::chrono::milliseconds(5000);
    return o;
}

// One pool for every store of the run, each on a database of its own.
std::shared_ptr<Store> make_mongo() {
    static auto pool = std::make_shared<mongodb::Pool>(options_for("va_test"));
    return MongoStore::open(pool, va::test::MongoServer::fresh_database());
}

// Writes what the dispatcher would, straight into the documents.
void force_mongo(Store& store, const DispatchState& s) {
    auto& mongo = dynamic_cast<MongoStore&>(store);
    Collection calls(mongo.pool(), mongo.database(), mongodb::kScheduledCalls);
    calls.update_one(mongodb::id_filter(s.call_id), doc("$set", doc("status", to_string(s.call_status))));
    Collection recipients(mongo.pool(), mongo.database(), mongodb::kRecipients);
    auto result = recipients.update_one(
        doc("scheduledCallId", s.call_id, "position", static_cast<int>(s.recipient)),
        doc("$set", doc("status", to_string(s.recipient_status), "attempt", s.attempt)));
    ASSERT_EQ(result.matched, 1);
}

const StoreFactory kMongo{"Mongo", make_mongo, force_mongo};
INSTANTIATE_TEST_SUITE_P(Mongo, StoreContract, ::testing::Values(kMongo),
                         [](const auto& instance) { return instance.param.name; });
INSTANTIATE_TEST_SUITE_P(Mongo, DispatchContract, ::testing::Values(kMongo),
                         [](const auto& instance) { return instance.param.name; });

class MongoStoreTest : public ::testing::Test {
protected:
    std::shared_ptr<Store> holder_ = make_mongo();
    MongoStore* store_ = dynamic_cast<MongoStore*>(holder_.get());
    Collection raw(const char* name) { return Collection(store_->pool(), store_->database(), name); }
};

TEST_F(MongoStoreTest, ReadsThePromptsAndCallLogsTheOriginalSystemWrote) {
    const std::string prompt_id = "6571f0c2a1b2c3d4e5f60718";
    ASSERT_TRUE(raw(mongodb::kPrompts).insert_one(doc("_id", ObjectId{prompt_id}, "name", "legacy", "content", "Be brief.")));
    const std::string log_id = "6571f0c2a1b2c3d4e5f60719";
    ASSERT_TRUE(raw(mongodb::kCallLogs)
                    .insert_one(doc("_id", ObjectId{log_id}, "scheduledCallId", ObjectId{"6571f0c2a1b2c3d4e5f6071a"},
                                    "promptId", ObjectId{prompt_id}, "to", "+14155552671", "status", "completed",
                                    "duration", 42.0, "createdAt", "2023-12-07T16:00:02.123456")));

    auto prompt = store_->prompts().get(prompt_id);
    ASSERT_TRUE(prompt);
    EXPECT_EQ(prompt->name, "legacy");
    EXPECT_EQ(prompt->introduction, "");
    EXPECT_EQ(prompt->created_at, TimePoint(seconds(0x6571f0c2))) << "no createdAt: the ObjectId's time";
    ASSERT_EQ(ids_of(store_->prompts().list({})), std::vector<std::string>{prompt_id});

    auto log = store_->call_logs().get(log_id);
    ASSERT_TRUE(log);
    EXPECT_EQ(log->scheduled_call_id, "6571f0c2a1b2c3d4e5f6071a");
    EXPECT_EQ(log->duration, 42);
    EXPECT_EQ(log->created_at, *core::parse_rfc3339("2023-12-07T16:00:02.123Z")) << "a naive ISO string is UTC";
    CallLogQuery by_call;
    by_call.scheduled_call_id = "6571f0c2a1b2c3d4e5f6071a";
    EXPECT_EQ(ids_of(store_->call_logs().list(by_call)), std::vector<std::string>{log_id})
        << "a scheduledCallId stored as an ObjectId still filters";
}

TEST_F(MongoStoreTest, ReadsAScheduledCallTheOriginalSystemWrote) {
    const std::string id = "6571f0c2a1b2c3d4e5f6071b";
    mongodb::Array numbers;
    numbers.push("+14155552671").push("+14155552672");
    auto legacy = doc("_id", ObjectId{id}, "promptId", ObjectId{"6571f0c2a1b2c3d4e5f60718"}, "scheduledDateTime",
                      "2026-11-25T12:00:00", "status", "pending", "content", "Be brief.", "introduction", "Hello!");
    legacy.append_array("toPhoneNumbers", numbers.bson());
    ASSERT_TRUE(raw(mongodb::kScheduledCalls).insert_one(legacy));

    auto call = store_->scheduled_calls().get(id);
    ASSERT_TRUE(call);
    EXPECT_EQ(call->prompt_id, "6571f0c2a1b2c3d4e5f60718");
    EXPECT_EQ(call->scheduled_date_time, kT0);
    EXPECT_EQ(call->introduction, "Hello!");
    ASSERT_EQ(call->recipients.size(), 2u) << "recipients read from toPhoneNumbers until the dispatcher creates them";
    EXPECT_EQ(call->recipients[1].phone_number, "+14155552672");
    EXPECT_EQ(call->recipients[1].status, RecipientStatus::pending);
    EXPECT_EQ(ids_of(store_->scheduled_calls().list({})), std::vector<std::string>{id});
}

TEST_F(MongoStoreTest, ACallWhoseLastRecipientEndedInAProcessThatDiedIsCompletedByALaterClaim) {
    auto call = make_call({"+14155552671"}, kT0, kT0);
    store_->scheduled_calls().create(call, std::nullopt);
    ClaimRequest r;
    r.owner = "w1";
    r.now = kT0;
    auto claims = store_->dispatch().claim(r).claims;
    ASSERT_EQ(claims.size(), 1u);
    ASSERT_TRUE(store_->dispatch().record_placed(claims[0], {kSid1, "+15005550006", RecipientStatus::queued, test_id(), kT0 + seconds(60)}, kT0));
    // What a worker killed between its two writes leaves: the recipient busy, the call marked
    // for a look, and nobody looking.
    raw(mongodb::kRecipients).update_one(doc("scheduledCallId", call.id), doc("$set", doc("status", "busy")));
    raw(mongodb::kScheduledCalls).update_one(mongodb::id_filter(call.id),
                                             doc("$set", doc("completionCheck", "x", "completionCheckAt", kT0)));
    EXPECT_EQ(store_->scheduled_calls().get(call.id)->status, CallStatus::in_progress);
    r.now = kT0 + seconds(5);
    store_->dispatch().claim(r);
    EXPECT_EQ(store_->scheduled_calls().get(call.id)->status, CallStatus::in_progress) << "a mark this recent may be a writer at work";
    r.now = kT0 + seconds(11);
    store_->dispatch().claim(r);
    EXPECT_EQ(store_->scheduled_calls().get(call.id)->status, CallStatus::completed);
}

TEST_F(MongoStoreTest, AnEditADeadProcessLeftFrozenIsFinishedByALaterClaim) {
    auto call = make_call({"+14155552671", "+14155552672"}, kT0, kT0 + seconds(30));
    store_->scheduled_calls().create(call, std::nullopt);
    // What update_pending leaves when killed after writing the call: recipients frozen (no due
    // time), the call already with its new list.
    raw(mongodb::kRecipients).update_many(doc("scheduledCallId", call.id),
                                          doc("$set", doc("nextAttemptAt", nullptr, "frozenAt", kT0)));
    mongodb::Array numbers;
    numbers.push("+14155552673");
    auto set = doc("scheduledDateTime", kT0 + seconds(40));
    set.append_array("toPhoneNumbers", numbers.bson());
    raw(mongodb::kScheduledCalls).update_one(mongodb::id_filter(call.id), doc("$set", set));

    ClaimRequest r;
    r.owner = "w1";
    r.now = kT0 + seconds(50);
    EXPECT_TRUE(store_->dispatch().claim(r).claims.empty()) << "frozen: not due, and too recent to be finished";
    r.now = kT0 + seconds(61);
    auto claims = store_->dispatch().claim(r).claims;
    ASSERT_EQ(claims.size(), 1u) << "the edit finished: the call's new list, due at its new time";
    EXPECT_EQ(claims[0].phone_number, "+14155552673");
    auto after = store_->scheduled_calls().get(call.id);
    ASSERT_EQ(after->recipients.size(), 1u);
    EXPECT_EQ(after->recipients[0].phone_number, "+14155552673");
}

// A crash between writing a call and its recipients: the sweep makes them from the call document,
// variables included, and an edit killed half-way is finished with them too.
TEST_F(MongoStoreTest, RecipientsMadeFromTheCallDocumentKeepTheirVariables) {
    auto call = make_call({"+14155552671", "+14155552672"}, kT0, kT0);
    call.recipients[0].variables = {{"name", "Maria"}};
    call.recipients[1].variables = {{"name", "Ken"}};
    ASSERT_TRUE(raw(mongodb::kScheduledCalls).insert_one(mongodb::scheduled_call_document(call)));
    ClaimRequest r;
    r.owner = "w1";
    r.now = kT0;
    r.limit = 2;
    r.max_live = 10;
    auto claims = store_->dispatch().claim(r).claims;
    ASSERT_EQ(claims.size(), 2u);
    auto got = store_->scheduled_calls().get(call.id);
    ASSERT_EQ(got->recipients.size(), 2u);
    EXPECT_EQ(got->recipients[0].variables, call.recipients[0].variables);
    EXPECT_EQ(got->recipients[1].variables, call.recipients[1].variables);
}

TEST_F(MongoStoreTest, AnEditKilledHalfWayKeepsEachNumbersVariables) {
    auto call = make_call({"+14155552671", "+14155552672", "+14155552673"}, kT0, kT0 + seconds(30));
    for (std::size_t i = 0; i < 3; ++i) call.recipients[i].variables = {{"n", std::to_string(i)}};
    store_->scheduled_calls().create(call, std::nullopt);
    // update_pending killed half-way through [1, 2, 3] → [3, 1]: the call has its new list and
    // variables, recipients are frozen, and position 0 was already rewritten as the third number.
    raw(mongodb::kRecipients).update_many(doc("scheduledCallId", call.id),
                                          doc("$set", doc("nextAttemptAt", nullptr, "frozenAt", kT0)));
    auto set = doc("scheduledDateTime", kT0 + seconds(40));
    mongodb::Array numbers;
    numbers.push("+14155552673").push("+14155552671");
    set.append_array("toPhoneNumbers", numbers.bson());
    set.append_array("recipientVariables", mongodb::variables_array({{{"n", "2"}}, {{"n", "0"}}}).bson());
    raw(mongodb::kScheduledCalls).update_one(mongodb::id_filter(call.id), doc("$set", set));
    raw(mongodb::kRecipients).update_one(doc("scheduledCallId", call.id, "position", 0),
                                         doc("$set", doc("phoneNumber", "+14155552673", "variables", doc("n", "2"))));

    ClaimRequest r;
    r.owner = "w1";
    r.now = kT0 + seconds(61);  // the edit is old enough to be finished by a claim
    store_->dispatch().claim(r);
    auto got = store_->scheduled_calls().get(call.id);
    ASSERT_EQ(got->recipients.size(), 2u);
    EXPECT_EQ(got->recipients[1].phone_number, "+14155552671");
    EXPECT_EQ(got->recipients[1].variables, (core::Variables{{"n", "0"}})) << "from the call, not the half-rewritten recipients";
}

TEST_F(MongoStoreTest, AnOriginalSystemsLiveCallCountsTowardTheCapOnceReconciled) {
    // Left in_progress by the original worker: its recipient may be on a call.
    mongodb::Array numbers;
    numbers.push("+14155552671");
    auto legacy = doc("_id", ObjectId{"6571f0c2a1b2c3d4e5f6071c"}, "promptId", "p", "scheduledDateTime", kT0, "status",
                      "in_progress", "content", "c", "introduction", "i");
    legacy.append_array("toPhoneNumbers", numbers.bson());
    ASSERT_TRUE(raw(mongodb::kScheduledCalls).insert_one(legacy));
    store_->scheduled_calls().create(make_call({"+14155552672"}, kT0, kT0), std::nullopt);
    ClaimRequest r;
    r.owner = "w1";
    r.now = kT0 + seconds(1);
    r.max_live = 1;
    auto batch = store_->dispatch().claim(r);
    ASSERT_EQ(batch.claims.size(), 1u) << "the reconciliation only: the cap of 1 is its";
    EXPECT_EQ(batch.claims[0].kind, ClaimKind::reconcile);
    EXPECT_EQ(batch.claims[0].phone_number, "+14155552671");
}

std::set<std::string> index_names(mongodb::Pool& pool, const std::string& database, const char* collection) {
    auto reply = pool.command(database, doc("listIndexes", collection));
    std::set<std::string> names;
    mongodb::View(reply.get()).document("cursor")->for_each_document(
        "firstBatch", [&](const mongodb::View& index) { names.insert(index.text("name")); });
    return names;
}

TEST_F(MongoStoreTest, TheIndexesAreMadeByNameAndMakingThemAgainChangesNothing) {
    ASSERT_TRUE(store_->ping());
    const auto recipients = index_names(store_->pool(), store_->database(), mongodb::kRecipients);
    for (const char* name : {"recipients_due", "recipients_leases", "recipients_by_call", "recipients_by_phone",
                             "recipients_by_sid"}) {
        EXPECT_TRUE(recipients.contains(name)) << name;
    }
    EXPECT_TRUE(index_names(store_->pool(), store_->database(), mongodb::kCallLogs).contains("calllogs_by_attempt"));
    // Another process starting on the same database makes them again: nothing changes.
    auto again = MongoStore::open(std::shared_ptr<mongodb::Pool>(holder_, &store_->pool()), store_->database());
    ASSERT_TRUE(again->ping());
    EXPECT_EQ(index_names(store_->pool(), store_->database(), mongodb::kRecipients), recipients);
}

TEST(MongoStoreOutage, AStoreOpensWithNoServerAndEveryCallSaysUnavailable) {
    MongoOptions o;
    o.uri = "mongodb://127.0.0.1:" + std::to_string(va::test::closed_port()) + "/va?directConnection=true";
    o.timeout = std::chrono::milliseconds(200);
    auto store = MongoStore::open(o);
    EXPECT_FALSE(store->ping());
    EXPECT_THROW(store->prompts().list({}), Unavailable);
    EXPECT_THROW(store->prompts().create(make_prompt("p", kT0)), Unavailable);
    EXPECT_THROW(store->call_logs().record_answer("CA1", kT0), Unavailable);
}

TEST(MongoStoreConfig, ABadConnectionStringIsRefusedWithItsReason) {
    MongoOptions o;
    o.uri = "mongodb://user@:/x";
    try {
        MongoStore::open(o);
        FAIL() << "accepted " << o.uri;
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("connection string"), std::string::npos) << e.what();
    }
}

TEST(MongoStorePool, AnIdlePoolSaysHelloLessThanOnceASecond) {
    auto& server = va::test::MongoServer::shared();
    if (server.real()) GTEST_SKIP() << "counts CongoDB's hellos";
    auto store = MongoStore::open(options_for(va::test::MongoServer::fresh_database()));
    ASSERT_TRUE(store->ping());
    const auto before = server.congo().hellos();
    std::this_thread::sleep_for(seconds(3));  // measuring a rate over time, not waiting for an event
    EXPECT_LT(server.congo().hellos() - before, 3) << "libmongoc's monitor spins on CongoDB without the hello patch";
}

}  // namespace
}  // namespace va::store::test
