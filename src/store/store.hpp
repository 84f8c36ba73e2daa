#pragma once
// Repository interfaces for prompts, scheduled calls and call logs. Calls block: they run on the
// store's worker threads (see net/offload.hpp), never on the network thread. Expected failures are
// return values; an exception means the store itself failed (disk, corruption) and becomes a 500.
// A page starts after a parsed `Cursor` (the API refuses text that is not one); a limit below 1
// is a caller's bug and throws std::invalid_argument.
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "store/dispatch.hpp"
#include "store/model.hpp"

namespace va::store {

class PromptRepository {
public:
    virtual ~PromptRepository() = default;
    // `prompt.id`, `created_at` and `updated_at` are set by the caller.
    virtual void create(const Prompt& prompt) = 0;
    virtual std::optional<Prompt> get(const std::string& id) = 0;
    virtual Page<Prompt> list(const PageRequest& page) = 0;
    // Replaces name, content, introduction and updated_at; nullopt when there is no such prompt.
    virtual std::optional<Prompt> update(const Prompt& prompt) = 0;
    virtual bool remove(const std::string& id) = 0;
};

// An Idempotency-Key is its owner's (which token): the same key from two tokens is two keys.
struct IdempotencyKey {
    std::string owner;
    std::string key;
    std::string request_hash;  // hash of the request body; same key + other hash = conflict
    TimePoint expired_before{};  // a key stored before this is forgotten and may be used afresh
};

enum class CreateResult { created, replayed, key_conflict };

struct CreateOutcome {
    CreateResult result = CreateResult::created;
    ScheduledCall call;  // the new record, or the original one when replayed
};

struct ScheduledCallQuery {
    std::optional<CallStatus> status;
    std::optional<TimePoint> scheduled_from;  // scheduledDateTime >= from
    std::optional<TimePoint> scheduled_to;    // scheduledDateTime < to
    PageRequest page;
};

struct ScheduledCallPatch {
    std::optional<TimePoint> scheduled_date_time;
    std::optional<std::vector<std::string>> to_phone_numbers;  // replaces recipients, all pending
};

enum class ChangeResult { changed, not_found, wrong_state };

struct ChangeOutcome {
    ChangeResult result = ChangeResult::changed;
    std::optional<ScheduledCall> call;  // the record after the change (also set for wrong_state)
};

class ScheduledCallRepository {
public:
    virtual ~ScheduledCallRepository() = default;
    // Atomic: with a key, either the call and the key are stored together, or the call that
    // already holds the key is returned (replayed), or key_conflict when its hash differs.
    virtual CreateOutcome create(const ScheduledCall& call, const std::optional<IdempotencyKey>& key) = 0;
    // The idempotency keys stored before `created_before` (the hourly sweep); how many went.
    virtual std::size_t forget_idempotency_keys(TimePoint created_before) = 0;
    virtual std::optional<ScheduledCall> get(const std::string& id) = 0;
    virtual Page<ScheduledCall> list(const ScheduledCallQuery& query) = 0;
    // Recipients still `pending` become `canceled`; the call becomes `canceled`; no recipient is due
    // for another attempt. Recipients being dialed keep their state.
    // wrong_state when the call is completed or failed; canceling a canceled call changes nothing.
    virtual ChangeOutcome cancel(const std::string& id, TimePoint now) = 0;
    // Only while the call is `pending` and no recipient has been dialed; else wrong_state.
    virtual ChangeOutcome update_pending(const std::string& id, const ScheduledCallPatch& patch, TimePoint now) = 0;
};

struct CallLogQuery {
    std::optional<std::string> scheduled_call_id;
    std::optional<std::string> phone_number;  // matches `to` (E.164)
    std::optional<std::string> status;
    PageRequest page;
};

// A Media Stream started for a call (see CallLogRepository::record_stream_start).
struct StreamStart {
    std::string attempt_id;  // a dispatched call: its attempt's record (created here if still missing)
    std::string log_id;      // an inbound call: the record its webhook created; else the id for a new record
    std::string scheduled_call_id, to, from;  // for a record created here
    std::string call_sid, stream_sid;
    TimePoint at{};
    std::string content = {}, introduction = {};  // what the agent is told and says on this call (CallLog)
};

class CallLogRepository {
public:
    virtual ~CallLogRepository() = default;
    virtual void create(const CallLog& log) = 0;
    // Our voice webhook answers `call_sid` with a stream: true the first time for that CallSid,
    // false ever after (Twilio asked again, or a replay), and the caller then hangs up instead of
    // handing out a second stream token.
    virtual bool record_answer(const std::string& call_sid, TimePoint at) = 0;
    // Attaches the stream to the call's record, once: true when the record had no stream yet, false
    // when one was already attached (a replayed stream token) or, for an inbound call, there is no
    // such record. A dispatched call's record is created if the dispatcher has not written it yet.
    virtual bool record_stream_start(const StreamStart& start) = 0;
    // The stream ended at `at`: sets streamEndedAt and the stream's duration, once. False when no
    // record holds `stream_sid` or its end is already recorded.
    virtual bool record_stream_end(const std::string& stream_sid, TimePoint at) = 0;
    // The conversation on `stream_sid` so far: replaces the transcript and the engines. False when
    // no record holds the stream.
    virtual bool record_conversation(const std::string& stream_sid, const std::vector<TranscriptTurn>& transcript,
                                     const ConversationEngines& engines, TimePoint at) = 0;
    virtual std::optional<CallLog> get(const std::string& id) = 0;
    virtual Page<CallLog> list(const CallLogQuery& query) = 0;
};

// A write the store cannot take now: its queue of bulk writes is full. Nothing was written; the
// caller may retry shortly (the API answers 503 with Retry-After).
class Busy : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The store cannot be reached (a network store down, or past --store-timeout-ms). Nothing is known
// to have been written; the API answers 503 store_unavailable, the dispatcher pauses.
class Unavailable : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// What --retention-days takes from finished calls (and their call logs) that last changed before
// `before`: the transcripts, and all but the last 4 digits of every phone number. A call with a
// recipient dialed at or after `cooldown_since` keeps its numbers: the per-number cooldown reads
// them. Each record is purged once; the work goes in batches of `batch`, so that other writes
// wait for one batch at most.
struct PurgeRequest {
    TimePoint before{};
    TimePoint cooldown_since{};
    TimePoint now{};
    std::size_t batch = 500;
};
struct PurgeResult {
    std::size_t scheduled_calls = 0;
    std::size_t call_logs = 0;
    bool operator==(const PurgeResult&) const = default;
};

class Store {
public:
    virtual ~Store() = default;
    virtual PromptRepository& prompts() = 0;
    virtual ScheduledCallRepository& scheduled_calls() = 0;
    virtual CallLogRepository& call_logs() = 0;
    virtual DispatchRepository& dispatch() = 0;
    // True when the store answers a trivial query (for /readyz).
    virtual bool ping() = 0;
    virtual PurgeResult purge_finished(const PurgeRequest& request) = 0;
};

}  // namespace va::store
