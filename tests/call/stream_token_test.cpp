#include "call/stream_token.hpp"

#include <gtest/gtest.h>

#include "core/time_format.hpp"

namespace va::call {
namespace {

const core::TimePoint kNow = *core::parse_rfc3339("2026-11-25T12:00:00Z");

StreamGrant grant() {
    return {"6566a1b2c3d4e5f607182930", "6566a1b2c3d4e5f607182930-0-1", "6566a1b2c3d4e5f6071829aa",
            "CA0123456789abcdef0123456789abcdef", kNow + std::chrono::seconds(60)};
}

TEST(StreamToken, VerifiesWhatItIssuedUntilItExpires) {
    StreamTokens tokens("secret");
    auto token = tokens.issue(grant());
    EXPECT_EQ(tokens.verify(token, kNow), grant());
    EXPECT_EQ(tokens.verify(token, kNow + std::chrono::seconds(59)), grant());
    EXPECT_FALSE(tokens.verify(token, kNow + std::chrono::seconds(60)));
}

TEST(StreamToken, AnInboundGrantHasNoCallOrAttempt) {
    StreamTokens tokens("secret");
    StreamGrant inbound{"", "", "6566a1b2c3d4e5f6071829aa", "CA0123456789abcdef0123456789abcdef",
                        kNow + std::chrono::seconds(5)};
    EXPECT_EQ(tokens.verify(tokens.issue(inbound), kNow), inbound);
}

TEST(StreamToken, RefusesEveryAlteration) {
    StreamTokens tokens("secret");
    const auto token = tokens.issue(grant());
    for (std::size_t i = 0; i < token.size(); ++i) {
        auto altered = token;
        altered[i] = altered[i] == 'a' ? 'b' : 'a';
        EXPECT_FALSE(tokens.verify(altered, kNow)) << "changed byte " << i;
    }
    EXPECT_FALSE(tokens.verify(token.substr(0, token.size() - 1), kNow));
    EXPECT_FALSE(tokens.verify(token + "0", kNow));
    // The attempt of another recipient, or another call, with the original MAC: refused.
    auto other = token;
    other.replace(other.find("-0-1"), 4, "-1-1");
    EXPECT_FALSE(tokens.verify(other, kNow));
    auto other_call = token;
    other_call.replace(other_call.find("CA0"), 3, "CA1");
    EXPECT_FALSE(tokens.verify(other_call, kNow));
}

TEST(StreamToken, AnotherSecretsTokensAreRefused) {
    EXPECT_FALSE(StreamTokens("secret").verify(StreamTokens("other").issue(grant()), kNow));
}

TEST(StreamToken, MalformedTokensAreRefusedWithoutThrowing) {
    StreamTokens tokens("secret");
    for (const char* bad : {"", "|", "||||||", "v2|a|b|c|d|e|f", "not a token", "v2|||x|CA1|123|00000000000000000000000000000000"})
        EXPECT_FALSE(tokens.verify(bad, kNow)) << bad;
}

TEST(StreamToken, FieldsCannotHoldTheSeparator) {
    auto g = grant();
    g.call_log_id = "a|b";
    EXPECT_THROW(StreamTokens("secret").issue(g), std::invalid_argument);
}

}  // namespace
}  // namespace va::call
