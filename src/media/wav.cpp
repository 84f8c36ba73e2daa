#include "media/wav.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "media/mulaw.hpp"

namespace va::media {
namespace {

constexpr std::uint16_t kFormatPcm = 1;
constexpr std::uint16_t kFormatMulaw = 7;
constexpr std::uint16_t kFormatExtensible = 0xFFFE;

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& what) {
    throw std::runtime_error("WAV file " + path.string() + ": " + what);
}

// WAV is little-endian whatever the host is: read and write byte by byte.
std::uint16_t get_u16(const unsigned char* p) { return static_cast<std::uint16_t>(p[0] | (p[1] << 8)); }
std::uint32_t get_u32(const unsigned char* p) {
    return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
           (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}
void put_u16(std::string& out, std::uint16_t v) {
    out.push_back(static_cast<char>(v & 0xFF));
    out.push_back(static_cast<char>(v >> 8));
}
void put_u32(std::string& out, std::uint32_t v) {
    for (int shift = 0; shift < 32; shift += 8) out.push_back(static_cast<char>((v >> shift) & 0xFF));
}

struct Format {
    std::uint16_t tag = 0;
    int channels = 0;
    int sample_rate = 0;
    int bits = 0;
};

Format parse_fmt(const std::filesystem::path& path, const unsigned char* p, std::uint32_t size) {
    if (size < 16) fail(path, "fmt chunk too short (" + std::to_string(size) + " bytes)");
    Format f;
    f.tag = get_u16(p);
    f.channels = get_u16(p + 2);
    const auto rate = get_u32(p + 4);
    f.bits = get_u16(p + 14);
    if (f.tag == kFormatExtensible) {
        // cbSize(2) validBits(2) channelMask(4) then the subformat GUID, whose first two bytes are
        // the plain format code.
        if (size < 40) fail(path, "WAVE_FORMAT_EXTENSIBLE fmt chunk too short (" + std::to_string(size) + " bytes)");
        f.tag = get_u16(p + 24);
    }
    if (f.tag != kFormatPcm && f.tag != kFormatMulaw)
        fail(path, "unsupported format " + std::to_string(f.tag) + " (only PCM (1) and mu-law (7) are read)");
    if (f.tag == kFormatPcm && f.bits != 16)
        fail(path, "unsupported PCM sample size " + std::to_string(f.bits) + " bits (only 16)");
    if (f.tag == kFormatMulaw && f.bits != 8)
        fail(path, "unsupported mu-law sample size " + std::to_string(f.bits) + " bits (only 8)");
    if (f.channels < 1 || f.channels > 2) fail(path, "unsupported channel count " + std::to_string(f.channels));
    if (rate == 0 || rate > 1'000'000) fail(path, "invalid sample rate " + std::to_string(rate));
    f.sample_rate = static_cast<int>(rate);
    return f;
}

}  // namespace

PcmAudio read_wav(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        std::error_code ec;
        fail(path, std::filesystem::exists(path, ec) ? "cannot open" : "not found");
    }
    // Recordings and prompts are small: read the whole file and parse from memory.
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) fail(path, "read error");
    const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
    const std::size_t size = bytes.size();

    if (size < 12 || std::memcmp(data, "RIFF", 4) != 0 || std::memcmp(data + 8, "WAVE", 4) != 0)
        fail(path, "not a RIFF/WAVE file");

    std::optional<Format> format;
    std::size_t pos = 12;
    while (pos + 8 <= size) {
        const std::string_view id(reinterpret_cast<const char*>(data + pos), 4);
        const std::uint32_t chunk_size = get_u32(data + pos + 4);
        pos += 8;
        if (chunk_size > size - pos)
            fail(path, "truncated: " + std::string(id) + " chunk declares " + std::to_string(chunk_size) +
                           " bytes but only " + std::to_string(size - pos) + " remain");
        if (id == "fmt ") {
            format = parse_fmt(path, data + pos, chunk_size);
        } else if (id == "data") {
            if (!format) fail(path, "data chunk before fmt chunk");
            PcmAudio audio;
            audio.sample_rate = format->sample_rate;
            audio.channels = format->channels;
            const auto bytes_per_sample = static_cast<std::size_t>(format->bits / 8);
            const auto frame = bytes_per_sample * static_cast<std::size_t>(format->channels);
            const auto count = chunk_size / frame * static_cast<std::size_t>(format->channels);  // whole frames only
            audio.samples.resize(count);
            const unsigned char* p = data + pos;
            if (format->tag == kFormatMulaw) {
                for (std::size_t i = 0; i < count; ++i) audio.samples[i] = mulaw_decode(p[i]);
            } else {
                for (std::size_t i = 0; i < count; ++i)
                    audio.samples[i] = static_cast<std::int16_t>(get_u16(p + 2 * i));
            }
            return audio;
        }
        // Skip anything else (LIST, fact, cue...); chunks are padded to an even size.
        pos += chunk_size + (chunk_size & 1u);
    }
    fail(path, format ? "truncated: no data chunk" : "truncated: no fmt chunk");
}

std::string wav_bytes(const PcmAudio& audio) {
    if (audio.sample_rate <= 0 || audio.channels < 1 || audio.channels > 0xFFFF)
        throw std::invalid_argument("invalid sample rate or channel count");
    if (audio.samples.size() % static_cast<std::size_t>(audio.channels) != 0)
        throw std::invalid_argument("sample count is not a multiple of channels");
    const auto data_bytes = audio.samples.size() * 2;
    if (data_bytes > std::numeric_limits<std::uint32_t>::max() - 36)
        throw std::invalid_argument("too long for a WAV file");

    const auto channels = static_cast<std::uint16_t>(audio.channels);
    const auto rate = static_cast<std::uint32_t>(audio.sample_rate);
    std::string out;
    out.reserve(44 + data_bytes);
    out.append("RIFF");
    put_u32(out, static_cast<std::uint32_t>(36 + data_bytes));
    out.append("WAVEfmt ");
    put_u32(out, 16);
    put_u16(out, kFormatPcm);
    put_u16(out, channels);
    put_u32(out, rate);
    put_u32(out, rate * channels * 2u);                     // byte rate
    put_u16(out, static_cast<std::uint16_t>(channels * 2));  // block align
    put_u16(out, 16);
    out.append("data");
    put_u32(out, static_cast<std::uint32_t>(data_bytes));
    for (auto s : audio.samples) put_u16(out, static_cast<std::uint16_t>(s));
    return out;
}

void write_wav(const std::filesystem::path& path, const PcmAudio& audio) {
    std::string out;
    try {
        out = wav_bytes(audio);
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument("write_wav " + path.string() + ": " + e.what());
    }
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    if (!file) fail(path, "cannot create: " + std::string(std::strerror(errno)));
    file.write(out.data(), static_cast<std::streamsize>(out.size()));
    file.close();
    if (!file) fail(path, "write failed");
}

std::vector<std::int16_t> to_mono(const PcmAudio& audio) {
    if (audio.channels <= 1) return audio.samples;
    const auto channels = static_cast<std::size_t>(audio.channels);
    std::vector<std::int16_t> mono(audio.samples.size() / channels);
    for (std::size_t frame = 0; frame < mono.size(); ++frame) {
        int sum = 0;
        for (std::size_t c = 0; c < channels; ++c) sum += audio.samples[frame * channels + c];
        mono[frame] = static_cast<std::int16_t>(sum / audio.channels);
    }
    return mono;
}

}  // namespace va::media
