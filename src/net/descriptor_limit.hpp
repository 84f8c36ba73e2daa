#pragma once
// The process's open-descriptor limit. Every connection costs one descriptor, and Linux's default
// soft limit (often 1024) is far below what the kernel allows (the hard limit): raise it once at
// start-up so that a burst of clients does not exhaust descriptors long before memory or CPU.
#include <cstdint>

namespace va::net {

// Raises RLIMIT_NOFILE's soft limit to its hard limit (to the kernel's nr_open when the hard limit
// is unlimited) and returns the soft limit now in effect; on failure, the unchanged one.
std::uint64_t raise_descriptor_limit();

}  // namespace va::net
