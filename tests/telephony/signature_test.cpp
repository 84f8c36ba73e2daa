#include "telephony/twilio/signature.hpp"

#include <gtest/gtest.h>

namespace va::twilio {
namespace {

// The known-answer vector of Twilio's documentation (docs/twilio.md).
const std::string kToken = "12345";
const std::string kUrl = "https://mycompany.com/myapp.php?foo=1&bar=2";
const Params kParams{{"CallSid", "CA1234567890ABCDE"},
                     {"Caller", "+12349013030"},
                     {"Digits", "1234"},
                     {"From", "+12349013030"},
                     {"To", "+18005551212"}};
const std::string kExpected = "0/KCTR6DLpKmkAf8muzZqo1nDgQ=";

TEST(TwilioSignature, MatchesTwiliosKnownAnswer) {
    EXPECT_EQ(compute_signature(kToken, kUrl, kParams), kExpected);
    EXPECT_TRUE(validate_signature(kToken, kUrl, kParams, kExpected));
}

TEST(TwilioSignature, DoesNotDependOnParameterOrder) {
    Params shuffled(kParams.rbegin(), kParams.rend());
    EXPECT_EQ(compute_signature(kToken, kUrl, shuffled), kExpected);
}

TEST(TwilioSignature, SortsTheValuesOfARepeatedName) {
    Params a{{"StatusCallbackEvent", "ringing"}, {"To", "+1"}, {"StatusCallbackEvent", "answered"}};
    Params b{{"StatusCallbackEvent", "answered"}, {"StatusCallbackEvent", "ringing"}, {"To", "+1"}};
    EXPECT_EQ(compute_signature(kToken, kUrl, a), compute_signature(kToken, kUrl, b));
    // Same as signing the concatenation by hand: name+value for each value, values sorted.
    Params manual{{"StatusCallbackEventansweredStatusCallbackEventringingTo", "+1"}};
    EXPECT_EQ(compute_signature(kToken, kUrl, a), compute_signature(kToken, kUrl, manual));
    Params single{{"StatusCallbackEvent", "ringing"}, {"To", "+1"}};
    EXPECT_NE(compute_signature(kToken, kUrl, a), compute_signature(kToken, kUrl, single));
}

TEST(TwilioSignature, SignsTheUrlAloneWithoutParams) {
    auto sig = compute_signature(kToken, "wss://example.com/stream", {});
    EXPECT_EQ(sig.size(), 28u);
    EXPECT_TRUE(validate_signature(kToken, "wss://example.com/stream", {}, sig));
    EXPECT_FALSE(validate_signature(kToken, "wss://example.com/stream2", {}, sig));
}

TEST(TwilioSignature, AcceptsTheDefaultPortAddedOrRemoved) {
    EXPECT_TRUE(validate_signature(kToken, "https://mycompany.com:443/myapp.php?foo=1&bar=2", kParams, kExpected));

    auto with_port = compute_signature(kToken, "https://host.test:443/voice", kParams);
    EXPECT_TRUE(validate_signature(kToken, "https://host.test/voice", kParams, with_port));
    auto http = compute_signature(kToken, "http://host.test/voice", kParams);
    EXPECT_TRUE(validate_signature(kToken, "http://host.test:80/voice", kParams, http));
    auto wss = compute_signature(kToken, "wss://host.test/stream", {});
    EXPECT_TRUE(validate_signature(kToken, "wss://host.test:443/stream", {}, wss));
    auto ws = compute_signature(kToken, "ws://host.test:80/stream", {});
    EXPECT_TRUE(validate_signature(kToken, "ws://host.test/stream", {}, ws));
    auto userinfo = compute_signature(kToken, "https://u:p@host.test:443/x?y=1#f", {});
    EXPECT_TRUE(validate_signature(kToken, "https://u:p@host.test/x?y=1#f", {}, userinfo));
}

TEST(TwilioSignature, RejectsOtherPortsAndOtherSchemes) {
    auto plain = compute_signature(kToken, "https://host.test/voice", kParams);
    EXPECT_FALSE(validate_signature(kToken, "https://host.test:8443/voice", kParams, plain));
    EXPECT_FALSE(validate_signature(kToken, "https://host.test:80/voice", kParams, plain));
    EXPECT_FALSE(validate_signature(kToken, "http://host.test/voice", kParams, plain));
    EXPECT_FALSE(validate_signature(kToken, "http://host.test:443/voice", kParams, plain));
    auto custom = compute_signature(kToken, "https://host.test:8443/voice", kParams);
    EXPECT_FALSE(validate_signature(kToken, "https://host.test/voice", kParams, custom));
    EXPECT_FALSE(validate_signature(kToken, "https://host.test:443/voice", kParams, custom));
}

TEST(TwilioSignature, RejectsWrongTokenUrlOrParams) {
    EXPECT_FALSE(validate_signature("12346", kUrl, kParams, kExpected));
    EXPECT_FALSE(validate_signature("", kUrl, kParams, kExpected));
    EXPECT_FALSE(validate_signature(kToken, "https://mycompany.com/myapp.php?foo=1&bar=3", kParams, kExpected));
    EXPECT_FALSE(validate_signature(kToken, "https://mycompany.com/myapp.php", kParams, kExpected));
    Params changed = kParams;
    changed[2].second = "1235";
    EXPECT_FALSE(validate_signature(kToken, kUrl, changed, kExpected));
    Params extra = kParams;
    extra.emplace_back("AnsweredBy", "human");
    EXPECT_FALSE(validate_signature(kToken, kUrl, extra, kExpected));
    Params fewer(kParams.begin(), kParams.end() - 1);
    EXPECT_FALSE(validate_signature(kToken, kUrl, fewer, kExpected));
}

TEST(TwilioSignature, RejectsEmptyAndGarbageSignatures) {
    for (std::string_view bad : {"", "0", "0/KCTR6DLpKmkAf8muzZqo1nDgQ", "0/KCTR6DLpKmkAf8muzZqo1nDgQ==",
                                 "1/KCTR6DLpKmkAf8muzZqo1nDgQ=", "0/kCTR6DLpKmkAf8muzZqo1nDgQ=",
                                 " 0/KCTR6DLpKmkAf8muzZqo1nDgQ=", "\xff\xfe garbage \x01"}) {
        EXPECT_FALSE(validate_signature(kToken, kUrl, kParams, bad)) << bad;
    }
    EXPECT_FALSE(validate_signature(kToken, kUrl, kParams, std::string(10000, 'A')));
}

TEST(TwilioSignature, SurvivesUnparsableUrls) {
    for (std::string_view url : {"", "not a url", "https://", "https://[::1", "https://h:99999/x", "mailto:a@b"}) {
        auto sig = compute_signature(kToken, url, {});
        EXPECT_TRUE(validate_signature(kToken, url, {}, sig)) << url;
        EXPECT_FALSE(validate_signature(kToken, url, {}, kExpected)) << url;
    }
    // An empty auth token is still a key (HMAC with zero bytes), not a crash.
    EXPECT_EQ(compute_signature("", kUrl, kParams).size(), 28u);
}

TEST(TwilioSha256Hex, MatchesKnownDigests) {
    EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(sha256_hex(std::string_view("\0", 1)),
              "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
}

}  // namespace
}  // namespace va::twilio
