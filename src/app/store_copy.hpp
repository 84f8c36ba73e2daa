#pragma once
// `voiceagent store copy --from sqlite:PATH --to mongodb://…`: every prompt, scheduled call (with
// its recipients' state) and call log, ids kept. Insert-if-absent, so it can be run again: a
// second run copies only what is new. Run it with serve stopped: a call being dialed while the
// copy is taken is looked up in Twilio's call list on the new store, never dialed blindly.
// Not copied: Idempotency-Keys (a day's worth), the CallSids answered (their calls are over),
// the day's dial count and the send-slot frontier (they start over).
#include <cstddef>
#include <iosfwd>
#include <string>

#include "store/mongodb/mongo_store.hpp"
#include "store/store.hpp"

namespace va::app {

struct CopyCount {
    std::size_t copied = 0;
    std::size_t present = 0;  // already in the target with that id: left as it was
};

struct CopyReport {
    CopyCount prompts, scheduled_calls, call_logs;
};

CopyReport copy_store(store::Store& from, store::mongodb::MongoStore& to);

// The subcommand: opens both stores, copies, prints what it did; the exit code.
int run_store_copy(const std::string& from, const std::string& to, std::ostream& out, std::ostream& err);

}  // namespace va::app
