#pragma once
// Which of a known set of clips is being said in an utterance's audio, and when each of its words
// ends: the "listening" of the Deepgram stand-in's phrase mode (deepgram_standin.hpp). The clips
// are the phone simulator's scripted callee's, so they arrive sample for sample (through μ-law),
// starting on a 160-sample boundary of the utterance, but with line noise and echo mixed in.
// Pure logic on 8 kHz PCM: no sockets, no clocks.
//
// Each phrase has an anchor: 200 ms of it from its first voiced 20 ms frame. At every 160-sample
// boundary of the utterance the 200 ms just before it are compared with every anchor by normalised
// cross-correlation; a score at or above the threshold, at its peak (one boundary later it is
// lower), places the phrase, and its words are said as the audio reaches each word's end. A phrase
// whose voice began before the utterance (its pre-roll came late) is placed by its later anchors,
// every 200 ms after the first, looked for in the utterance's first 400 ms only (and nothing is
// placed before those 400 ms are in: the best match of them all wins); the words that ended
// before the utterance's first sample are not heard.
//
// A placement is a guess until the audio confirms it: a word is said only when the audio from the
// phrase's voice to that word's end still matches the clip (the same correlation over that whole
// span, held to the stricter kConfirmThreshold); one that does not is dropped with the rest of
// its words. (The callee's voice has one pitch, so 200 ms of two different phrases can correlate
// by chance; whole words do not.) The callee says one clip at a time: a placement that overlaps
// one whose words are being said is dropped too ("No wait, ..." holds the "wait" that opens
// "Wait, actually ...").
//
// Cost: phrases × 1600 multiply-adds per 20 ms of audio, and at each utterance's start, for 200 ms,
// that many again per later anchor (a 2 s phrase has 9); and per word said, its phrase so far.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "support/deepgram_standin.hpp"

namespace va::test {

inline constexpr std::size_t kSpotFrame = 160;       // 20 ms: clips and utterances start on these
inline constexpr std::size_t kAnchorSamples = 1600;  // 200 ms
// Correlation that places a phrase. Seen in phrase_spotter_test.cpp (flite kal, through μ-law):
// the right phrase 0.9999 clean, 0.96-0.98 under white noise at 10 dB SNR with a -20 dB echo, and
// 0.75 or more by a later anchor under that noise (except for a clip cut down to its last word's
// tail); a phrase not in the book at most 0.40, noise 0.08. (Measured once by hand: "no thanks"
// against a book holding "no" scored 0.53: a one-word clip that opens another comes closest.)
inline constexpr double kSpotThreshold = 0.65;
// Correlation that confirms a placement, over the phrase's audio so far: right ones score 0.96 or
// more even at 10 dB; a drawn-out "okay" whose opening passed for the "sorry" of "Sorry, can I
// ask something first?" at 0.65 (the quality bench's only false words) stays under it.
inline constexpr double kConfirmThreshold = 0.8;

// A phrase as the spotter looks for it, prepared once and shared by every connection.
struct SpotterPhrase {
    struct Anchor {
        std::int64_t offset = 0;     // samples into the clip, a multiple of 160
        std::vector<float> samples = {};  // a multiple of 160, at most 1600
        double energy = 0;           // their sum of squares
    };
    struct Word {
        std::string text = {};
        std::int64_t end = 0;  // samples into the clip
    };
    std::string text = {};
    std::int64_t length = 0;  // samples
    std::vector<float> samples = {};  // the whole clip, scaled like the anchors, to confirm a placement
    // [0]: from the first voiced frame (shorter if the clip is); then every 200 ms after it, whole
    // ones only. None: a silent clip, never spotted.
    std::vector<Anchor> anchors = {};
    std::vector<Word> words = {};
};
using Phrasebook = std::vector<SpotterPhrase>;

Phrasebook make_phrasebook(const std::vector<DeepgramStandinPhrase>& phrases);

// A word heard in the utterance. Offsets are samples from the utterance's first sample.
struct SpottedWord {
    std::string text = {};
    std::int64_t start = 0;  // where its phrase's previous word ended (the first: the phrase's voice); ≥ 0
    std::int64_t end = 0;    // > 0
    bool last = false;       // its phrase's last word
    std::size_t detection = 0;  // which of detections() said it
};

struct Detection {
    std::size_t phrase = 0;  // index in the phrasebook
    std::int64_t start = 0;  // utterance offset of the clip's first sample (< 0: before the utterance)
    double score = 0;
    bool dropped = false;  // the audio after the anchor did not match: none of its later words were said
    std::size_t words_said = 0;
};

class PhraseSpotter {
public:
    explicit PhraseSpotter(std::shared_ptr<const Phrasebook> book, double threshold = kSpotThreshold);

    // More of the current utterance's audio (any length). Returns the words whose end this audio
    // reached (or that were placed only now, their end already past), in time order.
    std::vector<SpottedWord> feed(std::span<const std::int16_t> pcm);
    // The utterance is over: a match still waiting for its peak counts. Returns the words that
    // makes said. Call reset() before the next utterance.
    std::vector<SpottedWord> finish();
    void reset();

    std::int64_t samples() const { return static_cast<std::int64_t>(audio_.size()); }
    const std::vector<Detection>& detections() const { return detections_; }  // this utterance's, in order
    // This utterance's highest correlation with each phrase's anchor so far (for tests and tuning).
    const std::vector<double>& best_scores() const { return best_; }
    const Phrasebook& phrasebook() const { return *book_; }

private:
    struct Candidate {
        std::int64_t start = 0;  // where the phrase would have started
        double score = 0;
    };
    void examine(std::int64_t boundary);
    double score(const SpotterPhrase::Anchor& anchor, std::int64_t boundary) const;
    void place(std::size_t phrase, const Candidate& candidate);
    // Whether the audio from the phrase's voice up to `end` (utterance samples) still matches it.
    bool confirmed(const Detection& detection, std::int64_t end) const;
    // Whether another placement over the same audio has said words already.
    bool overlaps_another(std::size_t detection) const;
    std::vector<SpottedWord> said();

    std::shared_ptr<const Phrasebook> book_;
    double threshold_;
    std::vector<float> audio_;                     // the utterance, scaled to [-1, 1)
    std::vector<double> energy_;                   // energy_[k]: sum of squares of the first k frames
    std::int64_t next_boundary_ = kSpotFrame;      // the next boundary to examine
    std::vector<std::int64_t> busy_until_;         // per phrase: the end of its last placement
    std::vector<std::optional<Candidate>> candidates_;  // per phrase: a match waiting for its peak
    std::vector<SpottedWord> pending_;             // placed, not yet said; by end
    std::vector<Detection> detections_;
    std::vector<double> best_;
};

}  // namespace va::test
