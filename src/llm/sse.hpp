#pragma once
// An incremental text/event-stream (Server-Sent Events) parser, by the WHATWG rules: bytes go in
// as the network hands them over (split anywhere, even inside a CRLF or a UTF-8 sequence), whole
// events come out. It works on bytes: line ends are ASCII, so a split UTF-8 sequence simply waits
// in the line buffer for its other half. Not thread-safe; one parser per response.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace va::llm {

struct SseEvent {
    std::string type = "message";  // the "event:" field, "message" when none was given
    std::string data;              // "data:" lines joined with "\n"
    std::string id;                // the last "id:" seen so far in the stream (it carries over)
};

class SseParser {
public:
    static constexpr std::size_t kDefaultMaxEventBytes = 1024 * 1024;

    // max_event_bytes bounds what one pending event may hold (its data, type and the current
    // line), so a peer that never sends a blank line cannot make us grow forever.
    explicit SseParser(std::size_t max_event_bytes = kDefaultMaxEventBytes);

    // Parses `bytes` and appends every event they complete to `events`. False once the stream is
    // broken (an event over the limit): error() says why, and later calls do nothing.
    bool feed(std::string_view bytes, std::vector<SseEvent>& events);

    // The text of the first failure, "" while none.
    const std::string& error() const { return error_; }

    // Per the standard, an event not ended by a blank line when the stream closes is dropped;
    // this says whether anything is pending (for "the stream ended mid-event" diagnostics).
    bool mid_event() const { return !line_.empty() || !data_.empty() || !type_.empty(); }

private:
    void consume(std::string_view bytes, std::vector<SseEvent>& events);
    void process_line(std::vector<SseEvent>& events);
    void dispatch(std::vector<SseEvent>& events);
    std::size_t pending_bytes() const { return line_.size() + data_.size() + type_.size(); }

    std::size_t max_event_bytes_;
    std::string line_;         // the current line, without its end
    std::string data_;         // data lines so far, each followed by "\n"
    std::string type_;         // the event type buffer
    std::string last_id_;      // the last event ID buffer (survives dispatch)
    bool skip_lf_ = false;     // the previous byte was a CR: an LF right after it ends nothing
    std::size_t bom_seen_ = 0; // how much of a leading UTF-8 BOM has matched so far
    bool started_ = false;     // past the point where a BOM may appear
    std::string error_;
};

}  // namespace va::llm
