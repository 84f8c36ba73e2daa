// Scheduled calls and their recipients without a multi-document transaction: every step is a
// single-document write, insert-if-absent on a deterministic _id, or a conditional update, in an
// order that leaves nothing dialable half-written (see README.md, "Writing without transactions").
#include <map>

#include "store/mongodb/repositories.hpp"

namespace va::store::mongodb {

namespace {
Bson recipients_of(const std::string& call_id) { return doc("scheduledCallId", call_id); }

FindOptions by_position() {
    FindOptions options;
    options.sort = doc("position", 1);
    return options;
}

// The recipients of a call, in position order. A call the original system wrote has no recipient
// documents until the dispatcher first claims it: until then they read as what its status says.
void attach_recipients(ScheduledCall& call, const std::vector<Bson>& docs) {
    call.recipients.clear();
    for (const auto& d : docs) call.recipients.push_back(recipient_from(View(d.get())));
    if (!call.recipients.empty()) return;
    for (const auto& n : call.to_phone_numbers) {
        auto r = new_recipient(n, call.updated_at);
        if (call.status == CallStatus::pending) {
            r.next_attempt_at = call.scheduled_date_time;
        } else if (call.status == CallStatus::in_progress) {
            r.status = RecipientStatus::unknown;  // it may have been dialed
        } else {
            r.status = call.status == CallStatus::canceled ? RecipientStatus::canceled : RecipientStatus::failed;
        }
        call.recipients.push_back(std::move(r));
    }
}

bool untouched(const ScheduledCall& call) {
    if (call.status != CallStatus::pending) return false;
    for (const auto& r : call.recipients) {
        if (r.status != RecipientStatus::pending || r.attempt != 0) return false;
    }
    return true;
}

Bson untouched_recipients(const std::string& call_id) {
    return doc("scheduledCallId", call_id, "status", "pending", "attempt", 0);
}

class MongoScheduledCallRepository final : public ScheduledCallRepository {
public:
    explicit MongoScheduledCallRepository(Collections& c) : c_(c) {}

    CreateOutcome create(const ScheduledCall& call, const std::optional<IdempotencyKey>& key) override {
        if (!key) return {CreateResult::created, write_new(call)};
        const auto key_id = derived_id({"idempotency-key", key->owner, key->key});
        c_.idempotency_keys.delete_many(doc("_id", key_id, "createdAt", doc("$lt", key->expired_before)));
        // The key is taken first: of two requests racing with one key, one inserts it and creates
        // its call; the other finds the key and the call it names.
        auto held = doc("_id", key_id, "requestHash", key->request_hash, "scheduledCallId", call.id, "createdAt",
                        call.created_at);
        if (c_.idempotency_keys.insert_one(held)) return {CreateResult::created, write_new(call)};
        auto existing = c_.idempotency_keys.find_one(doc("_id", key_id));
        if (!existing) return create(call, key);  // forgotten in between: take it again
        View k(existing->get());
        if (k.text("requestHash") != key->request_hash) return {CreateResult::key_conflict, {}};
        if (auto original = get(k.text("scheduledCallId"))) return {CreateResult::replayed, std::move(*original)};
        // The request that holds the key has not written its call yet (or died before it did).
        // Same key and hash, same request: finish it under the id it chose.
        auto adopted = call;
        adopted.id = k.text("scheduledCallId");
        write_new(adopted);
        return {CreateResult::replayed, *get(adopted.id)};
    }

    std::size_t forget_idempotency_keys(TimePoint created_before) override {
        return static_cast<std::size_t>(c_.idempotency_keys.delete_many(doc("createdAt", doc("$lt", created_before))));
    }

    std::optional<ScheduledCall> get(const std::string& id) override {
        auto found = c_.scheduled_calls.find_one(id_filter(id));
        if (!found) return std::nullopt;
        auto call = scheduled_call_from(View(found->get()));
        attach_recipients(call, c_.recipients.find(recipients_of(call.id), by_position()));
        return call;
    }

    Page<ScheduledCall> list(const ScheduledCallQuery& q) override {
        Bson filter;
        if (q.status) filter.append("status", to_string(*q.status));
        if (q.scheduled_from || q.scheduled_to) {
            Bson range;
            if (q.scheduled_from) range.append("$gte", *q.scheduled_from);
            if (q.scheduled_to) range.append("$lt", *q.scheduled_to);
            filter.append("scheduledDateTime", range);
        }
        std::vector<ScheduledCall> items;
        Array ids;
        for (const auto& d : c_.scheduled_calls.find(page_filter(std::move(filter), q.page), page_options(q.page))) {
            items.push_back(scheduled_call_from(View(d.get())));
            ids.push(items.back().id);
        }
        // One query for the page's recipients.
        std::map<std::string, std::vector<Bson>> recipients;
        if (!items.empty()) {
            Bson in;
            in.append_array("$in", ids.bson());
            FindOptions options;
            options.sort = doc("scheduledCallId", 1, "position", 1);
            for (auto& d : c_.recipients.find(doc("scheduledCallId", in), options)) {
                auto id = View(d.get()).text("scheduledCallId");
                recipients[id].push_back(std::move(d));
            }
        }
        for (auto& call : items) attach_recipients(call, recipients[call.id]);
        return finish_page(std::move(items), q.page);
    }

    ChangeOutcome cancel(const std::string& id, TimePoint now) override {
        auto call = get(id);
        if (!call) return {ChangeResult::not_found, std::nullopt};
        if (call->status == CallStatus::completed || call->status == CallStatus::failed) {
            return {ChangeResult::wrong_state, std::move(call)};
        }
        if (call->status != CallStatus::canceled) {
            // The call first: a claim reads its call after taking a recipient, and gives back a
            // recipient of a canceled call instead of dialing it.
            auto filter = id_filter(id);
            filter.append("status", any_of({"pending", "in_progress"}));
            c_.scheduled_calls.update_one(filter, doc("$set", doc("status", "canceled", "updatedAt", now)));
            if (auto after = get(id); after && after->status != CallStatus::canceled) {
                return {ChangeResult::wrong_state, std::move(after)};  // it finished in between
            }
        }
        // Then the recipients: pending ones are canceled; none is due again. Recipients being
        // dialed keep their state (the dispatcher finishes them under its lease).
        // (A redial or a window deferral decided before the call was canceled may make one pending
        // again after this; its claim then finds the call canceled and ends it canceled.)
        c_.recipients.update_many(doc("scheduledCallId", id, "status", "pending"),
                                  doc("$set", doc("status", "canceled", "updatedAt", now, "nextAttemptAt", nullptr,
                                                  "deferredReason", "")));
        return {ChangeResult::changed, get(id)};
    }

    ChangeOutcome update_pending(const std::string& id, const ScheduledCallPatch& patch, TimePoint now) override {
        auto call = get(id);
        if (!call) return {ChangeResult::not_found, std::nullopt};
        if (!untouched(*call)) return {ChangeResult::wrong_state, std::move(call)};
        // Freeze: a recipient with no due time cannot be claimed. Then check that no claim took
        // one before the freeze; if one did, thaw the rest and refuse.
        c_.recipients.update_many(untouched_recipients(id), doc("$set", doc("nextAttemptAt", nullptr, "frozenAt", now)));
        auto frozen = get(id);
        if (!frozen || !untouched(*frozen)) {
            finish_edit(c_, id, now);
            return {ChangeResult::wrong_state, std::move(frozen)};
        }
        // The call first: it is what finish_edit() makes the recipients from, here or, if this
        // process dies half-way, in the dispatcher's sweep.
        Array numbers;
        for (const auto& n : patch.to_phone_numbers.value_or(call->to_phone_numbers)) numbers.push(n);
        auto set = doc("scheduledDateTime", patch.scheduled_date_time.value_or(call->scheduled_date_time), "updatedAt", now);
        set.append_array("toPhoneNumbers", numbers.bson());
        // A number still on the list keeps its variables.
        std::vector<core::Variables> variables;
        for (auto& r : with_numbers(frozen->recipients, patch.to_phone_numbers.value_or(call->to_phone_numbers), now))
            variables.push_back(std::move(r.variables));
        if (any_variables(variables)) set.append_array("recipientVariables", variables_array(variables).bson());
        auto update = doc("$set", set);
        if (!any_variables(variables)) update.append("$unset", doc("recipientVariables", ""));
        auto filter = id_filter(id);
        filter.append("status", "pending");
        const bool changed = c_.scheduled_calls.update_one(filter, update).matched == 1;
        finish_edit(c_, id, now);
        return {changed ? ChangeResult::changed : ChangeResult::wrong_state, get(id)};
    }

private:
    // The call document, then its recipients (insert-if-absent on their derived _ids), then the
    // mark that they are all there. A crash in between leaves a call the dispatcher's sweep
    // finishes from toPhoneNumbers, as it does for the original system's calls.
    ScheduledCall write_new(const ScheduledCall& call) {
        c_.scheduled_calls.insert_one(scheduled_call_document(call));
        for (std::size_t i = 0; i < call.recipients.size(); ++i) {
            c_.recipients.insert_one(recipient_document(call.id, static_cast<int>(i), call.recipients[i],
                                                        call.scheduled_date_time));
        }
        c_.scheduled_calls.update_one(id_filter(call.id), doc("$set", doc("recipientsCreatedAt", call.created_at)));
        auto created = call;
        for (auto& r : created.recipients) r.next_attempt_at = call.scheduled_date_time;
        return created;
    }

    Collections& c_;
};
}  // namespace

void finish_edit(Collections& c, const std::string& call_id, TimePoint now) {
    auto found = c.scheduled_calls.find_one(id_filter(call_id));
    if (!found) return;
    const auto call = scheduled_call_from(View(found->get()));
    if (call.status == CallStatus::pending) {
        // Positions keep their _ids: each is rewritten whole, still frozen, unless a claim has
        // it (then the insert meets its _id and writes nothing); the ones past the list go. The
        // variables come from the call, as the numbers do, so a rerun after a crash makes the same.
        const auto variables = recipient_variables(View(found->get()), call.to_phone_numbers.size());
        for (std::size_t i = 0; i < call.to_phone_numbers.size(); ++i) {
            const int position = static_cast<int>(i);
            auto fresh = recipient_fields(call_id, position, new_recipient(call.to_phone_numbers[i], now, variables[i]),
                                          std::nullopt);
            fresh.append("frozenAt", now);
            c.recipients.update_one(doc("_id", recipient_id(call_id, position), "status", "pending", "attempt", 0),
                                    doc("$set", fresh, "$setOnInsert", doc("fence", 0L)), true);
        }
        const auto past = static_cast<int>(call.to_phone_numbers.size());
        c.recipients.delete_many(doc("scheduledCallId", call_id, "position", doc("$gte", past), "status", "pending"));
    }
    c.recipients.update_many(doc("scheduledCallId", call_id, "status", "pending", "frozenAt", doc("$exists", true)),
                             doc("$set", doc("nextAttemptAt", call.scheduled_date_time, "deferredReason", "", "updatedAt", now),
                                 "$unset", doc("frozenAt", "")));
}

std::unique_ptr<ScheduledCallRepository> make_scheduled_call_repository(Collections& c) {
    return std::make_unique<MongoScheduledCallRepository>(c);
}

}  // namespace va::store::mongodb
