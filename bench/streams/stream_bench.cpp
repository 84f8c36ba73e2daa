// Load generator for the Media Streams server: N concurrent streams, each doing what Twilio does
// (the signed voice webhook, a signed WebSocket upgrade, connected, start with the token, then a
// 20 ms μ-law frame every 20 ms), against one `voiceagent serve` process. Reads the server's CPU
// time and RSS from /proc while the streams run, and times the greeting's media messages as they
// arrive (outbound pacing). Usage:
//   stream_bench --url http://127.0.0.1:PORT --pid PID --token AUTH --call ID [--streams N] [--seconds S]
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/as_tuple.hpp>
#include <pugixml.hpp>

#include "net/http_client.hpp"
#include "net/websocket.hpp"
#include "telephony/twilio/form.hpp"
#include "telephony/twilio/signature.hpp"
#include "telephony/twilio/stream_message.hpp"

namespace asio = boost::asio;
using namespace va;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
    std::string url;  // the server's public URL (http://127.0.0.1:PORT)
    int pid = 0;
    std::string token;
    std::string call_id;
    int streams = 2000;
    int seconds = 60;
};

// Server CPU seconds (user + system) and RSS in KiB, from /proc.
double cpu_seconds(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::istringstream fields(text.substr(text.rfind(')') + 2));
    std::string f;
    long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && fields >> f; ++i) {
        if (i == 14) utime = std::stol(f);
        if (i == 15) stime = std::stol(f);
    }
    return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

long rss_kib(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    }
    return 0;
}

struct Shared {
    Options options;
    std::atomic<int> connected{0};
    std::atomic<int> failed{0};
    std::atomic<std::uint64_t> frames_sent{0};
    std::atomic<std::uint64_t> frames_skipped{0};  // a tick came while the previous frame was still being written
    std::atomic<bool> stop{false};
    std::vector<std::vector<double>> intervals;  // per stream: ms between greeting chunks
    std::vector<double> first_audio_ms;          // per stream: from sending start to the first media message
};

std::string token_from(const std::string& twiml) {
    pugi::xml_document doc;
    doc.load_string(twiml.c_str());
    return doc.select_node("//Parameter[@name='Token']").node().attribute("value").value();
}

asio::awaitable<void> reader(std::shared_ptr<net::WebSocket> ws, Shared& shared, int index, Clock::time_point started) {
    std::optional<Clock::time_point> last;
    int media = 0;
    while (auto message = co_await ws->read()) {
        if (message->data.find("\"event\":\"media\"") == std::string::npos) continue;
        const auto now = Clock::now();
        if (!last) shared.first_audio_ms[static_cast<std::size_t>(index)] = std::chrono::duration<double, std::milli>(now - started).count();
        // The first two chunks are the lead, sent at once; from then on one per 100 ms.
        if (last && ++media > 2) shared.intervals[static_cast<std::size_t>(index)].push_back(
            std::chrono::duration<double, std::milli>(now - *last).count());
        last = now;
    }
}

// What Twilio posts to the voice webhook for call `index`. (Built outside the coroutine: g++ 12
// rejects braced pairs of string literals inside one.)
twilio::Params answered_form(int index) {
    return {{"CallSid", "CA" + std::string(32 - std::to_string(index).size(), '0') + std::to_string(index)},
            {"From", "+15005550006"},
            {"To", "+14155552671"},
            {"CallStatus", "in-progress"}};
}

net::Fields signed_upgrade(const std::string& token, const std::string& url) {
    return {{"X-Twilio-Signature", twilio::compute_signature(token, url, {})}};
}

twilio::Start start_message(const std::string& sid, const std::string& call_sid, const std::string& call_id,
                            const std::string& token) {
    twilio::Start start;
    start.stream_sid = sid;
    start.account_sid = "AC0123456789abcdef0123456789abcdef";
    start.call_sid = call_sid;
    start.custom_parameters = {{"ScheduledCallId", call_id}, {"IsOutbound", "true"}, {"Token", token}};
    return start;
}

asio::awaitable<void> stream(Shared& shared, int index) {
    auto executor = co_await asio::this_coro::executor;
    const auto& o = shared.options;
    const std::string attempt = o.call_id + "-" + std::to_string(index) + "-1";
    const std::string target = "/webhooks/twilio/incoming?scheduled_call_id=" + o.call_id + "&attempt=" + attempt;
    const auto form = answered_form(index);
    net::ClientRequest request;
    request.method = "POST";
    request.url = o.url + target;
    request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    request.headers.emplace_back("X-Twilio-Signature", twilio::compute_signature(o.token, o.url + target, form));
    request.body = twilio::encode_form(form);
    auto answer = co_await net::http_request(executor, request);
    if (!answer.response || answer.response->status != 200) {
        if (++shared.failed <= 3)
            std::cerr << "webhook: " << (answer.response ? std::to_string(answer.response->status) + " " + answer.response->body : answer.error) << "\n";
        co_return;
    }
    std::string ws_url = "ws" + o.url.substr(4) + "/webhooks/twilio/stream";
    auto connection = co_await net::connect_websocket(executor, ws_url, signed_upgrade(o.token, ws_url));
    if (!connection.socket) {
        if (++shared.failed <= 3) std::cerr << "upgrade: " << connection.error << "\n";
        co_return;
    }
    std::shared_ptr<net::WebSocket> ws(std::move(connection.socket));
    const std::string sid = "MZ" + std::string(32 - std::to_string(index).size(), '0') + std::to_string(index);
    const auto start = start_message(sid, form[0].second, o.call_id, token_from(answer.response->body));
    // Messages are built before co_await: g++ 12 destroys a temporary variant in a co_await
    // expression twice.
    auto connected = twilio::to_json(twilio::InboundMessage{twilio::Connected{}}, 0, "");
    auto start_json = twilio::to_json(twilio::InboundMessage{start}, 1, sid);
    co_await ws->write_text(std::move(connected));
    const auto started = Clock::now();
    co_await ws->write_text(std::move(start_json));
    ++shared.connected;
    asio::co_spawn(executor, reader(ws, shared, index, started), asio::detached);

    asio::steady_timer timer(executor);
    auto next = Clock::now();
    std::uint64_t sequence = 2;
    twilio::Media media;
    media.payload.assign(160, 0xFF);  // line silence: what a listening callee sends most of the time
    while (!shared.stop) {
        next += std::chrono::milliseconds(20);
        timer.expires_at(next);
        co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        if (Clock::now() - next > std::chrono::milliseconds(20)) {
            ++shared.frames_skipped;  // we fell behind: do not send a burst
            next = Clock::now();
        }
        media.chunk = sequence - 1;
        media.timestamp_ms = (sequence - 1) * 20;
        auto frame = twilio::to_json(twilio::InboundMessage{media}, sequence++, sid);
        if (!co_await ws->write_text(std::move(frame))) break;
        ++shared.frames_sent;
    }
    co_await ws->close();
}

// Connects in waves of 50 every 50 ms, as calls would be answered over a few seconds.
asio::awaitable<void> connect_all(Shared& shared) {
    auto executor = co_await asio::this_coro::executor;
    asio::steady_timer timer(executor);
    for (int i = 0; i < shared.options.streams; ++i) {
        asio::co_spawn(executor, stream(shared, i), asio::detached);
        if (i % 50 == 49) {
            timer.expires_after(std::chrono::milliseconds(50));
            co_await timer.async_wait(asio::use_awaitable);
        }
    }
}

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string k = argv[i], v = argv[i + 1];
        if (k == "--url") o.url = v;
        else if (k == "--pid") o.pid = std::stoi(v);
        else if (k == "--token") o.token = v;
        else if (k == "--call") o.call_id = v;
        else if (k == "--streams") o.streams = std::stoi(v);
        else if (k == "--seconds") o.seconds = std::stoi(v);
        else {
            std::cerr << "unknown option " << k << "\n";
            return 2;
        }
    }
    if (o.url.empty() || !o.pid || o.token.empty() || o.call_id.empty()) {
        std::cerr << "usage: stream_bench --url URL --pid PID --token AUTH --call ID [--streams N] [--seconds S]\n";
        return 2;
    }
    Shared shared;
    shared.options = o;
    shared.intervals.resize(static_cast<std::size_t>(o.streams));
    shared.first_audio_ms.assign(static_cast<std::size_t>(o.streams), -1);
    const long rss_before = rss_kib(o.pid);

    asio::io_context io(1);
    asio::co_spawn(io, connect_all(shared), asio::detached);
    std::thread runner([&] { io.run(); });

    while (shared.connected + shared.failed < o.streams) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::this_thread::sleep_for(std::chrono::seconds(6));  // every greeting (~3.5 s) has played
    const long rss_connected = rss_kib(o.pid);
    const double cpu0 = cpu_seconds(o.pid);
    const auto frames0 = shared.frames_sent.load();
    const auto t0 = Clock::now();
    std::this_thread::sleep_for(std::chrono::seconds(o.seconds));
    const double cpu1 = cpu_seconds(o.pid);
    const auto frames1 = shared.frames_sent.load();
    const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
    const long rss_end = rss_kib(o.pid);
    shared.stop = true;
    runner.join();

    std::vector<double> all;
    for (const auto& v : shared.intervals) all.insert(all.end(), v.begin(), v.end());
    std::vector<double> jitter;
    for (double ms : all) jitter.push_back(std::abs(ms - 100.0));
    const double cpu = cpu1 - cpu0;
    const double frames = static_cast<double>(frames1 - frames0);
    rusage self{};
    getrusage(RUSAGE_SELF, &self);
    std::printf("streams %d connected, %d failed; %.0f s measured\n", shared.connected.load(), shared.failed.load(), wall);
    std::printf("inbound frames %.0f (%.0f/s), skipped by the generator %llu\n", frames, frames / wall,
                static_cast<unsigned long long>(shared.frames_skipped.load()));
    std::printf("server CPU %.1f%% of one core, %.2f us per inbound frame\n", 100 * cpu / wall, 1e6 * cpu / frames);
    std::printf("server RSS %ld KiB before, %ld KiB connected, %ld KiB at the end: %.1f KiB per stream\n", rss_before,
                rss_connected, rss_end, static_cast<double>(rss_end - rss_before) / std::max(1, shared.connected.load()));
    std::printf("greeting pacing: %zu chunk intervals, |interval - 100 ms| p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
                all.size(), percentile(jitter, 0.5), percentile(jitter, 0.99), percentile(jitter, 1.0));
    std::vector<double> first;
    for (double ms : shared.first_audio_ms)
        if (ms >= 0) first.push_back(ms);
    std::printf("first audio after start (%zu streams): p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", first.size(),
                percentile(first, 0.5), percentile(first, 0.99), percentile(first, 1.0));
    std::printf("generator CPU %.1f s user, %.1f s sys\n", double(self.ru_utime.tv_sec) + double(self.ru_utime.tv_usec) / 1e6,
                double(self.ru_stime.tv_sec) + double(self.ru_stime.tv_usec) / 1e6);
    return shared.failed > 0 ? 1 : 0;
}
