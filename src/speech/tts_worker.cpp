#include "speech/tts_worker.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <optional>
#include <span>

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "media/resampler.hpp"
#include "speech/engines.hpp"

extern char** environ;

namespace va::speech {

namespace {

constexpr int kOutRate = 8000;
constexpr int kResamplerQuality = 5;  // as offline_tts.cpp: 3-5 ms of delay, >= 47 dB in band
constexpr std::int32_t kMaxChunkSamples = 10 * kOutRate;  // engines hand over far less at a time

// A worker that died makes a write to it fail with EPIPE; the SIGPIPE that comes with it would end
// this whole process. Blocked in the writing thread, it stays pending there, and harmless.
void block_sigpipe() {
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
}

bool write_all(int fd, const void* data, std::size_t size) {
    const auto* p = static_cast<const char*>(data);
    while (size > 0) {
        const auto n = ::write(fd, p, size);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        p += n;
        size -= static_cast<std::size_t>(n);
    }
    return true;
}

bool read_all(int fd, void* data, std::size_t size) {
    auto* p = static_cast<char*>(data);
    while (size > 0) {
        const auto n = ::read(fd, p, size);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        p += n;
        size -= static_cast<std::size_t>(n);
    }
    return true;
}

bool write_frame(int fd, std::span<const std::int16_t> samples) {
    const auto n = static_cast<std::int32_t>(samples.size());
    return write_all(fd, &n, sizeof n) && write_all(fd, samples.data(), samples.size_bytes());
}

bool write_end(int fd, const std::string& failure) {
    const auto n = -static_cast<std::int32_t>(failure.size());
    return write_all(fd, &n, sizeof n) && write_all(fd, failure.data(), failure.size());
}

}  // namespace

int run_tts_worker(const Voice& voice, int in, int out) {
    ::signal(SIGPIPE, SIG_IGN);  // a parent that went away is a failed write, not a signal
    for (;;) {
        std::uint32_t length = 0;
        if (!read_all(in, &length, sizeof length)) return 0;
        if (length > kMaxTextBytes) {
            std::cerr << "tts-worker: a text of " << length << " bytes (at most " << kMaxTextBytes << ")\n";
            return 2;
        }
        std::string text(length, '\0');
        if (!read_all(in, text.data(), length)) return 0;
        std::string failure;
        bool written = true;
        try {
            std::optional<media::Resampler> resampler;
            synthesize_native(voice, text, [&](std::span<const std::int16_t> chunk, int rate) {
                if (rate == kOutRate) return written = write_frame(out, chunk);
                if (!resampler) resampler.emplace(rate, kOutRate, kResamplerQuality);
                if (auto resampled = resampler->process(chunk); !resampled.empty()) written = write_frame(out, resampled);
                return written;
            });
            if (resampler && written) {
                if (auto tail = resampler->flush(); !tail.empty()) written = write_frame(out, tail);
            }
        } catch (const std::exception& e) {
            failure = e.what();
            if (failure.empty()) failure = "synthesis failed";
        }
        if (!written || !write_end(out, failure)) return 0;
    }
}

TtsWorkerProcess::~TtsWorkerProcess() { stop(); }

std::string TtsWorkerProcess::start() {
    if (pid_ != 0) return "";
    block_sigpipe();
    int to[2], from[2];
    if (::pipe2(to, O_CLOEXEC) != 0) return std::string("pipe: ") + std::strerror(errno);
    if (::pipe2(from, O_CLOEXEC) != 0) {
        ::close(to[0]);
        ::close(to[1]);
        return std::string("pipe: ") + std::strerror(errno);
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, to[0], STDIN_FILENO);  // dup2 clears close-on-exec
    posix_spawn_file_actions_adddup2(&actions, from[1], STDOUT_FILENO);
    std::vector<char*> argv;
    for (auto& arg : command_) argv.push_back(arg.data());
    argv.push_back(nullptr);
    // The child starts with no signal blocked (this thread blocks SIGPIPE) and default handlers.
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setsigdefault(&attributes, &all);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    pid_t pid = 0;
    const int spawned = ::posix_spawn(&pid, argv[0], &actions, &attributes, argv.data(), environ);
    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&actions);
    ::close(to[0]);
    ::close(from[1]);
    if (spawned != 0) {
        ::close(to[1]);
        ::close(from[0]);
        return "cannot start the TTS worker " + command_.front() + ": " + std::strerror(spawned);
    }
    pid_ = pid;
    to_child_ = to[1];
    from_child_ = from[0];
    return "";
}

void TtsWorkerProcess::stop() {
    if (pid_ == 0) return;
    ::close(to_child_);  // the worker's read ends: it exits
    ::close(from_child_);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = 0;
    to_child_ = from_child_ = -1;
}

std::string TtsWorkerProcess::speak(const std::string& text, const std::atomic<bool>& canceled,
                                    const std::function<void(std::vector<std::int16_t>)>& on_chunk) {
    if (text.size() > kMaxTextBytes) return "a text of " + std::to_string(text.size()) + " bytes is too long to speak";
    if (pid_ == 0) {
        if (auto failed = start(); !failed.empty()) return failed;
    }
    const auto length = static_cast<std::uint32_t>(text.size());
    if (!write_all(to_child_, &length, sizeof length) || !write_all(to_child_, text.data(), text.size())) {
        stop();
        return "the TTS worker is gone";
    }
    for (;;) {
        std::int32_t n = 0;
        if (!read_all(from_child_, &n, sizeof n)) break;
        if (n == 0) return "";
        if (n > kMaxChunkSamples) break;  // not our worker's speech: start afresh
        if (n < 0) {
            std::string failure(std::min<std::size_t>(static_cast<std::size_t>(-static_cast<std::int64_t>(n)), kMaxTextBytes), '\0');
            if (!read_all(from_child_, failure.data(), failure.size())) break;
            return failure;
        }
        std::vector<std::int16_t> chunk(static_cast<std::size_t>(n));
        if (!read_all(from_child_, chunk.data(), chunk.size() * sizeof(std::int16_t))) break;
        if (!canceled.load()) on_chunk(std::move(chunk));
    }
    stop();
    return "the TTS worker died while speaking";
}

}  // namespace va::speech
