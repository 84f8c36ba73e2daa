#pragma once
#include <string>

namespace va::app {

// Logs go to stderr (stdout is for the "listening on" line and user-facing output), as text or
// one JSON object per line. Returns false for an unknown format or level.
bool setup_logging(const std::string& format, const std::string& level);

}  // namespace va::app
