#pragma once
// A TimeSource for tests: its clocks stand still until the test moves them, and its timers fire
// only then, in order of deadline. A waiting timer does not keep an io_context running, so a
// test runs its io_context until no handler is ready, then moves time on to the next deadline
// (run_until in tests/support/simulated_run.hpp does exactly that). Thread-safe.
//
// Declare the io_context before the SimulatedTime: coroutines still waiting when the test ends
// are unwound through their executor, so it must outlive this.
#include <cstdint>
#include <memory>
#include <optional>

#include "timing/time_source.hpp"

namespace va::timing {

class SimulatedTime final : public TimeSource {
public:
    explicit SimulatedTime(core::TimePoint wall_start);
    ~SimulatedTime() override;

    core::TimePoint now() const override;
    SteadyTime steady_now() const override;
    std::unique_ptr<TimerImpl> make_timer(boost::asio::any_io_executor executor) override;

    // Moves both clocks by `by` and fires (posts to their executors) every timer due by then. The
    // timers those handlers arm are left for the next call: to step through them, use run_until.
    void advance(Duration by);
    // Moves both clocks to the earliest waiting deadline and fires the timers due then; false
    // (and nothing moves) when no timer waits.
    bool advance_to_next();
    // Sets the wall clock alone (a jump, as NTP makes one); steady time and timers do not move.
    void set(core::TimePoint wall);
    // The earliest deadline a timer waits for; a timer set to SteadyTime::max() waits to be
    // cancelled (the wake-up idiom) and has none.
    std::optional<SteadyTime> next_deadline() const;
    std::size_t waiting() const;

    struct State;  // shared with the timers, which may outlive this

private:
    void fire_until(SteadyTime until);

    std::shared_ptr<State> state_;
};

}  // namespace va::timing
