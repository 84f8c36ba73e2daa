#include "llm/sse.hpp"

namespace va::llm {

namespace {
constexpr std::string_view kBom = "\xEF\xBB\xBF";
}

SseParser::SseParser(std::size_t max_event_bytes) : max_event_bytes_(max_event_bytes) {}

bool SseParser::feed(std::string_view bytes, std::vector<SseEvent>& events) {
    if (!error_.empty()) return false;
    // The stream may start with a UTF-8 BOM, which is not part of the first line. It can arrive
    // split too, so match it byte by byte and give back what turns out not to be one.
    while (!started_ && !bytes.empty()) {
        if (bytes.front() == kBom[bom_seen_]) {
            bytes.remove_prefix(1);
            if (++bom_seen_ == kBom.size()) started_ = true;
            continue;
        }
        started_ = true;
        consume(kBom.substr(0, bom_seen_), events);
    }
    if (!bytes.empty()) consume(bytes, events);
    return error_.empty();
}

void SseParser::consume(std::string_view bytes, std::vector<SseEvent>& events) {
    while (!bytes.empty() && error_.empty()) {
        if (skip_lf_) {
            skip_lf_ = false;
            if (bytes.front() == '\n') {  // the second half of a CRLF, maybe in a later read
                bytes.remove_prefix(1);
                continue;
            }
        }
        auto end = bytes.find_first_of("\r\n");
        auto piece = bytes.substr(0, end);
        if (pending_bytes() + piece.size() > max_event_bytes_) {
            error_ = "event stream: an event exceeds " + std::to_string(max_event_bytes_) + " bytes";
            return;
        }
        line_.append(piece);
        if (end == std::string_view::npos) return;  // the line goes on in the next read
        skip_lf_ = bytes[end] == '\r';
        bytes.remove_prefix(end + 1);
        process_line(events);
    }
}

void SseParser::process_line(std::vector<SseEvent>& events) {
    if (line_.empty()) {
        dispatch(events);
        return;
    }
    if (line_.front() == ':') {  // a comment (servers send them as keep-alives)
        line_.clear();
        return;
    }
    std::string_view line = line_;
    std::string_view field = line;
    std::string_view value;
    if (auto colon = line.find(':'); colon != std::string_view::npos) {
        field = line.substr(0, colon);
        value = line.substr(colon + 1);
        if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    }
    if (field == "data") {
        data_.append(value);
        data_.push_back('\n');
    } else if (field == "event") {
        type_.assign(value);
    } else if (field == "id") {
        if (value.find('\0') == std::string_view::npos) last_id_.assign(value);
    }
    // "retry" sets a reconnection delay, which means nothing to a one-shot request; other
    // fields are ignored by the standard.
    line_.clear();
    if (pending_bytes() > max_event_bytes_)
        error_ = "event stream: an event exceeds " + std::to_string(max_event_bytes_) + " bytes";
}

void SseParser::dispatch(std::vector<SseEvent>& events) {
    if (data_.empty()) {  // no data field: nothing to deliver, and the type does not carry over
        type_.clear();
        return;
    }
    data_.pop_back();  // the "\n" after the last data line
    SseEvent event;
    if (!type_.empty()) event.type = std::move(type_);
    event.data = std::move(data_);
    event.id = last_id_;
    events.push_back(std::move(event));
    data_.clear();
    type_.clear();
}

}  // namespace va::llm
