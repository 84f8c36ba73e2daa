#pragma once
// Whether a recipient may be dialed now under its scheduled call's calling window: the zone is the
// recipient's own, else the call's, else every zone of the number's country (libphonenumber's
// region → zone1970.tab). Used by the dispatcher before each dial and by the API at creation.
#include <optional>
#include <string>

#include "core/clock.hpp"
#include "calling_window/time_zones.hpp"
#include "store/model.hpp"

namespace va::calling_window {

struct WindowCheck {
    std::optional<core::TimePoint> defer_until;  // set: not now, but at this instant
    std::string error;  // set: the window allows no instant for this number (no zone known, or the
                        // country's zones share no hour of it)
};

WindowCheck check_window(core::TimePoint now, const store::CallingWindow& window, const std::string& number,
                         const CountryZones& zones);

}  // namespace va::calling_window
