#include "telephony/twilio/base64.hpp"

#include <gtest/gtest.h>

namespace va::twilio {
namespace {

std::vector<std::uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }

TEST(TwilioBase64, MatchesTheRfc4648Vectors) {
    const std::pair<std::string_view, std::string_view> vectors[] = {
        {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},         {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
    };
    for (auto [plain, encoded] : vectors) {
        EXPECT_EQ(base64_encode(bytes(plain)), encoded);
        EXPECT_EQ(base64_decode(encoded), bytes(plain)) << encoded;
    }
}

TEST(TwilioBase64, RoundTripsEveryByteAndEveryLength) {
    std::vector<std::uint8_t> all;
    for (int i = 0; i < 256; ++i) all.push_back(static_cast<std::uint8_t>(i));
    for (size_t n = 0; n <= all.size(); n += 1) {
        std::vector<std::uint8_t> part(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(n));
        auto encoded = base64_encode(part);
        EXPECT_EQ(encoded.size() % 4, 0u);
        EXPECT_EQ(base64_decode(encoded), part) << n;
    }
    EXPECT_EQ(base64_encode(std::vector<std::uint8_t>{0xfb, 0xff}), "+/8=");
}

TEST(TwilioBase64, RejectsAnythingNotStrictlyStandard) {
    for (std::string_view bad : {"Zg", "Zg=", "Zm9", "Zg===", "====", "Z===", "Zg==Zm9v", "Zm=v", "Zm9v ",
                                 " Zm9v", "Zm9\nv", "Zm-_", "Zh==", "Zm9=", "Zg=a"}) {
        EXPECT_FALSE(base64_decode(bad)) << bad;
    }
    EXPECT_FALSE(base64_decode(std::string_view("Zm9\0", 4)));
    EXPECT_FALSE(base64_decode("\xff\xfe\xfd\xfc"));
}

}  // namespace
}  // namespace va::twilio
