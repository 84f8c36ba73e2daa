#include "calling_window/window_check.hpp"

#include <stdexcept>

#include "core/phone.hpp"
#include "calling_window/call_window.hpp"

namespace va::calling_window {

WindowCheck check_window(core::TimePoint now, const store::CallingWindow& window, const std::string& number,
                         const CountryZones& zones) {
    WindowCheck out;
    CallWindow w{std::chrono::minutes(window.start_minute), std::chrono::minutes(window.end_minute),
                 window.zone_for(number)};
    std::vector<std::string> country;
    if (w.time_zone.empty()) {
        auto region = core::region_of(number);
        country = zones.zones_for(region);
        if (country.empty()) {
            out.error = "no time zone is known for numbers of region " + region + ": give callWindow.timeZone";
            return out;
        }
    }
    try {
        auto at = next_allowed(now, w, country);
        if (!at) {
            out.error = "no time of day is inside callWindow in every time zone of the number's country: give "
                        "callWindow.timeZone or a wider window";
        } else if (*at > now) {
            out.defer_until = *at;
        }
    } catch (const std::exception& e) {
        out.error = std::string("callWindow: ") + e.what();
    }
    return out;
}

}  // namespace va::calling_window
