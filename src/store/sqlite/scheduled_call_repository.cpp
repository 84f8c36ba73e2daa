#include <boost/json.hpp>

#include "store/conversation_json.hpp"
#include "store/sqlite/paging.hpp"
#include "store/sqlite/repositories.hpp"
#include "store/sqlite/settings_json.hpp"

namespace va::store::sqlite {

namespace {
namespace json = boost::json;

constexpr const char* kColumns =
    "SELECT id, toPhoneNumbers, promptId, scheduledDateTime, status, content, introduction, createdAt, updatedAt, "
    "retry, callWindow, conversation FROM scheduled_calls";

std::vector<std::string> numbers_from_json(const std::string& text) {
    std::vector<std::string> out;
    auto parsed = json::parse(text);
    for (const auto& v : parsed.as_array()) out.emplace_back(v.as_string());
    return out;
}

std::string numbers_to_json(const std::vector<std::string>& numbers) {
    return json::serialize(json::array(numbers.begin(), numbers.end()));
}

void bind_optional_text(Statement& s, int index, const std::optional<std::string>& text) {
    if (text) {
        s.bind(index, *text);
    } else {
        s.bind_null(index);
    }
}

void load_recipients(Connection& c, ScheduledCall& call) {
    Statement s(c,
                "SELECT phoneNumber, status, attempt, callSid, errorCode, errorMessage, updatedAt, dialedAt, nextAttemptAt, "
                "deferredReason, variables FROM recipients "
                "WHERE scheduledCallId = ? ORDER BY position");
    s.bind(1, call.id);
    call.recipients.clear();
    while (s.step()) {
        Recipient r;
        r.phone_number = s.text(0);
        r.status = parse_recipient_status(s.text(1)).value_or(RecipientStatus::unknown);
        r.attempt = static_cast<int>(s.integer(2));
        r.call_sid = s.text(3);
        if (auto code = s.optional_integer(4)) r.error_code = static_cast<int>(*code);
        r.error_message = s.text(5);
        r.updated_at = from_millis(s.integer(6));
        if (auto at = s.optional_integer(7)) r.dialed_at = from_millis(*at);
        if (auto at = s.optional_integer(8)) r.next_attempt_at = from_millis(*at);
        // Only a pending recipient waits for a reason.
        if (r.status == RecipientStatus::pending) {
            r.deferred_reason = parse_deferred_reason(s.text(9)).value_or(DeferredReason::none);
        }
        if (!s.is_null(10)) r.variables = variables_from_json(s.text(10));
        call.recipients.push_back(std::move(r));
    }
}

ScheduledCall read_call(const Statement& s) {
    ScheduledCall call;
    call.id = s.text(0);
    call.to_phone_numbers = numbers_from_json(s.text(1));
    call.prompt_id = s.text(2);
    call.scheduled_date_time = from_millis(s.integer(3));
    call.status = parse_call_status(s.text(4)).value_or(CallStatus::failed);
    call.content = s.text(5);
    call.introduction = s.text(6);
    call.created_at = from_millis(s.integer(7));
    call.updated_at = from_millis(s.integer(8));
    if (!s.is_null(9)) call.retry = retry_from_json(s.text(9));
    if (!s.is_null(10)) call.call_window = call_window_from_json(s.text(10));
    call.conversation = conversation_from_json(json::parse(s.text(11)).as_object());
    return call;
}

std::optional<ScheduledCall> find(Connection& c, const std::string& id) {
    std::optional<ScheduledCall> call;
    {
        Statement s(c, std::string(kColumns) + " WHERE id = ?");
        s.bind(1, id);
        if (!s.step()) return std::nullopt;
        call = read_call(s);
    }
    load_recipients(c, *call);
    return call;
}

// The key column holds owner and key: a key is visible ASCII, so the line feed cannot occur in it.
std::string stored_key(const IdempotencyKey& key) { return key.owner + "\n" + key.key; }

// Recipients are (re)written whole: on creation and when a pending call's list is replaced.
void insert_recipients(Connection& c, const std::string& call_id, const std::vector<Recipient>& recipients,
                       TimePoint next_attempt_at) {
    Statement s(c,
                "INSERT INTO recipients (scheduledCallId, position, phoneNumber, status, attempt, nextAttemptAt, "
                "updatedAt, variables) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    for (std::size_t i = 0; i < recipients.size(); ++i) {
        const auto& r = recipients[i];
        s.bind(1, call_id).bind(2, static_cast<std::int64_t>(i)).bind(3, r.phone_number);
        s.bind(4, to_string(r.status)).bind(5, std::int64_t{r.attempt}).bind(6, to_millis(next_attempt_at));
        s.bind(7, to_millis(r.updated_at));
        bind_optional_text(s, 8, variables_to_json(r.variables));
        s.run();
        s.reset();
    }
}

class SqliteScheduledCallRepository final : public ScheduledCallRepository {
public:
    SqliteScheduledCallRepository(WriteQueue& writer, ReadPool& readers) : writer_(writer), readers_(readers) {}

    CreateOutcome create(const ScheduledCall& call, const std::optional<IdempotencyKey>& key) override {
        return writer_.run_bulk([&](Connection& c) -> CreateOutcome {
            if (key) {
                {
                    Statement expire(c, "DELETE FROM idempotency_keys WHERE key = ? AND createdAt < ?");
                    expire.bind(1, stored_key(*key)).bind(2, to_millis(key->expired_before)).run();
                }
                std::optional<std::pair<std::string, std::string>> existing;
                {
                    Statement s(c, "SELECT requestHash, scheduledCallId FROM idempotency_keys WHERE key = ?");
                    s.bind(1, stored_key(*key));
                    if (s.step()) existing.emplace(s.text(0), s.text(1));
                }
                if (existing) {
                    if (existing->first != key->request_hash) return {CreateResult::key_conflict, {}};
                    auto original = find(c, existing->second);
                    if (!original) throw StoreFailure("idempotency key names a missing call");
                    return {CreateResult::replayed, std::move(*original)};
                }
            }
            Statement s(c,
                        "INSERT INTO scheduled_calls (id, toPhoneNumbers, promptId, scheduledDateTime, status, "
                        "content, introduction, createdAt, updatedAt, retry, callWindow, conversation) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
            s.bind(1, call.id).bind(2, numbers_to_json(call.to_phone_numbers)).bind(3, call.prompt_id);
            s.bind(4, to_millis(call.scheduled_date_time)).bind(5, to_string(call.status)).bind(6, call.content);
            s.bind(7, call.introduction).bind(8, to_millis(call.created_at)).bind(9, to_millis(call.updated_at));
            bind_optional_text(s, 10, retry_to_json(call.retry));
            bind_optional_text(s, 11, call_window_to_json(call.call_window));
            s.bind(12, json::serialize(conversation_to_json(call.conversation)));
            s.run();
            insert_recipients(c, call.id, call.recipients, call.scheduled_date_time);
            if (key) {
                Statement k(c, "INSERT INTO idempotency_keys (key, requestHash, scheduledCallId, createdAt) "
                               "VALUES (?, ?, ?, ?)");
                k.bind(1, stored_key(*key)).bind(2, key->request_hash).bind(3, call.id).bind(4, to_millis(call.created_at)).run();
            }
            auto created = call;
            for (auto& r : created.recipients) r.next_attempt_at = call.scheduled_date_time;
            return {CreateResult::created, std::move(created)};
        });
    }

    std::size_t forget_idempotency_keys(TimePoint created_before) override {
        return writer_.run_bulk([&](Connection& c) {
            Statement s(c, "DELETE FROM idempotency_keys WHERE createdAt < ?");
            s.bind(1, to_millis(created_before)).run();
            return static_cast<std::size_t>(c.changes());
        });
    }

    std::optional<ScheduledCall> get(const std::string& id) override {
        return readers_.run([&](Connection& c) { return find(c, id); });
    }

    Page<ScheduledCall> list(const ScheduledCallQuery& q) override {
        Filter filter;
        if (q.status) filter.add("status = ?", std::string(to_string(*q.status)));
        if (q.scheduled_from) filter.add("scheduledDateTime >= ?", to_millis(*q.scheduled_from));
        if (q.scheduled_to) filter.add("scheduledDateTime < ?", to_millis(*q.scheduled_to));
        filter.after(q.page);
        return readers_.run([&](Connection& c) {
            std::vector<ScheduledCall> items;
            {
                Statement s(c, filter.sql(kColumns));
                filter.bind(s);
                while (s.step()) items.push_back(read_call(s));
            }
            for (auto& call : items) load_recipients(c, call);
            return finish_page(std::move(items), q.page);
        });
    }

    ChangeOutcome cancel(const std::string& id, TimePoint now) override {
        return writer_.run([&](Connection& c) -> ChangeOutcome {
            auto call = find(c, id);
            if (!call) return {ChangeResult::not_found, std::nullopt};
            if (call->status == CallStatus::completed || call->status == CallStatus::failed) {
                return {ChangeResult::wrong_state, std::move(call)};
            }
            if (call->status == CallStatus::canceled) return {ChangeResult::changed, std::move(call)};
            // Recipients being dialed keep their state (the dispatcher finishes them under its
            // lease); none is due again, so no redial follows either.
            Statement r(c, "UPDATE recipients SET status = CASE status WHEN 'pending' THEN 'canceled' ELSE status END, "
                           "updatedAt = CASE status WHEN 'pending' THEN ? ELSE updatedAt END, nextAttemptAt = NULL, "
                           "deferredReason = '' WHERE scheduledCallId = ?");
            r.bind(1, to_millis(now)).bind(2, id).run();
            Statement s(c, "UPDATE scheduled_calls SET status = 'canceled', updatedAt = ? WHERE id = ?");
            s.bind(1, to_millis(now)).bind(2, id).run();
            return {ChangeResult::changed, find(c, id)};
        });
    }

    ChangeOutcome update_pending(const std::string& id, const ScheduledCallPatch& patch, TimePoint now) override {
        return writer_.run_bulk([&](Connection& c) -> ChangeOutcome {
            auto call = find(c, id);
            if (!call) return {ChangeResult::not_found, std::nullopt};
            bool untouched = call->status == CallStatus::pending;
            for (const auto& r : call->recipients) {
                untouched = untouched && r.status == RecipientStatus::pending && r.attempt == 0;
            }
            if (!untouched) return {ChangeResult::wrong_state, std::move(call)};

            auto when = patch.scheduled_date_time.value_or(call->scheduled_date_time);
            if (patch.to_phone_numbers) {
                call->to_phone_numbers = *patch.to_phone_numbers;
                call->recipients = with_numbers(call->recipients, call->to_phone_numbers, now);
                Statement d(c, "DELETE FROM recipients WHERE scheduledCallId = ?");
                d.bind(1, id).run();
                insert_recipients(c, id, call->recipients, when);
            } else {
                // A new due time replaces any deferral (the claim checks the limits again then).
                Statement r(c, "UPDATE recipients SET nextAttemptAt = ?, deferredReason = '', updatedAt = ? "
                               "WHERE scheduledCallId = ?");
                r.bind(1, to_millis(when)).bind(2, to_millis(now)).bind(3, id).run();
            }
            Statement s(c, "UPDATE scheduled_calls SET toPhoneNumbers = ?, scheduledDateTime = ?, updatedAt = ? "
                           "WHERE id = ?");
            s.bind(1, numbers_to_json(call->to_phone_numbers)).bind(2, to_millis(when)).bind(3, to_millis(now));
            s.bind(4, id).run();
            return {ChangeResult::changed, find(c, id)};
        });
    }

private:
    WriteQueue& writer_;
    ReadPool& readers_;
};
}  // namespace

std::unique_ptr<ScheduledCallRepository> make_scheduled_call_repository(WriteQueue& writer, ReadPool& readers) {
    return std::make_unique<SqliteScheduledCallRepository>(writer, readers);
}

}  // namespace va::store::sqlite
