#pragma once
// Counts the allocations (every form of operator new) made on the threads that ask for it. Link
// allocation_counter.cpp into a test executable of its own: it replaces the global operator new
// and delete there (with malloc and free, so sanitizers still see every block).
#include <cstdint>

namespace va::test {

// From now on, this thread's allocations are counted.
void count_allocations_on_this_thread();
// How many have been counted so far, on every thread that asked.
std::uint64_t allocations_counted();

}  // namespace va::test
