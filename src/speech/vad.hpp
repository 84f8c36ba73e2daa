#pragma once
// Voice activity detection on the call's inbound audio (8 kHz mono 16-bit, decoded from μ-law):
// an energy detector whose threshold rides on an adaptive estimate of the line's noise floor,
// in two bands (below and above 1.5 kHz) so that vowels and fricatives are both seen whatever
// the colour of the noise.
// It answers "is this frame speech?" with little smoothing of its own; the conversation engine
// builds turns (minimum speech, end-of-turn silence) on top of process().
// Not speexdsp's VAD: measured on phone audio, it marks line noise as speech.
// Not thread-safe: one instance per call, fed in order.
#include <array>
#include <cstdint>
#include <span>

namespace va::speech {

struct VadOptions {
    // Speech starts when a 10 ms block is this far above the noise floor in either band, and goes
    // on while blocks stay above stop_db (hysteresis: the tail of a word is quieter than its
    // start). On flite speech in pink noise, start_db from 3 to 9 dB gave the same onsets within
    // 10 ms and no false alarm on steady noise; 9 keeps a margin for noise that is not steady.
    double start_db = 9.0;
    double stop_db = 5.0;
    // The floor follows quieter audio quickly (time constant in seconds) and louder audio slowly
    // (dB per second): pauses between words pull it back down, so speech hardly lifts it, while a
    // lasting rise of the noise (a car passing, a louder line) is absorbed within a few seconds.
    double floor_fall_seconds = 0.05;
    double floor_rise_db_per_second = 6.0;
    // Nothing quieter than this (dBFS, block RMS) is ever speech, whatever the floor: digital
    // silence, comfort noise and a dead line stay silent. Phone speech sits around -20..-35 dBFS.
    double min_speech_dbfs = -55.0;
    // Consecutive 10 ms blocks above start_db that make an onset (2 = 20 ms: one click is not
    // speech), and below stop_db that end it: 50 ms of hangover bridges the dips inside a word
    // without blurring the end (the turn logic above adds its own 600 ms).
    int onset_blocks = 2;
    int hangover_blocks = 5;
};

class Vad {
public:
    explicit Vad(VadOptions options = {});

    // Feeds one frame of any length (usually 160 samples = 20 ms); returns true while the audio at
    // the end of this frame is speech. Samples that do not fill a 10 ms block wait for the next
    // frame.
    bool process(std::span<const std::int16_t> frame);
    // Forgets everything: floor, state, filter memory and the partial block.
    void reset();
    // The noise floor estimate in dBFS, both bands together (for logs and tests); -inf before
    // any audible block.
    double noise_floor_db() const;
    bool speech() const { return speech_; }

private:
    struct Biquad {
        double b0, b1, b2, a1, a2;
        double x1 = 0, x2 = 0, y1 = 0, y2 = 0;
        // Inline: three filters step per sample, 160 samples a frame, on every call's every
        // frame; a call per step cost more than the arithmetic (12% of a media frame's CPU).
        double step(double x) {
            const double y = b0 * x + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
            x2 = x1;
            x1 = x;
            y2 = y1;
            y1 = y;
            return y;
        }
    };
    struct Band {
        Biquad filter;
        double energy = 0;  // sum of squares in the current block
        double floor_db = 0;
    };

    void filter(std::span<const std::int16_t> samples);  // within one block
    void process_block();
    void update_floor(Band& band, double db) const;

    VadOptions options_;
    Biquad high_pass_;          // 200 Hz, ahead of both bands
    std::array<Band, 2> bands_; // below and above 1.5 kHz
    int block_fill_ = 0;
    bool speech_ = false;
    int run_ = 0;  // consecutive blocks arguing for a change of state
};

}  // namespace va::speech
