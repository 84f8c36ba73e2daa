#include "media/wav.hpp"

#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "media/mulaw.hpp"
#include "support/temp_dir.hpp"

namespace va::media {
namespace {

using ::testing::HasSubstr;

// Builds WAV files byte by byte, so the tests do not depend on write_wav.
struct Bytes {
    std::string s;
    Bytes& tag(const char* t) { s.append(t, 4); return *this; }
    Bytes& u16(unsigned v) { s.push_back(char(v & 0xFF)); s.push_back(char((v >> 8) & 0xFF)); return *this; }
    Bytes& u32(unsigned v) { u16(v & 0xFFFF); return u16(v >> 16); }
    Bytes& raw(const std::string& r) { s += r; return *this; }
};

Bytes fmt_chunk(unsigned format, unsigned channels, unsigned rate, unsigned bits) {
    Bytes b;
    const unsigned align = channels * bits / 8;
    b.tag("fmt ").u32(16).u16(format).u16(channels).u32(rate).u32(rate * align).u16(align).u16(bits);
    return b;
}

std::string riff(const std::string& body) {
    Bytes b;
    b.tag("RIFF").u32(static_cast<unsigned>(4 + body.size())).tag("WAVE").raw(body);
    return b.s;
}

std::string write_file(const test::TempDir& dir, const std::string& name, const std::string& contents) {
    auto path = dir.file(name);
    std::ofstream(path, std::ios::binary) << contents;
    return path;
}

std::string read_error(const std::string& path) {
    try {
        read_wav(path);
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "no exception";
}

TEST(Wav, MonoRoundTrip) {
    test::TempDir dir;
    PcmAudio audio{16000, 1, {0, 1, -1, 32767, -32768, 1234, -4321}};
    write_wav(dir.file("mono.wav"), audio);
    auto back = read_wav(dir.file("mono.wav"));
    EXPECT_EQ(back.sample_rate, 16000);
    EXPECT_EQ(back.channels, 1);
    EXPECT_EQ(back.samples, audio.samples);
}

TEST(Wav, StereoRoundTripAndMono) {
    test::TempDir dir;
    PcmAudio audio{44100, 2, {100, 300, -100, -301, 32767, 32767, -32768, -32768}};
    write_wav(dir.file("stereo.wav"), audio);
    auto back = read_wav(dir.file("stereo.wav"));
    EXPECT_EQ(back.sample_rate, 44100);
    EXPECT_EQ(back.channels, 2);
    EXPECT_EQ(back.samples, audio.samples);
    EXPECT_EQ(to_mono(back), (std::vector<std::int16_t>{200, -200, 32767, -32768}));
}

TEST(Wav, WritesTheCanonicalHeader) {
    test::TempDir dir;
    write_wav(dir.file("h.wav"), PcmAudio{8000, 1, {1, 2}});
    std::ifstream in(dir.file("h.wav"), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto expected = riff(fmt_chunk(1, 1, 8000, 16).tag("data").u32(4).u16(1).u16(2).s);
    EXPECT_EQ(bytes, expected);
}

TEST(Wav, EmptyAudioRoundTrips) {
    test::TempDir dir;
    write_wav(dir.file("empty.wav"), PcmAudio{});
    auto back = read_wav(dir.file("empty.wav"));
    EXPECT_EQ(back.sample_rate, 8000);
    EXPECT_TRUE(back.samples.empty());
}

TEST(Wav, ReadsMulawAsPcm) {
    test::TempDir dir;
    auto body = fmt_chunk(7, 1, 8000, 8).tag("data").u32(4).raw(std::string("\xFF\x00\x80\xCE", 4)).s;
    auto audio = read_wav(write_file(dir, "ulaw.wav", riff(body)));
    EXPECT_EQ(audio.sample_rate, 8000);
    EXPECT_EQ(audio.channels, 1);
    EXPECT_EQ(audio.samples, (std::vector<std::int16_t>{0, -32124, 32124, 988}));
}

TEST(Wav, ReadsExtensiblePcmAndSkipsUnknownChunks) {
    test::TempDir dir;
    Bytes b;
    // An odd-sized LIST chunk (padded to even) before fmt, a fact chunk between fmt and data.
    b.tag("LIST").u32(3).raw(std::string("abc\0", 4));
    b.tag("fmt ").u32(40).u16(0xFFFE).u16(1).u32(22050).u32(44100).u16(2).u16(16);
    b.u16(22).u16(16).u32(4);                                                    // cbSize, valid bits, mask
    b.u16(1).raw(std::string("\x00\x00\x00\x00\x10\x00\x80\x00\x00\xAA\x00\x38\x9B\x71", 14));  // PCM GUID
    b.tag("fact").u32(4).u32(3);
    b.tag("data").u32(6).u16(5).u16(0xFFFF).u16(7);
    auto audio = read_wav(write_file(dir, "ext.wav", riff(b.s)));
    EXPECT_EQ(audio.sample_rate, 22050);
    EXPECT_EQ(audio.samples, (std::vector<std::int16_t>{5, -1, 7}));
}

TEST(Wav, MissingFileNamesTheFile) {
    auto message = read_error("/nonexistent/dir/missing.wav");
    EXPECT_THAT(message, HasSubstr("/nonexistent/dir/missing.wav"));
    EXPECT_THAT(message, HasSubstr("not found"));
}

TEST(Wav, RejectsGarbage) {
    test::TempDir dir;
    auto path = write_file(dir, "garbage.wav", "this is not a wave file at all");
    auto message = read_error(path);
    EXPECT_THAT(message, HasSubstr(path));
    EXPECT_THAT(message, HasSubstr("not a RIFF/WAVE file"));
    EXPECT_THAT(read_error(write_file(dir, "empty.wav", "")), HasSubstr("not a RIFF/WAVE file"));
}

TEST(Wav, RejectsUnsupportedFormats) {
    test::TempDir dir;
    auto float_wav = riff(fmt_chunk(3, 1, 8000, 32).tag("data").u32(4).u32(0).s);
    EXPECT_THAT(read_error(write_file(dir, "float.wav", float_wav)), HasSubstr("unsupported format 3"));
    auto pcm8 = riff(fmt_chunk(1, 1, 8000, 8).tag("data").u32(2).u16(0).s);
    EXPECT_THAT(read_error(write_file(dir, "pcm8.wav", pcm8)), HasSubstr("8 bits"));
    auto six_channels = riff(fmt_chunk(1, 6, 8000, 16).tag("data").u32(12).raw(std::string(12, '\0')).s);
    EXPECT_THAT(read_error(write_file(dir, "six.wav", six_channels)), HasSubstr("channel count 6"));
}

TEST(Wav, RejectsTruncatedFiles) {
    test::TempDir dir;
    auto short_data = riff(fmt_chunk(1, 1, 8000, 16).tag("data").u32(100).u16(1).s);
    EXPECT_THAT(read_error(write_file(dir, "short.wav", short_data)), HasSubstr("truncated"));
    EXPECT_THAT(read_error(write_file(dir, "nofmt.wav", riff(""))), HasSubstr("truncated: no fmt chunk"));
    EXPECT_THAT(read_error(write_file(dir, "nodata.wav", riff(fmt_chunk(1, 1, 8000, 16).s))),
                HasSubstr("truncated: no data chunk"));
    // A whole valid file cut in the middle of its samples.
    write_wav(dir.file("whole.wav"), PcmAudio{8000, 1, std::vector<std::int16_t>(100, 7)});
    std::ifstream in(dir.file("whole.wav"), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_THAT(read_error(write_file(dir, "cut.wav", bytes.substr(0, 100))), HasSubstr("truncated"));
}

TEST(Wav, WriteFailureNamesTheFile) {
    try {
        write_wav("/nonexistent/dir/out.wav", PcmAudio{8000, 1, {1, 2, 3}});
        FAIL() << "no exception";
    } catch (const std::runtime_error& e) {
        EXPECT_THAT(e.what(), HasSubstr("/nonexistent/dir/out.wav"));
    }
    EXPECT_THROW(write_wav("/tmp/unused.wav", PcmAudio{8000, 2, {1, 2, 3}}), std::invalid_argument);
}

TEST(Wav, ToMonoOfMonoIsUnchanged) {
    PcmAudio audio{8000, 1, {1, -2, 3}};
    EXPECT_EQ(to_mono(audio), audio.samples);
}

}  // namespace
}  // namespace va::media
