// VA_API_TOKENS and VA_API_TOKENS_FILE: what is accepted, and refusals that name the line but
// never show the token.
#include "api/tokens.hpp"

#include <gtest/gtest.h>

namespace va::api {
namespace {

const std::string kLong = "0123456789abcdef0123456789abcdef";  // 32: the shortest accepted

TEST(TokenFile, EachLineIsATokenWithItsScopes) {
    auto parsed = parse_token_file("# operators\n\n" + kLong + "a\n  " + kLong + "b read\n" + kLong +
                                   "c read,transcripts\r\n" + kLong + "d\twrite , read\n");
    ASSERT_EQ(parsed.error, "");
    ASSERT_EQ(parsed.tokens.size(), 4u);
    EXPECT_EQ(parsed.tokens[0].value, kLong + "a");
    EXPECT_EQ(parsed.tokens[0].scopes, unsigned{kAllScopes});
    EXPECT_EQ(parsed.tokens[1].value, kLong + "b");
    EXPECT_EQ(parsed.tokens[1].scopes, unsigned{kRead});
    EXPECT_EQ(parsed.tokens[2].scopes, unsigned{kRead | kTranscripts});
    EXPECT_EQ(parsed.tokens[3].scopes, unsigned{kRead | kWrite});
}

TEST(TokenFile, AShortTokenIsRefusedByLineWithoutShowingIt) {
    auto parsed = parse_token_file(kLong + "\n# fine so far\nshort-secret-token read\n");
    EXPECT_TRUE(parsed.tokens.empty());
    EXPECT_EQ(parsed.error.rfind("line 3: ", 0), 0u) << parsed.error;
    EXPECT_NE(parsed.error.find("32"), std::string::npos);
    EXPECT_EQ(parsed.error.find("short-secret"), std::string::npos);
}

TEST(TokenFile, AnUnknownScopeIsRefused) {
    auto parsed = parse_token_file(kLong + " read,admin\n");
    EXPECT_TRUE(parsed.tokens.empty());
    EXPECT_EQ(parsed.error.rfind("line 1: unknown scope 'admin'", 0), 0u) << parsed.error;
    EXPECT_NE(parse_token_file(kLong + " read,\n").error, "");
    // Two tokens on one line: the second is no scope, and is not shown.
    auto two = parse_token_file(kLong + " " + kLong + "-second\n");
    EXPECT_EQ(two.error.rfind("line 1: not a scope", 0), 0u) << two.error;
    EXPECT_EQ(two.error.find("0123456789abcdef"), std::string::npos) << two.error;
}

TEST(TokenFile, ControlCharactersAreNoToken) {
    auto parsed = parse_token_file(kLong + "\x01" + "x\n");
    EXPECT_EQ(parsed.error.rfind("line 1: ", 0), 0u);
}

TEST(TokenList, CommaSeparatedTokensHaveEveryScope) {
    auto parsed = parse_token_list(kLong + "1, " + kLong + "2,");
    ASSERT_EQ(parsed.error, "");
    ASSERT_EQ(parsed.tokens.size(), 2u);
    EXPECT_EQ(parsed.tokens[1].value, kLong + "2");
    EXPECT_EQ(parsed.tokens[1].scopes, unsigned{kAllScopes});
    auto refused = parse_token_list(kLong + ",tiny");
    EXPECT_TRUE(refused.tokens.empty());
    EXPECT_EQ(refused.error.rfind("token 2: ", 0), 0u) << refused.error;
    EXPECT_EQ(refused.error.find("tiny"), std::string::npos);
}

}  // namespace
}  // namespace va::api
