#include "app/logging.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace va::app {

namespace {
// %j: the message as a JSON string literal (quoted and escaped).
class JsonMessageFlag final : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
        auto quoted = boost::json::serialize(boost::json::string(std::string_view(msg.payload.data(), msg.payload.size())));
        dest.append(quoted.data(), quoted.data() + quoted.size());
    }
    std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<JsonMessageFlag>(); }
};

// %q: the message with control characters escaped (\r, \n, \x1b...): a value that reached a log
// line (a header, a provider's error) can neither forge a line of its own nor drive the terminal.
class EscapedMessageFlag final : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
        static constexpr char kHex[] = "0123456789abcdef";
        for (char ch : std::string_view(msg.payload.data(), msg.payload.size())) {
            const auto c = static_cast<unsigned char>(ch);
            if (c >= 0x20 && c != 0x7f) {
                dest.push_back(ch);
            } else if (c == '\n') {
                dest.append(std::string_view("\\n"));
            } else if (c == '\r') {
                dest.append(std::string_view("\\r"));
            } else if (c == '\t') {
                dest.push_back(ch);
            } else {
                const char escaped[] = {'\\', 'x', kHex[c >> 4], kHex[c & 15]};
                dest.append(escaped, escaped + sizeof escaped);
            }
        }
    }
    std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<EscapedMessageFlag>(); }
};
}  // namespace

std::unique_ptr<spdlog::formatter> make_log_formatter(const std::string& format) {
    const bool json = format == "json";
    auto formatter = std::make_unique<spdlog::pattern_formatter>(json ? spdlog::pattern_time_type::utc
                                                                      : spdlog::pattern_time_type::local);
    if (json) {
        formatter->add_flag<JsonMessageFlag>('j').set_pattern(
            R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","thread":%t,"msg":%j})");
    } else if (format == "text") {
        formatter->add_flag<EscapedMessageFlag>('q').set_pattern("%Y-%m-%d %H:%M:%S.%e %-5l %q");
    } else {
        return nullptr;
    }
    return formatter;
}

bool setup_logging(const std::string& format, const std::string& level) {
    auto parsed = spdlog::level::from_str(level);
    if (parsed == spdlog::level::off && level != "off") return false;
    auto formatter = make_log_formatter(format);
    if (!formatter) return false;
    auto logger = std::make_shared<spdlog::logger>("voiceagent", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    logger->set_formatter(std::move(formatter));
    logger->set_level(parsed);
    spdlog::set_default_logger(std::move(logger));
    return true;
}

}  // namespace va::app
