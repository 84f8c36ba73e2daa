#pragma once
// A store that can go down: it passes every call to the real one until down() is set, then
// throws store::Unavailable as a MongoDB store does during an outage. Prompts and dispatch pass
// through (the call endpoints do not use them).
#include <atomic>
#include <memory>

#include "store/store.hpp"

namespace va::call::test {

class OutageStore final : public store::Store {
public:
    explicit OutageStore(std::unique_ptr<store::Store> inner) : inner_(std::move(inner)), calls_(*this), logs_(*this) {}
    std::atomic<bool> down{false};

    store::PromptRepository& prompts() override { return inner_->prompts(); }
    store::ScheduledCallRepository& scheduled_calls() override { return calls_; }
    store::CallLogRepository& call_logs() override { return logs_; }
    store::DispatchRepository& dispatch() override { return inner_->dispatch(); }
    bool ping() override { return !down && inner_->ping(); }
    store::PurgeResult purge_finished(const store::PurgeRequest& r) override { return inner_->purge_finished(r); }

private:
    void check() const {
        if (down) throw store::Unavailable("No suitable servers found: `serverSelectionTimeoutMS` expired");
    }

    struct Calls final : store::ScheduledCallRepository {
        explicit Calls(OutageStore& s) : s_(s) {}
        store::ScheduledCallRepository& in() const { return s_.check(), s_.inner_->scheduled_calls(); }
        store::CreateOutcome create(const store::ScheduledCall& c, const std::optional<store::IdempotencyKey>& k) override {
            return in().create(c, k);
        }
        std::size_t forget_idempotency_keys(store::TimePoint t) override { return in().forget_idempotency_keys(t); }
        std::optional<store::ScheduledCall> get(const std::string& id) override { return in().get(id); }
        store::Page<store::ScheduledCall> list(const store::ScheduledCallQuery& q) override { return in().list(q); }
        store::ChangeOutcome cancel(const std::string& id, store::TimePoint now) override { return in().cancel(id, now); }
        store::ChangeOutcome update_pending(const std::string& id, const store::ScheduledCallPatch& p,
                                            store::TimePoint now) override {
            return in().update_pending(id, p, now);
        }
        OutageStore& s_;
    };

    struct Logs final : store::CallLogRepository {
        explicit Logs(OutageStore& s) : s_(s) {}
        store::CallLogRepository& in() const { return s_.check(), s_.inner_->call_logs(); }
        void create(const store::CallLog& l) override { in().create(l); }
        bool record_answer(const std::string& sid, store::TimePoint at) override { return in().record_answer(sid, at); }
        bool record_stream_start(const store::StreamStart& st) override { return in().record_stream_start(st); }
        bool record_stream_end(const std::string& sid, store::TimePoint at) override { return in().record_stream_end(sid, at); }
        bool record_conversation(const std::string& sid, const std::vector<store::TranscriptTurn>& t,
                                 const store::ConversationEngines& e, store::TimePoint at) override {
            return in().record_conversation(sid, t, e, at);
        }
        std::optional<store::CallLog> get(const std::string& id) override { return in().get(id); }
        store::Page<store::CallLog> list(const store::CallLogQuery& q) override { return in().list(q); }
        OutageStore& s_;
    };

    std::unique_ptr<store::Store> inner_;
    Calls calls_;
    Logs logs_;
};

}  // namespace va::call::test
