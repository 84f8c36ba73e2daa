// The SSE parser on arbitrary bytes: never crashes, and gives the same events (and the same
// error) whichever way the network splits the stream: all at once, byte by byte, or in pieces
// chosen by the input. A small cap makes the oversize path reachable.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "llm/sse.hpp"

using va::llm::SseEvent;
using va::llm::SseParser;

namespace {

constexpr std::size_t kCap = 512;

struct Outcome {
    std::vector<SseEvent> events;
    std::string error;
};

bool same(const Outcome& a, const Outcome& b) {
    if (a.error != b.error || a.events.size() != b.events.size()) return false;
    for (std::size_t i = 0; i < a.events.size(); ++i) {
        const auto &x = a.events[i], &y = b.events[i];
        if (x.type != y.type || x.data != y.data || x.id != y.id) return false;
    }
    return true;
}

// Feeds `text` in pieces whose lengths come from `sizes` (cycled; 0 means 1).
Outcome parse(std::string_view text, std::string_view sizes) {
    SseParser parser(kCap);
    Outcome out;
    std::size_t turn = 0;
    while (!text.empty()) {
        std::size_t n = text.size();
        if (!sizes.empty()) n = static_cast<unsigned char>(sizes[turn++ % sizes.size()]) % 17 + 1;
        if (n > text.size()) n = text.size();
        parser.feed(text.substr(0, n), out.events);
        text.remove_prefix(n);
    }
    out.error = parser.error();
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // The first 8 bytes choose the piece sizes, the rest is the stream.
    const std::string_view all(reinterpret_cast<const char*>(data), size);
    const auto sizes = all.substr(0, size < 8 ? size : 8);
    const auto text = all.substr(sizes.size());
    const auto whole = parse(text, {});
    for (const auto& event : whole.events) {
        if (event.data.size() > kCap || event.type.size() > kCap) __builtin_trap();
    }
    if (!same(whole, parse(text, std::string_view("\x00", 1)))) __builtin_trap();  // byte by byte
    if (!same(whole, parse(text, sizes))) __builtin_trap();
    return 0;
}
