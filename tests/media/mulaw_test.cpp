#include "media/mulaw.hpp"

#include <cstdlib>
#include <vector>

#include <gtest/gtest.h>

namespace va::media {
namespace {

TEST(Mulaw, DecodesReferenceCodes) {
    // Values from the ITU-T G.711 μ-law table.
    EXPECT_EQ(mulaw_decode(0x00), -32124);
    EXPECT_EQ(mulaw_decode(0x01), -31100);
    EXPECT_EQ(mulaw_decode(0x80), 32124);
    EXPECT_EQ(mulaw_decode(0x81), 31100);
    EXPECT_EQ(mulaw_decode(0xCE), 988);
    EXPECT_EQ(mulaw_decode(0xFF), 0);
    EXPECT_EQ(mulaw_decode(0x7F), 0);
    EXPECT_EQ(mulaw_decode(0xFE), 8);
    EXPECT_EQ(mulaw_decode(0x7E), -8);
}

TEST(Mulaw, EncodesReferenceSamples) {
    EXPECT_EQ(mulaw_encode(0), kMulawSilence);
    EXPECT_EQ(mulaw_encode(-1), 0x7F);  // the "negative zero" code
    EXPECT_EQ(mulaw_encode(32767), 0x80);
    EXPECT_EQ(mulaw_encode(-32768), 0x00);
    EXPECT_EQ(mulaw_encode(32635), 0x80);  // the clip level
    EXPECT_EQ(mulaw_encode(1000), 0xCE);
    EXPECT_EQ(mulaw_encode(-1000), 0x4E);
}

TEST(Mulaw, DecodeThenEncodeIsIdentityExceptNegativeZero) {
    for (int code = 0; code < 256; ++code) {
        auto c = static_cast<std::uint8_t>(code);
        auto expected = c == 0x7F ? std::uint8_t{0xFF} : c;
        EXPECT_EQ(mulaw_encode(mulaw_decode(c)), expected) << "code " << code;
    }
}

TEST(Mulaw, QuantisationIsMonotonicAndBounded) {
    int previous = -40000;
    for (int s = -32768; s <= 32767; ++s) {
        const int decoded = mulaw_decode(mulaw_encode(static_cast<std::int16_t>(s)));
        ASSERT_GE(decoded, previous) << "sample " << s;
        previous = decoded;
        // The step in the top segment is 1024, so the error is at most half of it (plus clipping).
        if (std::abs(s) <= 32635) {
            ASSERT_LE(std::abs(decoded - s), 512) << "sample " << s;
        }
    }
}

TEST(Mulaw, VectorFormsMatchScalarForms) {
    const std::vector<std::int16_t> pcm{0, 1, -1, 100, -100, 12345, -12345, 32767, -32768};
    auto codes = encode_mulaw(pcm);
    ASSERT_EQ(codes.size(), pcm.size());
    for (std::size_t i = 0; i < pcm.size(); ++i) EXPECT_EQ(codes[i], mulaw_encode(pcm[i]));
    auto back = decode_mulaw(codes);
    ASSERT_EQ(back.size(), codes.size());
    for (std::size_t i = 0; i < codes.size(); ++i) EXPECT_EQ(back[i], mulaw_decode(codes[i]));
    EXPECT_TRUE(encode_mulaw({}).empty());
    EXPECT_TRUE(decode_mulaw({}).empty());
}

}  // namespace
}  // namespace va::media
