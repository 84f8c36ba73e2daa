#include "telephony/twilio/form.hpp"

#include <gtest/gtest.h>

namespace va::twilio {
namespace {

TEST(TwilioForm, DecodesPlusAndPercentAndKeepsOrderAndRepeats) {
    auto params = parse_form("To=%2B15551234567&Body=hello+world%21&StatusCallbackEvent=ringing&StatusCallbackEvent=answered");
    ASSERT_TRUE(params);
    Params expected{{"To", "+15551234567"},
                    {"Body", "hello world!"},
                    {"StatusCallbackEvent", "ringing"},
                    {"StatusCallbackEvent", "answered"}};
    EXPECT_EQ(*params, expected);
    EXPECT_EQ(find_param(*params, "StatusCallbackEvent"), "ringing");
    EXPECT_EQ(find_all(*params, "StatusCallbackEvent"), (std::vector<std::string_view>{"ringing", "answered"}));
    EXPECT_FALSE(find_param(*params, "Missing"));
    EXPECT_TRUE(find_all(*params, "missing").empty());
    EXPECT_FALSE(find_param(*params, "to")) << "names are case-sensitive";
}

TEST(TwilioForm, HandlesEmptyBodiesNamesWithoutValuesAndEmptySegments) {
    EXPECT_EQ(parse_form(""), Params{});
    EXPECT_EQ(parse_form("a"), (Params{{"a", ""}}));
    EXPECT_EQ(parse_form("a="), (Params{{"a", ""}}));
    EXPECT_EQ(parse_form("=v"), (Params{{"", "v"}}));
    EXPECT_EQ(parse_form("a=1&&b=2&"), (Params{{"a", "1"}, {"b", "2"}}));
    EXPECT_EQ(parse_form("a=b=c"), (Params{{"a", "b=c"}}));
    EXPECT_EQ(parse_form("%41%62=%e2%82%AC"), (Params{{"Ab", "\xe2\x82\xac"}}));
    EXPECT_EQ(parse_form("n=%00"), (Params{{"n", std::string(1, '\0')}}));
    EXPECT_EQ(parse_form("a=%2B+%20"), (Params{{"a", "+  "}}));
}

TEST(TwilioForm, RejectsBadPercentEncoding) {
    for (std::string_view bad : {"a=%", "a=%4", "a=%G1", "a=%1G", "%=1", "a=1&b=%zz", "a=%%41"}) {
        EXPECT_FALSE(parse_form(bad)) << bad;
    }
}

TEST(TwilioForm, EncodesEverythingButUnreservedAndRoundTrips) {
    Params params{{"To", "+1 555"}, {"Url", "https://x.test/a?b=c&d=e"}, {"safe", "AZaz09-._~"}, {"e", ""},
                  {"bytes", std::string("\0\xff\xe2\x82\xac", 5)}, {"To", "second"}};
    auto encoded = encode_form(params);
    EXPECT_EQ(encoded.rfind("To=%2B1%20555&Url=https%3A%2F%2Fx.test%2Fa%3Fb%3Dc%26d%3De&", 0), 0u) << encoded;
    EXPECT_NE(encoded.find("safe=AZaz09-._~&e=&bytes=%00%FF%E2%82%AC&To=second"), std::string::npos) << encoded;
    EXPECT_EQ(parse_form(encoded), params);
    EXPECT_EQ(encode_form({}), "");
}

}  // namespace
}  // namespace va::twilio
