// What an operator reads: a value that reaches a log line cannot forge another line or drive
// the terminal, in either format.
#include "app/logging.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace va::app {
namespace {

std::string format_line(const std::string& format, std::string_view message) {
    auto formatter = make_log_formatter(format);
    spdlog::details::log_msg msg("voiceagent", spdlog::level::warn, message);
    spdlog::memory_buf_t out;
    formatter->format(msg, out);
    return std::string(out.data(), out.size());
}

constexpr std::string_view kHostile = "caller said \"hi\"\r\n2026-12-07 00:00:00.000 info  forged\x1b[2J";

TEST(Logging, TheTextFormatEscapesCarriageReturnsLineFeedsAndEscapes) {
    const auto line = format_line("text", kHostile);
    ASSERT_FALSE(line.empty());
    EXPECT_EQ(line.back(), '\n');
    const auto body = line.substr(0, line.size() - 1);
    EXPECT_EQ(body.find_first_of("\r\n\x1b"), std::string::npos) << body;
    EXPECT_NE(body.find("caller said \"hi\"\\r\\n2026-12-07 00:00:00.000 info  forged\\x1b[2J"), std::string::npos)
        << body;
    EXPECT_NE(body.find("warn"), std::string::npos);
}

TEST(Logging, TheJsonFormatKeepsTheMessageInItsString) {
    const auto line = format_line("json", kHostile);
    EXPECT_EQ(line.find_first_of("\r\x1b"), std::string::npos);
    EXPECT_EQ(line.find('\n'), line.size() - 1) << "one line";
    auto parsed = boost::json::parse(line);
    EXPECT_EQ(parsed.at("msg").as_string(), kHostile);
}

TEST(Logging, AnUnknownFormatIsRefused) { EXPECT_EQ(make_log_formatter("xml"), nullptr); }

}  // namespace
}  // namespace va::app
