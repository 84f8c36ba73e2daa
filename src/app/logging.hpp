#pragma once
#include <memory>
#include <string>

#include <spdlog/formatter.h>

namespace va::app {

// Log lines as text (control characters in the message escaped) or as one JSON object per line;
// nullptr for an unknown format. JSON times are UTC, text times local.
std::unique_ptr<spdlog::formatter> make_log_formatter(const std::string& format);

// Logs go to stderr (stdout is for the "listening on" line and user-facing output), as text or
// one JSON object per line. Returns false for an unknown format or level.
bool setup_logging(const std::string& format, const std::string& level);

}  // namespace va::app
