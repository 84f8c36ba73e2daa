#include "app/store_copy.hpp"

#include <filesystem>
#include <ostream>

#include "app/store_spec.hpp"

namespace va::app {

namespace {
// Every item of a listing, a page of 200 at a time.
template <typename List, typename Each>
void for_every(List list, Each each) {
    store::PageRequest page;
    page.limit = 200;
    for (;;) {
        auto got = list(page);
        for (const auto& item : got.items) each(item);
        if (!got.next) return;
        page.after = got.next;
    }
}

void count(CopyCount& c, bool copied) { ++(copied ? c.copied : c.present); }
}  // namespace

CopyReport copy_store(store::Store& from, store::mongodb::MongoStore& to) {
    CopyReport report;
    for_every([&](const store::PageRequest& p) { return from.prompts().list(p); },
              [&](const store::Prompt& p) { count(report.prompts, to.import(p)); });
    for_every(
        [&](const store::PageRequest& p) {
            store::ScheduledCallQuery q;
            q.page = p;
            return from.scheduled_calls().list(q);
        },
        [&](const store::ScheduledCall& c) { count(report.scheduled_calls, to.import(c)); });
    for_every(
        [&](const store::PageRequest& p) {
            store::CallLogQuery q;
            q.page = p;
            return from.call_logs().list(q);
        },
        [&](const store::CallLog& l) { count(report.call_logs, to.import(l)); });
    return report;
}

int run_store_copy(const std::string& from, const std::string& to, std::ostream& out, std::ostream& err) {
    try {
        StoreSpec source;
        source.db = from;
        StoreSpec target;
        target.db = to;
        target.timeout = std::chrono::seconds(10);
        if (!to.starts_with("mongodb")) {
            err << "voiceagent store copy: --to must be a mongodb:// connection string\n";
            return 2;
        }
        // Opening a SQLite path creates the file: a source that is not there is a mistake.
        if (from.starts_with("sqlite:") && !std::filesystem::exists(from.substr(7))) {
            err << "voiceagent store copy: --from " << from << ": no such file\n";
            return 2;
        }
        auto opened = [&err](const char* flag, const StoreSpec& spec) -> std::unique_ptr<store::Store> {
            try {
                return open_store(spec, nullptr);
            } catch (const std::invalid_argument& e) {
                err << "voiceagent store copy: " << flag << ": " << e.what() << "\n";
                return nullptr;
            }
        };
        auto source_store = opened("--from", source);
        if (!source_store) return 2;
        auto target_store = opened("--to", target);
        if (!target_store) return 2;
        auto* mongo = static_cast<store::mongodb::MongoStore*>(target_store.get());  // a mongodb:// spec
        if (!source_store->ping() || !mongo->ping()) {
            err << "voiceagent store copy: a store does not answer (from " << redacted(from) << ", to " << redacted(to)
                << ")\n";
            return 1;
        }
        const auto report = copy_store(*source_store, *mongo);
        auto line = [&out](const char* what, const CopyCount& c) {
            out << what << ": " << c.copied << " copied, " << c.present << " already there\n";
        };
        out << "Copied " << redacted(from) << " to " << redacted(to) << "\n";
        line("prompts", report.prompts);
        line("scheduled calls", report.scheduled_calls);
        line("call logs", report.call_logs);
        return 0;
    } catch (const std::invalid_argument& e) {
        err << "voiceagent store copy: " << e.what() << "\n";
        return 2;
    } catch (const std::exception& e) {
        err << "voiceagent store copy: " << e.what() << "\n";
        return 1;
    }
}

}  // namespace va::app
