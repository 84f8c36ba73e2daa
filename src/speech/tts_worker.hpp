#pragma once
// Offline synthesis in a process of its own. espeak-ng (and flite) keep their state in process
// globals, so one process synthesises one text at a time; a pool of worker processes lets
// simultaneous answers start at once instead of queueing behind one synthesis (issue 21: 40 answers
// at once waited up to half a second for their first audio behind one lock).
//
// The wire, over the child's stdin and stdout (native byte order: both ends are this binary):
//   request:  u32 length, then that many bytes of UTF-8 text (at most kMaxTextBytes)
//   response: frames of i32 n: n > 0 then n samples of 8 kHz mono int16 PCM; 0: spoken in full;
//             n < 0: failed, then -n bytes saying why. One response per request, in order.
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <sys/types.h>

#include "speech/voice.hpp"

namespace va::speech {

inline constexpr std::uint32_t kMaxTextBytes = 64 * 1024;

// The child's side: answers requests from `in` with `voice` until `in` closes (returns 0) or a
// request is malformed (returns 2, saying why on stderr).
int run_tts_worker(const Voice& voice, int in, int out);

// The parent's side: one worker process, started on first use and again after it died. Used by
// one thread at a time.
class TtsWorkerProcess {
public:
    // `command`: the program and its arguments (e.g. {"/proc/self/exe", "tts-worker", "--voice", "espeak:en-us"}).
    explicit TtsWorkerProcess(std::vector<std::string> command) : command_(std::move(command)) {}
    ~TtsWorkerProcess();
    TtsWorkerProcess(const TtsWorkerProcess&) = delete;
    TtsWorkerProcess& operator=(const TtsWorkerProcess&) = delete;

    // Speaks `text`, handing each chunk to `on_chunk` until `canceled` is set (the rest is read
    // and dropped, so the worker is ready for the next text). "" when spoken in full (or
    // canceled), else what failed; a worker that died is started afresh for the next text.
    std::string speak(const std::string& text, const std::atomic<bool>& canceled,
                      const std::function<void(std::vector<std::int16_t>)>& on_chunk);

    pid_t pid() const { return pid_; }  // 0 while none runs
    // Starts the worker now rather than on the first text (a process start takes milliseconds,
    // which the first answers would wait for); "" when it runs, else why not (speak tries again).
    std::string start();

private:
    void stop();

    std::vector<std::string> command_;
    pid_t pid_ = 0;
    int to_child_ = -1;
    int from_child_ = -1;
};

}  // namespace va::speech
