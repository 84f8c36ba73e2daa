// Phrase spotting by normalised cross-correlation with each phrase's anchor; see phrase_spotter.hpp.
#include "support/phrase_spotter.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

namespace va::test {

namespace {

constexpr float kScale = 1.0f / 32768.0f;
// 20 dB in energy: quieter frames are not voice yet. (Not 30: flite opens some clips with a click
// about 24 dB below the loudest frame, and an anchor on it would be 200 ms of near silence, lost
// in line noise.)
constexpr double kVoicedBelowLoudest = 1e-2;
constexpr auto kFrame = static_cast<std::int64_t>(kSpotFrame);

double frame_energy(std::span<const std::int16_t> frame) {
    double sum = 0;
    for (const auto s : frame) sum += static_cast<double>(s) * s;
    return sum;
}

// The first 160-sample frame within 20 dB of the loudest; nullopt for a silent clip.
std::optional<std::size_t> first_voiced_frame(const std::vector<std::int16_t>& pcm) {
    const std::size_t frames = pcm.size() / kSpotFrame;
    std::vector<double> energies(frames);
    double loudest = 0;
    for (std::size_t f = 0; f < frames; ++f) {
        energies[f] = frame_energy(std::span(pcm).subspan(f * kSpotFrame, kSpotFrame));
        loudest = std::max(loudest, energies[f]);
    }
    if (loudest <= 0) return std::nullopt;
    for (std::size_t f = 0; f < frames; ++f)
        if (energies[f] >= loudest * kVoicedBelowLoudest) return f;
    return std::nullopt;
}

SpotterPhrase::Anchor anchor_at(const std::vector<std::int16_t>& pcm, std::size_t offset, std::size_t length) {
    SpotterPhrase::Anchor anchor;
    anchor.offset = static_cast<std::int64_t>(offset);
    anchor.samples.reserve(length);
    for (std::size_t i = 0; i < length; ++i) {
        const float x = static_cast<float>(pcm[offset + i]) * kScale;
        anchor.samples.push_back(x);
        anchor.energy += static_cast<double>(x) * x;
    }
    return anchor;
}

SpotterPhrase prepare(const DeepgramStandinPhrase& phrase) {
    SpotterPhrase out;
    out.text = phrase.text;
    out.length = static_cast<std::int64_t>(phrase.pcm.size());
    for (const auto s : phrase.pcm) out.samples.push_back(static_cast<float>(s) * kScale);
    for (const auto& word : phrase.words) out.words.push_back({word.text, static_cast<std::int64_t>(word.end.count()) * 8});
    const auto voiced = first_voiced_frame(phrase.pcm);
    if (!voiced) return out;
    // Whole frames only, so that an anchor ends on a boundary of the utterance too.
    const std::size_t first = *voiced * kSpotFrame;
    const std::size_t available = (phrase.pcm.size() - first) / kSpotFrame * kSpotFrame;
    out.anchors.push_back(anchor_at(phrase.pcm, first, std::min(kAnchorSamples, available)));
    for (std::size_t at = first + kAnchorSamples; at + kAnchorSamples <= phrase.pcm.size(); at += kAnchorSamples)
        out.anchors.push_back(anchor_at(phrase.pcm, at, kAnchorSamples));
    return out;
}

}  // namespace

Phrasebook make_phrasebook(const std::vector<DeepgramStandinPhrase>& phrases) {
    Phrasebook book;
    book.reserve(phrases.size());
    for (const auto& phrase : phrases) book.push_back(prepare(phrase));
    return book;
}

PhraseSpotter::PhraseSpotter(std::shared_ptr<const Phrasebook> book, double threshold)
    : book_(std::move(book)), threshold_(threshold) {
    reset();
}

void PhraseSpotter::reset() {
    audio_.clear();
    energy_.assign(1, 0.0);
    next_boundary_ = kFrame;
    busy_until_.assign(book_->size(), std::numeric_limits<std::int64_t>::min());
    candidates_.assign(book_->size(), std::nullopt);
    best_.assign(book_->size(), 0.0);
    pending_.clear();
    detections_.clear();
}

std::vector<SpottedWord> PhraseSpotter::feed(std::span<const std::int16_t> pcm) {
    for (const auto s : pcm) {
        const float x = static_cast<float>(s) * kScale;
        audio_.push_back(x);
        if (audio_.size() % kSpotFrame == 0) {
            const auto frame = std::span(audio_).last(kSpotFrame);
            double sum = 0;
            for (const float y : frame) sum += static_cast<double>(y) * y;
            energy_.push_back(energy_.back() + sum);
        }
    }
    for (; next_boundary_ <= samples(); next_boundary_ += kFrame) examine(next_boundary_);
    return said();
}

std::vector<SpottedWord> PhraseSpotter::finish() {
    for (std::size_t i = 0; i < candidates_.size(); ++i) {
        if (candidates_[i]) place(i, *candidates_[i]);
        candidates_[i].reset();
    }
    return said();
}

// Every phrase's first anchor against the audio just before `boundary`: about phrases × 1600
// multiply-adds per 20 ms of audio, the energies being precomputed. The later anchors only while
// the utterance's first 200 ms window can hold one (boundaries 1600 to 3040): a phrase whose voice
// began before the utterance has one starting there, at most 200 ms in.
void PhraseSpotter::examine(std::int64_t boundary) {
    const auto& book = *book_;
    const bool late_entry = boundary < 2 * static_cast<std::int64_t>(kAnchorSamples);
    for (std::size_t i = 0; i < book.size(); ++i) {
        const auto& anchors = book[i].anchors;
        std::optional<Candidate> here;
        for (std::size_t a = 0; a < anchors.size() && (a == 0 || late_entry); ++a) {
            const auto length = static_cast<std::int64_t>(anchors[a].samples.size());
            const std::int64_t start = boundary - length - anchors[a].offset;
            if (boundary < length || start < busy_until_[i]) continue;  // not all here yet; still in its last placement
            const double s = score(anchors[a], boundary);
            if (!here || s > here->score) here = Candidate{start, s};
        }
        if (!here) continue;
        best_[i] = std::max(best_[i], here->score);
        auto& candidate = candidates_[i];
        if (candidate && here->score > candidate->score) {
            candidate = here;  // still rising
        } else if (candidate && !late_entry) {
            // The previous boundary was the peak. (While the later anchors are looked for, the
            // best of them all: a middling match of one must not hide the right one.)
            place(i, *candidate);
            candidate.reset();
        } else if (!candidate && here->score >= threshold_) {
            candidate = here;
        }
    }
}

double PhraseSpotter::score(const SpotterPhrase::Anchor& anchor, std::int64_t boundary) const {
    const auto length = static_cast<std::int64_t>(anchor.samples.size());
    const auto frames_to = static_cast<std::size_t>(boundary / kFrame);
    const auto frames_from = static_cast<std::size_t>((boundary - length) / kFrame);
    const double energy = energy_[frames_to] - energy_[frames_from];
    if (energy <= 1e-9 || anchor.energy <= 0) return 0;  // (near) digital silence: nothing to correlate
    const float* x = audio_.data() + (boundary - length);
    const float* y = anchor.samples.data();
    // Eight running sums (the length is a multiple of 160): independent additions the compiler
    // can vectorise, where one sum would be a chain of 1600 dependent ones.
    float sums[8] = {};
    for (std::int64_t k = 0; k < length; k += 8)
        for (int j = 0; j < 8; ++j) sums[j] += x[k + j] * y[k + j];
    double dot = 0;
    for (const float s : sums) dot += s;
    return dot / std::sqrt(energy * anchor.energy);
}

void PhraseSpotter::place(std::size_t index, const Candidate& candidate) {
    const auto& phrase = (*book_)[index];
    const std::int64_t start = candidate.start;
    const std::size_t detection = detections_.size();
    detections_.push_back({index, start, candidate.score});
    busy_until_[index] = start + phrase.length;
    std::int64_t word_start = start + phrase.anchors.front().offset;
    for (std::size_t k = 0; k < phrase.words.size(); ++k) {
        const auto& word = phrase.words[k];
        const std::int64_t end = start + word.end;
        if (end > 0) {  // a word that ended before the utterance began was not heard
            SpottedWord heard{word.text, std::max<std::int64_t>(word_start, 0), end, k + 1 == phrase.words.size(),
                              detection};
            const auto at = std::upper_bound(pending_.begin(), pending_.end(), end,
                                             [](std::int64_t e, const SpottedWord& w) { return e < w.end; });
            pending_.insert(at, std::move(heard));
        }
        word_start = end;
    }
}

bool PhraseSpotter::confirmed(const Detection& detection, std::int64_t end) const {
    const auto& phrase = (*book_)[detection.phrase];
    const std::int64_t from = std::max<std::int64_t>(detection.start + phrase.anchors.front().offset, 0);
    double dot = 0, audio_energy = 0, clip_energy = 0;
    for (std::int64_t t = from; t < end; ++t) {
        const double x = audio_[static_cast<std::size_t>(t)];
        const double y = phrase.samples[static_cast<std::size_t>(t - detection.start)];
        dot += x * y;
        audio_energy += x * x;
        clip_energy += y * y;
    }
    return audio_energy > 0 && clip_energy > 0 && dot / std::sqrt(audio_energy * clip_energy) >= kConfirmThreshold;
}

bool PhraseSpotter::overlaps_another(std::size_t index) const {
    const auto& d = detections_[index];
    const auto end_of = [this](const Detection& x) { return x.start + (*book_)[x.phrase].length; };
    for (std::size_t i = 0; i < detections_.size(); ++i) {
        const auto& other = detections_[i];
        if (i == index || other.dropped || other.words_said == 0) continue;
        if (other.start < end_of(d) && d.start < end_of(other)) return true;
    }
    return false;
}

std::vector<SpottedWord> PhraseSpotter::said() {
    std::vector<SpottedWord> out;
    while (!pending_.empty() && pending_.front().end <= samples()) {
        auto word = std::move(pending_.front());
        pending_.erase(pending_.begin());
        auto& detection = detections_[word.detection];
        if (detection.dropped) continue;
        if (!confirmed(detection, word.end) || (detection.words_said == 0 && overlaps_another(word.detection))) {
            detection.dropped = true;  // a chance likeness: the phrase may be placed again
            busy_until_[detection.phrase] = std::numeric_limits<std::int64_t>::min();
            continue;
        }
        ++detection.words_said;
        out.push_back(std::move(word));
    }
    return out;
}

}  // namespace va::test
