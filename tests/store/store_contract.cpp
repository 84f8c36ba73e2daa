// The store contract: test data helpers, prompts, and what every listing shares (paging, cursors).
#include "store_contract.hpp"

#include <atomic>
#include <cstdio>
#include <set>
#include <stdexcept>

namespace va::store::test {

std::string test_id() {
    static std::atomic<unsigned long long> counter{0};
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%024llx", counter.fetch_add(1) + 1);
    return buffer;
}

Prompt make_prompt(const std::string& name, TimePoint at) {
    return {test_id(), name, "content of " + name, "intro of " + name, {}, at, at};
}

ScheduledCall make_call(const std::vector<std::string>& numbers, TimePoint created, TimePoint due) {
    ScheduledCall c;
    c.id = test_id();
    c.to_phone_numbers = numbers;
    c.prompt_id = "p1";
    c.scheduled_date_time = due;
    c.content = "content";
    c.introduction = "hello";
    for (const auto& n : numbers) c.recipients.push_back(new_recipient(n, created));
    c.created_at = c.updated_at = created;
    return c;
}

CallLog make_log(const std::string& call_id, const std::string& to, const std::string& status, TimePoint at) {
    CallLog log;
    log.id = test_id();
    log.scheduled_call_id = call_id;
    log.to = to;
    log.from = "+15005550006";
    log.status = status;
    log.created_at = log.updated_at = at;
    return log;
}

namespace {
using std::chrono::seconds;

TEST_P(StoreContract, PromptRoundTripsUpdatesAndRemoves) {
    auto p = make_prompt("a", kT0);
    store().prompts().create(p);
    auto got = store().prompts().get(p.id);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->id, p.id);
    EXPECT_EQ(got->name, "a");
    EXPECT_EQ(got->content, "content of a");
    EXPECT_EQ(got->introduction, "intro of a");
    EXPECT_EQ(got->created_at, kT0);
    EXPECT_EQ(got->updated_at, kT0);

    p.name = "b";
    p.content = "new content: \"quoted\", ünïcødé, 'single'";
    p.created_at = kT0 + seconds(99);  // ignored: creation time is not updated
    p.updated_at = kT0 + seconds(1);
    auto updated = store().prompts().update(p);
    ASSERT_TRUE(updated);
    EXPECT_EQ(updated->name, "b");
    EXPECT_EQ(updated->content, p.content);
    EXPECT_EQ(updated->created_at, kT0);
    EXPECT_EQ(updated->updated_at, kT0 + seconds(1));
    EXPECT_EQ(store().prompts().get(p.id)->content, p.content);

    EXPECT_TRUE(store().prompts().remove(p.id));
    EXPECT_FALSE(store().prompts().remove(p.id));
    EXPECT_FALSE(store().prompts().get(p.id));
}

TEST_P(StoreContract, ConversationSettingsRoundTripWithThePromptAndItsCalls) {
    auto p = make_prompt("tuned", kT0);
    store().prompts().create(p);
    EXPECT_EQ(store().prompts().get(p.id)->conversation, ConversationOverrides{});  // none set: all unset

    p.conversation.end_of_turn_ms = 450;
    p.conversation.barge_in = false;
    p.conversation.max_call_ms = 4 * 3'600'000;
    p.conversation.llm_model = "llama-3.1-8b-instant";
    p.conversation.stt_grammar = "#JSGF V1.0;\ngrammar answer;\npublic <answer> = yes | no;\n";
    p.conversation.stt = "deepgram";
    p.conversation.tts_voice = "espeak:en-us";
    p.updated_at = kT0 + seconds(1);
    ASSERT_TRUE(store().prompts().update(p));
    EXPECT_EQ(store().prompts().get(p.id)->conversation, p.conversation);
    EXPECT_EQ(store().prompts().list({}).items.at(0).conversation, p.conversation);

    auto call = make_call({"+14155552671"}, kT0, kT0 + seconds(60));
    call.conversation = p.conversation;
    store().scheduled_calls().create(call, std::nullopt);
    EXPECT_EQ(store().scheduled_calls().get(call.id)->conversation, p.conversation);
}

TEST_P(StoreContract, UnknownIdsAreAbsentNotErrors) {
    auto p = make_prompt("ghost", kT0);
    EXPECT_FALSE(store().prompts().get(p.id));
    EXPECT_FALSE(store().prompts().update(p));
    EXPECT_FALSE(store().prompts().remove(p.id));
    EXPECT_FALSE(store().scheduled_calls().get(test_id()));
    EXPECT_FALSE(store().call_logs().get(test_id()));
    EXPECT_FALSE(store().prompts().get(""));
    EXPECT_TRUE(store().prompts().list({}).items.empty());
}

TEST_P(StoreContract, RemovingAPromptLeavesItsScheduledCallsAlone) {
    auto p = make_prompt("snap", kT0);
    store().prompts().create(p);
    auto call = make_call({"+14155552671"}, kT0, kT0 + seconds(60));
    call.prompt_id = p.id;
    call.content = p.content;
    store().scheduled_calls().create(call, std::nullopt);
    ASSERT_TRUE(store().prompts().remove(p.id));
    auto got = store().scheduled_calls().get(call.id);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->prompt_id, p.id);
    EXPECT_EQ(got->content, "content of snap");
}

TEST_P(StoreContract, PagesNewestFirstWithoutGapsOrRepeats) {
    std::vector<Prompt> created;
    for (int i = 0; i < 7; ++i) {
        // Two prompts share each creation time, so the id breaks ties.
        created.push_back(make_prompt("p" + std::to_string(i), kT0 + seconds(i / 2)));
        store().prompts().create(created.back());
    }
    auto pages = all_pages([&](const std::optional<Cursor>& cursor) { return store().prompts().list({cursor, 3}); });
    ASSERT_EQ(pages.size(), 3u);
    EXPECT_EQ(pages[0].items.size(), 3u);
    EXPECT_EQ(pages[2].items.size(), 1u);
    std::vector<std::string> seen;
    for (const auto& page : pages) {
        for (const auto& id : ids_of(page)) seen.push_back(id);
    }
    // Newest first, and the later id first among equal times: exactly the reverse of creation.
    std::vector<std::string> expected;
    for (auto it = created.rbegin(); it != created.rend(); ++it) expected.push_back(it->id);
    EXPECT_EQ(seen, expected);
}

TEST_P(StoreContract, AFullLastPageHasNoCursor) {
    for (int i = 0; i < 6; ++i) store().prompts().create(make_prompt("p", kT0 + seconds(i)));
    auto pages = all_pages([&](const std::optional<Cursor>& cursor) { return store().prompts().list({cursor, 3}); });
    ASSERT_EQ(pages.size(), 2u);
    EXPECT_EQ(pages[1].items.size(), 3u);
    EXPECT_FALSE(pages[1].next);
    auto one = store().prompts().list({std::nullopt, 1});
    EXPECT_EQ(one.items.size(), 1u);
    EXPECT_TRUE(one.next);
    EXPECT_EQ(store().prompts().list({std::nullopt, 200}).items.size(), 6u);
}

TEST_P(StoreContract, ACursorIsTheLastItemServedAndReadsBackFromItsText) {
    store().prompts().create(make_prompt("p", kT0));
    store().prompts().create(make_prompt("q", kT0 + seconds(1)));
    auto first = store().prompts().list({std::nullopt, 1});
    ASSERT_TRUE(first.next);
    EXPECT_EQ(first.next->id, first.items.at(0).id);
    EXPECT_EQ(parse_cursor(to_string(*first.next)), first.next);
    EXPECT_THROW(store().prompts().list({std::nullopt, 0}), std::invalid_argument) << "a caller's bug";
}

TEST(Cursor, TextThatNoCursorMakesIsNotOne) {
    for (const auto& bad : std::vector<std::string>{"", "garbage", "_", "123_", "_abc", "12x_abc", "1.5_abc",
                                                  std::string(300, '9') + "_a"}) {
        EXPECT_FALSE(parse_cursor(bad)) << bad;
    }
    EXPECT_EQ(parse_cursor("1700000000000_abc"), (Cursor{TimePoint{core::Millis{1700000000000}}, "abc"}));
}

TEST_P(StoreContract, AnswersPing) { EXPECT_TRUE(store().ping()); }

}  // namespace
}  // namespace va::store::test
