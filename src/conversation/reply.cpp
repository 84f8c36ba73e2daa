#include "conversation/reply.hpp"

#include <algorithm>

namespace va::conversation {

call::UtteranceId Reply::add_piece(std::string text, call::UtteranceId id) {
    pieces.push_back({id, std::move(text)});
    return id;
}

Piece* Reply::find(call::UtteranceId id) {
    auto it = std::find_if(pieces.begin(), pieces.end(), [id](const Piece& p) { return p.id == id; });
    return it == pieces.end() ? nullptr : &*it;
}

bool Reply::sounding() const {
    return std::any_of(pieces.begin(), pieces.end(), [](const Piece& p) { return p.samples > 0 && !p.played && !p.cut; });
}

bool Reply::done() const {
    return !thinking && next_to_synthesize == pieces.size() &&
           std::all_of(pieces.begin(), pieces.end(), [](const Piece& p) { return p.played || p.cut; });
}

std::string Reply::heard_text() const {
    std::string out;
    auto append = [&out](std::string_view words) {
        if (words.empty()) return;
        if (!out.empty()) out += ' ';
        out += words;
    };
    for (const auto& piece : pieces) {
        if (piece.failed) continue;
        if (piece.filler) {  // kept only when heard in full: the answer says the rest
            if (piece.played) append(piece.text);
            continue;
        }
        if (piece.played) {
            append(piece.text);
            continue;
        }
        const auto length = static_cast<double>(piece.samples) / 8.0;  // ms
        if (piece.heard.count() <= 0 || length <= 0) break;
        const double share = std::min(1.0, static_cast<double>(piece.heard.count()) / length);
        // Whole words only: cut at the last space within the share of characters.
        const auto chars = static_cast<std::size_t>(share * static_cast<double>(piece.text.size()));
        if (chars >= piece.text.size()) {
            append(piece.text);
        } else if (auto space = piece.text.rfind(' ', chars); space != std::string::npos && space > 0) {
            append(std::string_view(piece.text).substr(0, space));
        }
        break;  // nothing after a cut piece was heard
    }
    return out;
}

}  // namespace va::conversation
