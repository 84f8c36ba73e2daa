#include "call/playout.hpp"

#include <algorithm>

namespace va::call {

namespace {
constexpr std::size_t kBytesPerMs = 8;  // μ-law at 8 kHz
constexpr std::size_t kFrameBytes = 160;  // 20 ms

std::chrono::milliseconds duration_of(std::size_t bytes) {
    return std::chrono::milliseconds(static_cast<long long>(bytes / kBytesPerMs));
}
}  // namespace

Playout::Playout(PlayoutOptions options) : options_(options) {
    options_.chunk = std::max(options_.chunk, std::chrono::milliseconds(20));
    options_.lead = std::max(options_.lead, options_.chunk);
}

Playout::Pending& Playout::open(UtteranceId id) {
    if (pending_.empty() || pending_.back().id != id || pending_.back().finished) pending_.push_back({id, {}, {}, 0, false});
    return pending_.back();
}

void Playout::queue(UtteranceId id, std::span<const std::uint8_t> mulaw) {
    if (mulaw.empty() || cut_.contains(id)) return;
    auto& p = open(id);
    if (p.shared) {  // more audio after shared audio: from here on the utterance's own copy
        p.own.assign(p.shared->begin(), p.shared->end());
        p.shared.reset();
    }
    p.own.insert(p.own.end(), mulaw.begin(), mulaw.end());
}

void Playout::queue(UtteranceId id, std::shared_ptr<const std::vector<std::uint8_t>> mulaw) {
    if (!mulaw || mulaw->empty() || cut_.contains(id)) return;
    auto& p = open(id);
    if (p.own.empty() && !p.shared) {
        p.shared = std::move(mulaw);
    } else {
        queue(id, std::span<const std::uint8_t>(*mulaw));
    }
}

void Playout::finish(UtteranceId id) {
    if (cut_.contains(id)) return;
    open(id).finished = true;
}

Playout::Step Playout::pump(timing::SteadyTime now) {
    Step step;
    if (buffer_end_ < now) buffer_end_ = now;  // Twilio ran dry (or never started): it plays from now
    if (held_) return step;  // hold(false) pumps again
    const std::size_t chunk_bytes = static_cast<std::size_t>(options_.chunk.count()) * kBytesPerMs / kFrameBytes *
                                    kFrameBytes;
    while (!pending_.empty()) {
        auto& p = pending_.front();
        const auto audio = p.audio();
        const std::size_t n = std::min(chunk_bytes, audio.size() - p.sent);
        if (n > 0 && buffer_end_ - now + duration_of(n) > options_.lead) break;  // Twilio holds enough
        if (playing_ != p.id) {
            playing_ = p.id;
            playing_sent_ = playing_heard_ = std::chrono::milliseconds(0);
        }
        if (n > 0) {
            const auto piece = audio.subspan(p.sent, n);
            step.messages.push_back(twilio::OutboundMedia{{piece.begin(), piece.end()}});
            p.sent += n;
            playing_sent_ += duration_of(n);
            buffer_end_ += duration_of(n);
        }
        const bool done = p.sent == audio.size();
        if (done && !p.finished) {
            // Everything queued so far is out; more of this utterance may come.
            if (n > 0) {
                Played played{p.id, playing_sent_, false};
                marks_.push_back({std::to_string(p.id) + ":" + std::to_string(playing_sent_.count()), played, buffer_end_});
                step.messages.push_back(twilio::OutboundMark{marks_.back().name});
            }
            pending_.pop_front();
            continue;
        }
        if (n > 0 || done) {
            Played played{p.id, playing_sent_, done};
            marks_.push_back({std::to_string(p.id) + ":" + std::to_string(playing_sent_.count()) + (done ? ":end" : ""),
                              played, buffer_end_});
            step.messages.push_back(twilio::OutboundMark{marks_.back().name});
        }
        if (done) pending_.pop_front();
    }
    if (!pending_.empty()) step.next = buffer_end_ - options_.lead + options_.chunk;
    if (step.next && *step.next <= now) step.next = now + std::chrono::milliseconds(1);
    return step;
}

std::vector<Played> Playout::interrupt(timing::SteadyTime now) {
    // Every utterance with marks not yet echoed was playing or queued at Twilio: the clock says
    // how far it got (a mark plays at `plays_at`; the one in progress is part-way).
    std::vector<Played> cut;
    auto entry = [&](UtteranceId id) -> Played& {
        auto it = std::find_if(cut.begin(), cut.end(), [&](const Played& p) { return p.id == id; });
        // Twilio's own word (echoed marks) is the floor for the utterance playing now.
        return it != cut.end() ? *it
                               : cut.emplace_back(Played{id, id == playing_ ? playing_heard_ : std::chrono::milliseconds(0), false});
    };
    for (std::size_t i = dropped_marks_; i < marks_.size(); ++i) {
        const auto& m = marks_[i];
        auto& played = entry(m.played.id);
        if (m.plays_at <= now) {
            played.heard = std::max(played.heard, m.played.heard);
            played.finished = m.played.finished;
        } else {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(m.plays_at - now);
            played.heard = std::max(played.heard, m.played.heard - left);
        }
    }
    for (const auto& p : pending_) entry(p.id);
    for (const auto& played : cut) {
        if (!played.finished) cut_.insert(played.id);
    }
    pending_.clear();
    dropped_marks_ = marks_.size();
    playing_.reset();
    playing_sent_ = playing_heard_ = std::chrono::milliseconds(0);
    buffer_end_ = now;
    held_ = false;
    return cut;
}

std::optional<Played> Playout::on_mark(std::string_view name) {
    auto it = std::find_if(marks_.begin(), marks_.end(), [&](const SentMark& m) { return m.name == name; });
    if (it == marks_.end()) return std::nullopt;
    // Twilio echoes marks in order; one that comes back ahead of its elders stands for them too.
    const auto index = static_cast<std::size_t>(it - marks_.begin());
    const bool dropped = index < dropped_marks_;
    dropped_marks_ -= std::min(dropped_marks_, index + 1);
    auto played = it->played;
    marks_.erase(marks_.begin(), it + 1);
    if (dropped) return std::nullopt;
    if (played.id == playing_) playing_heard_ = std::max(playing_heard_, played.heard);
    return played;
}

bool Playout::busy(timing::SteadyTime now) const { return !pending_.empty() || buffer_end_ > now; }

}  // namespace va::call
