// The real binaries on MongoDB, each test with CongoDB processes of its own: the demo, calls the
// original system wrote (dialed once; an in_progress one adopted from Twilio's call list, never
// redialed blindly), several workers on one database, and outages: no server at start, a server
// killed mid-run, a server frozen while calls are dialed.
#include <signal.h>

#include <filesystem>
#include <tuple>

#include <gtest/gtest.h>

#include "core/time_format.hpp"
#include "dispatch_process.hpp"
#include "store/mongodb/client.hpp"
#include "store/mongodb/documents.hpp"
#include "support/closed_port.hpp"
#include "support/mongo_server.hpp"
#include "timing/time_source.hpp"

namespace va::test {
namespace {

using namespace std::chrono_literals;
namespace mongodb = store::mongodb;
using mongodb::doc;

std::string uri_at(unsigned short port) { return "mongodb://127.0.0.1:" + std::to_string(port) + "/va?directConnection=true"; }

TEST(MongoBinary, TheDemoCompletesOnMongoDb) {
    CongoDb congo;
    TempDir dir;
    Process demo(voiceagent_binary(), {"demo", "--dir", dir.file("demo"), "--db", congo.uri("demo")});
    auto out = demo.read_all_stdout();
    EXPECT_EQ(demo.wait(), 0) << out << demo.read_all_stderr();
    EXPECT_NE(out.find("[call] completed"), std::string::npos) << out;
    EXPECT_NE(out.find("(database mongodb://127.0.0.1:"), std::string::npos) << out;
}

TEST(MongoBinary, ServeStartsWithoutItsServerAnswers503InTimeAndRecoversOnItsOwn) {
    const auto port = closed_port();
    Process server(voiceagent_binary(), {"serve", "--listen", "127.0.0.1:0", "--db", uri_at(port),
                                         "--store-timeout-ms", "200", "--allowed-countries", "US"});
    HttpClient client(port_of(server.read_stdout_line()));
    EXPECT_EQ(client.request("GET", "/healthz").status, 200u);
    EXPECT_EQ(client.request("GET", "/readyz").status, 503u);
    auto down = client.request("GET", "/api/prompts");
    EXPECT_EQ(down.status, 503u);
    EXPECT_NE(down.body.find("store_unavailable"), std::string::npos) << down.body;
    EXPECT_EQ(down.headers["retry-after"], "1");

    auto congo = std::make_unique<CongoDb>(port);
    ASSERT_TRUE(eventually([&] { return client.request("GET", "/readyz").status == 200; }, 30s));
    const std::string prompt = R"({"name":"n","content":"c","introduction":"i"})";
    EXPECT_EQ(client.request("POST", "/api/prompts", prompt).status, 201u);

    // Killed mid-run: 503 again, and back when a server is.
    congo->signal(SIGKILL);
    congo->wait();
    congo.reset();
    EXPECT_EQ(client.request("POST", "/api/prompts", prompt).status, 503u);
    EXPECT_EQ(client.request("GET", "/readyz").status, 503u);
    congo = std::make_unique<CongoDb>(port);
    ASSERT_TRUE(eventually([&] { return client.request("GET", "/readyz").status == 200; }, 30s));
    EXPECT_EQ(client.request("POST", "/api/prompts", prompt).status, 201u);

    server.signal(SIGTERM);
    EXPECT_EQ(server.wait(), 0);
    auto log = server.read_all_stderr();
    EXPECT_NE(log.find("store unavailable"), std::string::npos) << "the cause is logged";
}

// Documents shaped as the original system wrote them, straight into the database.
class OriginalDocuments {
public:
    explicit OriginalDocuments(const std::string& uri) : pool_(options(uri)) {}
    // A scheduled call without recipient documents; `due` as the naive ISO string it wrote.
    std::string add_call(const std::vector<std::string>& numbers, const std::string& status, core::TimePoint due) {
        const auto id = mongodb::derived_id({"original", std::to_string(++calls_)});
        mongodb::Array to;
        for (const auto& n : numbers) to.push(n);
        auto naive = core::format_rfc3339(due);
        naive.pop_back();  // no "Z"
        auto call = doc("_id", id, "promptId", mongodb::derived_id({"original-prompt"}), "scheduledDateTime", naive,
                        "status", status, "content", "You remind people.", "introduction", "Hello!");
        call.append_array("toPhoneNumbers", to.bson());
        mongodb::Collection(pool_, pool_.database(), mongodb::kScheduledCalls).insert_one(call);
        return id.hex;
    }

private:
    static mongodb::MongoOptions options(const std::string& uri) {
        mongodb::MongoOptions o;
        o.uri = uri;
        o.timeout = 5s;
        return o;
    }
    mongodb::Pool pool_;
    int calls_ = 0;
};

// Creates a call in the simulator as the original worker would have (its Url leads nowhere).
std::string dial_in_simulator(const SimProcess& sim, const std::string& to) {
    HttpClient client(sim.port());
    const std::string credentials = kSimAccount + ":" + kSimToken;
    const auto basic = twilio::base64_encode(std::span(reinterpret_cast<const std::uint8_t*>(credentials.data()),
                                                       credentials.size()));
    auto reply = client.request("POST", "/2010-04-01/Accounts/" + kSimAccount + "/Calls.json",
                                "To=" + to + "&From=%2B15005550006&Url=http%3A%2F%2F127.0.0.1%3A1%2Fnowhere",
                                {{"Authorization", "Basic " + basic},
                                 {"Content-Type", "application/x-www-form-urlencoded"}});
    EXPECT_EQ(reply.status, 201u) << reply.body;
    return std::string(boost::json::parse(reply.body).at("sid").as_string());
}

TEST(MongoBinary, CallsTheOriginalSystemWroteAreDialedOnceAndInProgressOnesAdopted) {
    CongoDb congo;
    TempDir dir;
    SimProcess sim(dir, R"({"callsPerSecond": 100, "default": {"ringSeconds": 0, "outcome": "busy"}})");
    const auto uri = congo.uri("original");
    OriginalDocuments original(uri);
    const auto now = timing::RealTime{}.now();
    const auto pending = original.add_call({"+14155553001", "+14155553002"}, "pending", now - 1min);
    // Left in_progress by the original worker: one number it did dial, one it did not.
    const auto started = original.add_call({"+14155553003", "+14155553004"}, "in_progress", now - 10min);
    const auto adopted_sid = dial_in_simulator(sim, "%2B14155553003");

    ServeProcess serve(dir, sim, {"--db", uri, "--calls-per-second", "20"});
    ASSERT_TRUE(eventually([&] { return serve.scheduled_call(pending)->at("status") == "completed"; }, 30s))
        << boost::json::serialize(*serve.scheduled_call(pending));
    for (const auto* number : {"+14155553001", "+14155553002"}) EXPECT_EQ(sim.calls_to(number).size(), 1u) << number;

    ASSERT_TRUE(eventually([&] { return serve.scheduled_call(started)->at("status") == "completed"; }, 30s))
        << boost::json::serialize(*serve.scheduled_call(started));
    auto call = *serve.scheduled_call(started);
    const auto& recipients = call.at("recipients").as_array();
    EXPECT_EQ(sim.calls_to("+14155553003").size(), 1u) << "found in Twilio's call list: adopted, not dialed again";
    EXPECT_EQ(recipients[0].at("callSid"), boost::json::value(adopted_sid));
    EXPECT_EQ(sim.calls_to("+14155553004").size(), 1u) << "not in the list: dialed once under the not-placed policy";
    serve.process().signal(SIGTERM);
    EXPECT_EQ(serve.process().wait(), 0);
}

// What the API answers: every page of every listing (two items a page, so cursors are crossed)
// and every item on its own.
std::vector<std::string> api_answers(ServeProcess& serve) {
    std::vector<std::string> out;
    for (const std::string list : {"/api/prompts", "/api/scheduled-calls", "/api/call-logs"}) {
        std::string cursor;
        do {
            auto page = serve.api("GET", list + "?limit=2" + (cursor.empty() ? "" : "&cursor=" + cursor));
            out.push_back(list + " " + boost::json::serialize(page));
            for (const auto& item : page.at("items").as_array()) {
                const auto path = list + "/" + std::string(item.at("id").as_string());
                out.push_back(path + " " + boost::json::serialize(serve.api("GET", path)));
            }
            const auto& next = page.at("nextCursor");
            cursor = next.is_string() ? std::string(next.as_string()) : "";
        } while (!cursor.empty());
    }
    return out;
}

TEST(MongoBinary, StoreCopyCarriesEveryRecordAcrossAndARerunAddsNothing) {
    TempDir dir;
    SimProcess sim(dir, R"({"callsPerSecond": 100, "default": {"ringSeconds": 0.05, "hangupAfterSeconds": 1},
                           "numbers": {"+14155553302": {"outcome": "busy"}}})");
    std::vector<std::string> before;
    {
        ServeProcess sqlite(dir, sim, {"--calls-per-second", "20"});
        auto dialed = sqlite.schedule_now({"+14155553301", "+14155553302"});
        ASSERT_TRUE(eventually([&] { return sqlite.scheduled_call(dialed)->at("status") == "completed"; }, 30s));
        const auto later = core::format_rfc3339(timing::RealTime{}.now() + 1h);
        auto prompt = sqlite.api("POST", "/api/prompts", R"({"name":"Later","content":"c","introduction":"i",
                                                              "conversation":{"endOfTurnMs":700}})");
        const auto prompt_id = std::string(prompt.at("id").as_string());
        for (int i = 0; i < 3; ++i) {
            auto call = sqlite.api("POST", "/api/scheduled-calls",
                                   R"({"toPhoneNumbers":["+1415555340)" + std::to_string(i) + R"("],"promptId":")" +
                                       prompt_id + R"(","scheduledDateTime":")" + later +
                                       R"(","retry":{"maxAttempts":2,"delaySeconds":60}})");
            if (i == 0) sqlite.api("POST", "/api/scheduled-calls/" + std::string(call.at("id").as_string()) + "/cancel");
        }
        before = api_answers(sqlite);
        sqlite.process().signal(SIGTERM);
        ASSERT_EQ(sqlite.process().wait(), 0);
    }
    CongoDb congo;
    const auto to = congo.uri("copied");
    Process copy(voiceagent_binary(), {"store", "copy", "--from", "sqlite:" + dir.file("va.db"), "--to", to});
    auto out = copy.read_all_stdout();
    ASSERT_EQ(copy.wait(), 0) << out << copy.read_all_stderr();
    EXPECT_NE(out.find("prompts: 2 copied, 0 already there"), std::string::npos) << out;
    EXPECT_NE(out.find("scheduled calls: 4 copied, 0 already there"), std::string::npos) << out;
    EXPECT_NE(out.find("call logs: 2 copied, 0 already there"), std::string::npos) << out;
    Process again(voiceagent_binary(), {"store", "copy", "--from", "sqlite:" + dir.file("va.db"), "--to", to});
    out = again.read_all_stdout();
    ASSERT_EQ(again.wait(), 0) << out;
    EXPECT_NE(out.find("scheduled calls: 0 copied, 4 already there"), std::string::npos) << out;

    // Bad input: a source that is not there (opening it would create it), a target that is not
    // a MongoDB; each a clear error, exit 2, nothing written.
    for (const auto& [from, into, says] : {std::tuple{"sqlite:" + dir.file("missing.db"), to, std::string("no such file")},
                                           std::tuple{"sqlite:" + dir.file("va.db"), "sqlite:" + dir.file("other.db"),
                                                      std::string("--to must be a mongodb://")}}) {
        Process bad(voiceagent_binary(), {"store", "copy", "--from", from, "--to", into});
        EXPECT_EQ(bad.wait(), 2) << from << " → " << into;
        EXPECT_NE(bad.read_all_stderr().find(says), std::string::npos) << says;
    }
    EXPECT_FALSE(std::filesystem::exists(dir.file("missing.db")));
    EXPECT_FALSE(std::filesystem::exists(dir.file("other.db")));

    ServeProcess mongo(dir, sim, {"--db", to});
    const auto after = api_answers(mongo);
    ASSERT_EQ(before.size(), (1u + 2) + (2 + 4) + (1 + 2)) << "pages and items: 2 prompts, 4 calls, 2 logs";
    ASSERT_EQ(after.size(), before.size());
    for (std::size_t i = 0; i < before.size(); ++i) EXPECT_EQ(after[i], before[i]);
}

TEST(MongoBinary, ThreeWorkersOnOneDatabaseCallEachRecipientOnce) {
    CongoDb congo;
    TempDir dir;
    SimProcess sim(dir, R"({"callsPerSecond": 1000, "default": {"ringSeconds": 0, "outcome": "busy"}})");
    const std::vector<std::string> flags{"--db", congo.uri("workers"), "--calls-per-second", "20",
                                         "--dispatch-sweep-seconds", "1"};
    ServeProcess first(dir, sim, flags), second(dir, sim, flags), third(dir, sim, flags);
    std::vector<std::string> numbers;
    for (int i = 0; i < 30; ++i) numbers.push_back("+1415555" + std::to_string(3100 + i));
    auto id = first.schedule_now(numbers);
    ASSERT_TRUE(eventually([&] { return third.scheduled_call(id)->at("status") == "completed"; }, 60s));
    for (const auto& number : numbers) EXPECT_EQ(sim.calls_to(number).size(), 1u) << number;
}

TEST(MongoBinary, AFrozenServerPausesDispatchWithoutLosingOrDoublingADial) {
    CongoDb congo;
    TempDir dir;
    SimProcess sim(dir, R"({"callsPerSecond": 1000, "default": {"ringSeconds": 0.2, "outcome": "busy"}})");
    // A dial cut off by the outage is reconciled: within 5 s its call shows up or it was not placed.
    ServeProcess serve(dir, sim, {"--db", congo.uri("frozen"), "--calls-per-second", "10", "--store-timeout-ms", "300",
                                  "--reconcile-grace-seconds", "5"});
    std::vector<std::string> numbers;
    for (int i = 0; i < 20; ++i) numbers.push_back("+1415555" + std::to_string(3200 + i));
    auto id = serve.schedule_now(numbers);
    // Frozen once dialing has begun (about 2 s of it at 10 calls/s), for 3 s: every store call
    // times out meanwhile, the API answers 503, and dispatch waits.
    ASSERT_TRUE(eventually([&] { return !sim.calls_to(numbers[0]).empty(); }, 30s));
    congo.signal(SIGSTOP);
    unsigned status = 0;
    serve.api("GET", "/api/scheduled-calls/" + id, "", &status);
    EXPECT_EQ(status, 503u);
    std::this_thread::sleep_for(3s);  // the outage's length, not a wait for an event
    congo.signal(SIGCONT);
    ASSERT_TRUE(eventually([&] {
        auto call = serve.scheduled_call(id);
        return call && call->at("status") == "completed";
    }, 90s));
    for (const auto& number : numbers) EXPECT_EQ(sim.calls_to(number).size(), 1u) << number;
}

}  // namespace
}  // namespace va::test
