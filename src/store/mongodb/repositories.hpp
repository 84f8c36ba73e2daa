#pragma once
// Internal to store/mongodb: the collections one store works on, and the repositories over them.
#include <memory>

#include "store/mongodb/client.hpp"
#include "store/mongodb/documents.hpp"
#include "store/store.hpp"

namespace va::store::mongodb {

struct Collections {
    Collections(Pool& pool, const std::string& db)
        : prompts(pool, db, kPrompts),
          scheduled_calls(pool, db, kScheduledCalls),
          recipients(pool, db, kRecipients),
          call_logs(pool, db, kCallLogs),
          attempt_logs(pool, db, kAttemptLogs),
          idempotency_keys(pool, db, kIdempotencyKeys),
          answered_calls(pool, db, kAnsweredCalls),
          dispatch_state(pool, db, kDispatchState) {}
    Collection prompts, scheduled_calls, recipients, call_logs, attempt_logs, idempotency_keys, answered_calls,
        dispatch_state;
};

// Creates every index the store's queries need, by name; existing ones are left as they are.
void create_indexes(Collections& c);

// Newest first by (createdAt, _id), after the page's cursor: `filter` with the cursor's condition,
// and the sort and limit (one more than the page's, see finish_page) to find with.
Bson page_filter(Bson filter, const PageRequest& page);
FindOptions page_options(const PageRequest& page);

// The id of the calllogs document of an attempt (at most one per attempt): `proposed` when this
// is the first writer to ask, else the id the first one chose. The choice is a document of its
// own in attempt_logs, written insert-if-absent, so that racing writers (the dispatcher, an early
// status callback, the media stream) converge on one log without a unique secondary index.
std::string attempt_log_id(Collections& c, const std::string& attempt_id, const std::string& proposed);

// The second half of editing a pending call (update_pending): its recipients made again from the
// call's toPhoneNumbers and due at its scheduledDateTime, then thawed. Safe to repeat; the
// dispatcher's sweep runs it for an edit a dead process left frozen.
void finish_edit(Collections& c, const std::string& call_id, TimePoint now);

std::unique_ptr<PromptRepository> make_prompt_repository(Collections& c);
std::unique_ptr<ScheduledCallRepository> make_scheduled_call_repository(Collections& c);
std::unique_ptr<CallLogRepository> make_call_log_repository(Collections& c);
std::unique_ptr<DispatchRepository> make_dispatch_repository(Collections& c);

}  // namespace va::store::mongodb
