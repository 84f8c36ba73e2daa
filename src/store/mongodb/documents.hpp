#pragma once
// The records as MongoDB documents, in the collections and field names of the storage contract
// (DESIGN.md): `prompts`, `scheduled_calls` (with the prompt's snapshot inside), `calllogs`, and
// ours beside them: `recipients` (one document per recipient, with its attempts' state),
// `attempt_logs`, `idempotency_keys`, `answered_calls` and `dispatch_state`. `_id`s are ObjectIds; times are BSON
// dates. Readers accept what the original system wrote: missing fields, a promptId stored as an
// ObjectId, a scheduledDateTime stored as a naive ISO string (UTC). Internal to store/mongodb.
#include <string>

#include "store/mongodb/bson.hpp"
#include "store/model.hpp"

namespace va::store::mongodb {

inline constexpr const char* kPrompts = "prompts";
inline constexpr const char* kScheduledCalls = "scheduled_calls";
inline constexpr const char* kCallLogs = "calllogs";
inline constexpr const char* kRecipients = "recipients";
inline constexpr const char* kAttemptLogs = "attempt_logs";
inline constexpr const char* kIdempotencyKeys = "idempotency_keys";
inline constexpr const char* kAnsweredCalls = "answered_calls";
inline constexpr const char* kDispatchState = "dispatch_state";

// The `_id` of a record whose id we chose (an ObjectId's hex). An id that is not one matches
// nothing: `{_id: <this>}` finds no document.
Bson id_filter(const std::string& id);
// {field: id} matching the id as text or as an ObjectId (the original system wrote either).
Bson reference_filter(const char* field, const std::string& id);

// A recipient's `_id`: derived from (scheduled call, position), so that creating the recipients
// again (a retry, a crash half-way, the claim of an original-system call) inserts nothing twice.
ObjectId recipient_id(const std::string& scheduled_call_id, int position);

Bson prompt_document(const Prompt& prompt);
Prompt prompt_from(const View& doc);

// The scheduled call without its recipients (they are documents of their own).
Bson scheduled_call_document(const ScheduledCall& call);
ScheduledCall scheduled_call_from(const View& doc);
// A call's recipients' variables, kept on the call document too (`recipientVariables`, beside
// toPhoneNumbers, only when some recipient has any): the source its recipient documents are made
// from after a crash or an edit, as toPhoneNumbers is for their numbers.
Array variables_array(const std::vector<core::Variables>& variables);
bool any_variables(const std::vector<core::Variables>& variables);
// One per toPhoneNumbers entry (none where the document has fewer).
std::vector<core::Variables> recipient_variables(const View& call_doc, std::size_t recipients);

// A recipient as `recipient` says (a new one, or one copied from another store), due at `due`
// (none: not due until given a time). Without its _id and fence.
Bson recipient_fields(const std::string& scheduled_call_id, int position, const Recipient& recipient,
                      std::optional<TimePoint> due);
// The same with its _id and a fence of 0.
Bson recipient_document(const std::string& scheduled_call_id, int position, const Recipient& recipient,
                        std::optional<TimePoint> due);
Recipient recipient_from(const View& doc);

Bson call_log_document(const CallLog& log);
CallLog call_log_from(const View& doc);
Array transcript_array(const std::vector<TranscriptTurn>& turns);
Bson engines_document(const ConversationEngines& engines);

}  // namespace va::store::mongodb
