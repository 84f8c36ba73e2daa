#include "conversation/store_transcripts.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <spdlog/spdlog.h>

namespace va::conversation {

namespace {

class StoreTranscripts final : public TranscriptSink {
public:
    StoreTranscripts(store::Store& store, boost::asio::thread_pool& pool) : store_(store), strand_(pool.get_executor()) {}

    void save(ConversationRecord record) override {
        boost::asio::post(strand_, [&store = store_, record = std::move(record)] {
            try {
                if (!store.call_logs().record_conversation(record.stream_sid, record.transcript, record.engines, record.at)) {
                    spdlog::warn("stream {}: no call log to hold its transcript", record.stream_sid);
                }
            } catch (const std::exception& e) {
                spdlog::error("stream {}: the transcript cannot be saved: {}", record.stream_sid, e.what());
            }
        });
    }

private:
    store::Store& store_;
    boost::asio::strand<boost::asio::thread_pool::executor_type> strand_;
};

}  // namespace

std::unique_ptr<TranscriptSink> make_store_transcripts(store::Store& store, boost::asio::thread_pool& pool) {
    return std::make_unique<StoreTranscripts>(store, pool);
}

}  // namespace va::conversation
