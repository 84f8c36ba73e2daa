#include "speech/vad.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

namespace va::speech {
namespace {

constexpr double kRate = 8000.0;
constexpr int kBlock = 80;  // 10 ms
constexpr double kBlockSeconds = 0.01;
constexpr double kFullScale = 32768.0;
constexpr double kSilenceDbfs = -120.0;  // what an all-zero block measures, instead of -inf
constexpr double kSplitHz = 1500.0;
constexpr double kNoFloor = -std::numeric_limits<double>::infinity();

// Second-order Butterworth sections (RBJ audio EQ cookbook), Q = 1/sqrt(2): maximally flat.
enum class Pass { low, high };

template <typename Biquad>
Biquad butterworth(Pass pass, double hz) {
    const double w0 = 2.0 * std::numbers::pi * hz / kRate;
    const double alpha = std::sin(w0) / std::numbers::sqrt2;  // sin(w0) / (2 Q)
    const double c = std::cos(w0), a0 = 1.0 + alpha;
    const double edge = pass == Pass::low ? (1.0 - c) / 2.0 : (1.0 + c) / 2.0;
    const double middle = pass == Pass::low ? 1.0 - c : -(1.0 + c);
    return {edge / a0, middle / a0, edge / a0, -2.0 * c / a0, (1.0 - alpha) / a0};
}

double to_dbfs(double sum_of_squares) {
    const double mean_square = sum_of_squares / kBlock;
    return mean_square > 0 ? 10.0 * std::log10(mean_square / (kFullScale * kFullScale)) : kSilenceDbfs;
}

}  // namespace

Vad::Vad(VadOptions options) : options_(options) { reset(); }

void Vad::reset() {
    // The 200 Hz high-pass removes DC, mains hum and the rumble where most of a line's noise
    // lives; the split at 1.5 kHz puts voicing (low) and fricatives (high) in bands of their own,
    // so an "s" is seen in pink noise (weak up there) and a vowel in hiss.
    high_pass_ = butterworth<Biquad>(Pass::high, 200.0);
    bands_[0] = {butterworth<Biquad>(Pass::low, kSplitHz), 0, kNoFloor};
    bands_[1] = {butterworth<Biquad>(Pass::high, kSplitHz), 0, kNoFloor};
    block_fill_ = 0;
    speech_ = false;
    run_ = 0;
}

bool Vad::process(std::span<const std::int16_t> frame) {
    while (!frame.empty()) {
        const auto n = std::min(frame.size(), static_cast<std::size_t>(kBlock - block_fill_));
        filter(frame.first(n));
        frame = frame.subspan(n);
        block_fill_ += static_cast<int>(n);
        if (block_fill_ == kBlock) process_block();
    }
    return speech_;
}

// On copies: with no call inside the loop, the compiler keeps every filter's state in registers
// instead of storing and reloading it at each sample (which made each step wait on memory).
void Vad::filter(std::span<const std::int16_t> samples) {
    Biquad high_pass = high_pass_, low = bands_[0].filter, high = bands_[1].filter;
    double low_energy = bands_[0].energy, high_energy = bands_[1].energy;
    for (const std::int16_t sample : samples) {
        const double y = high_pass.step(sample);
        const double l = low.step(y), h = high.step(y);
        low_energy += l * l;
        high_energy += h * h;
    }
    high_pass_ = high_pass;
    bands_[0].filter = low;
    bands_[1].filter = high;
    bands_[0].energy = low_energy;
    bands_[1].energy = high_energy;
}

double Vad::noise_floor_db() const {
    double power = 0;
    for (const auto& band : bands_) power += std::pow(10.0, band.floor_db / 10.0);
    return power > 0 ? 10.0 * std::log10(power) : kNoFloor;
}

void Vad::process_block() {
    std::array<double, 2> db{};
    double total = 0;
    for (std::size_t i = 0; i < bands_.size(); ++i) {
        db[i] = to_dbfs(bands_[i].energy);
        total += bands_[i].energy;
        bands_[i].energy = 0;
    }
    block_fill_ = 0;

    // How far the block stands above the floor in its more telling band, judged against the
    // floors as they were before this block (a loud block must not raise its own bar).
    double excess = -std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < bands_.size(); ++i) excess = std::max(excess, db[i] - bands_[i].floor_db);
    const bool loud_enough = to_dbfs(total) >= options_.min_speech_dbfs;
    if (!speech_) {
        run_ = (loud_enough && excess > options_.start_db) ? run_ + 1 : 0;
        if (run_ >= options_.onset_blocks) {
            speech_ = true;
            run_ = 0;
        }
    } else {
        run_ = (!loud_enough || excess < options_.stop_db) ? run_ + 1 : 0;
        if (run_ >= options_.hangover_blocks) {
            speech_ = false;
            run_ = 0;
        }
    }

    // The floors start at the first audible block rather than at a guess: a guess too low would
    // make the first seconds of a noisy line speech, and digital silence before the line opens
    // says nothing about the line. (A callee whose first block is already speech loses that
    // word's onset; the next pause pulls the floor down.)
    if (std::isinf(bands_[0].floor_db)) {
        if (to_dbfs(total) < options_.min_speech_dbfs - 20.0) return;
        for (std::size_t i = 0; i < bands_.size(); ++i) bands_[i].floor_db = db[i];
        return;
    }
    for (std::size_t i = 0; i < bands_.size(); ++i) update_floor(bands_[i], db[i]);
}

// Independently of the decision, so a misjudged stretch cannot freeze the floor: down fast
// towards quieter blocks, up at a bounded rate and never above the block itself. Silence may not
// drag it down without bound (the next noise would be speech for seconds).
void Vad::update_floor(Band& band, double db) const {
    const double level = std::max(db, options_.min_speech_dbfs - 30.0);
    if (level < band.floor_db) {
        band.floor_db += (level - band.floor_db) * std::min(1.0, kBlockSeconds / options_.floor_fall_seconds);
    } else {
        band.floor_db = std::min(level, band.floor_db + options_.floor_rise_db_per_second * kBlockSeconds);
    }
}

}  // namespace va::speech
