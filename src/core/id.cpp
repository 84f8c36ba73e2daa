#include "core/id.hpp"

#include <atomic>
#include <random>

namespace va::core {

namespace {
struct ProcessBits {
    unsigned char random[5];
    std::atomic<unsigned> counter;
    ProcessBits() {
        std::random_device device;
        for (auto& b : random) b = static_cast<unsigned char>(device() & 0xff);
        counter.store(device() & 0xffffff);
    }
};

ProcessBits& process_bits() {
    static ProcessBits bits;
    return bits;
}
}  // namespace

std::string new_object_id(TimePoint now) {
    static constexpr char kHex[] = "0123456789abcdef";
    auto& bits = process_bits();
    auto seconds = static_cast<unsigned long>(
        std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
    unsigned count = bits.counter.fetch_add(1) & 0xffffff;
    unsigned char bytes[12] = {
        static_cast<unsigned char>(seconds >> 24), static_cast<unsigned char>(seconds >> 16),
        static_cast<unsigned char>(seconds >> 8),  static_cast<unsigned char>(seconds),
        bits.random[0], bits.random[1], bits.random[2], bits.random[3], bits.random[4],
        static_cast<unsigned char>(count >> 16),   static_cast<unsigned char>(count >> 8),
        static_cast<unsigned char>(count),
    };
    std::string out(24, '0');
    for (int i = 0; i < 12; ++i) {
        out[static_cast<size_t>(2 * i)] = kHex[bytes[i] >> 4];
        out[static_cast<size_t>(2 * i + 1)] = kHex[bytes[i] & 15];
    }
    return out;
}

bool is_object_id(std::string_view s) {
    if (s.size() != 24) return false;
    for (char c : s) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return true;
}

}  // namespace va::core
