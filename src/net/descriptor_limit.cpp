#include "net/descriptor_limit.hpp"

#include <sys/resource.h>

#include <fstream>

namespace va::net {

std::uint64_t raise_descriptor_limit() {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
    rlim_t target = limit.rlim_max;
    if (target == RLIM_INFINITY) {
        // Linux refuses a soft limit above fs.nr_open, and "unlimited" is above it.
        unsigned long long nr_open = 0;
        std::ifstream("/proc/sys/fs/nr_open") >> nr_open;
        if (nr_open == 0) return limit.rlim_cur;
        target = static_cast<rlim_t>(nr_open);
    }
    if (target <= limit.rlim_cur) return limit.rlim_cur;
    rlimit raised{target, limit.rlim_max};
    if (::setrlimit(RLIMIT_NOFILE, &raised) != 0) return limit.rlim_cur;
    return target;
}

}  // namespace va::net
