// Load generator for the Media Streams server: N concurrent streams, each doing what Twilio does
// (the signed voice webhook, a signed WebSocket upgrade, connected, start with the token, then a
// 20 ms μ-law frame every 20 ms), against one `voiceagent serve` process. Reads the server's CPU
// time (user and kernel apart) and RSS from /proc while the streams run, and times the greeting's
// media messages as they arrive (outbound pacing). It echoes the agent's marks as Twilio does:
// once the audio before each has played (at once after a clear).
// The frames cost the generator as little as it can: each stream's frame is built once as a
// masked WebSocket frame (mask key 0: the payload goes as written) whose sequence number, chunk
// and timestamp are fixed-width digit fields patched in place, and one timer sends every stream's
// frame with one send() each, spread over the 20 ms (stream i at millisecond i mod 20) as calls
// that began at different times would be. Usage:
//   stream_bench --url http://127.0.0.1:PORT --pid PID --token AUTH --call ID [--streams N] [--seconds S]
#include <sys/resource.h>
#include <sys/socket.h>

#include <cerrno>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
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
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket.hpp>
#include <pugixml.hpp>

#include "net/http_client.hpp"
#include "telephony/twilio/form.hpp"
#include "telephony/twilio/signature.hpp"
#include "telephony/twilio/stream_message.hpp"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
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

// A process's CPU seconds in user space and in the kernel, from /proc.
struct Cpu {
    double user = 0, kernel = 0;
    double total() const { return user + kernel; }
};
Cpu cpu_seconds(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::istringstream fields(text.substr(text.rfind(')') + 2));
    std::string f;
    long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && fields >> f; ++i) {
        if (i == 14) utime = std::stol(f);
        if (i == 15) stime = std::stol(f);
    }
    const auto tick = static_cast<double>(sysconf(_SC_CLK_TCK));
    return {static_cast<double>(utime) / tick, static_cast<double>(stime) / tick};
}

long rss_kib(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    }
    return 0;
}

// A whole masked (key 0) text frame of `json` (under 64 KiB), its length in the shortest form.
std::string masked_frame(const std::string& json) {
    std::string out{'\x81'};
    if (json.size() < 126) {
        out += static_cast<char>(0x80 | json.size());
    } else {
        out += {static_cast<char>(0x80 | 126), static_cast<char>(json.size() >> 8), static_cast<char>(json.size() & 0xFF)};
    }
    out.append(4, '\0');  // the mask key
    return out + json;
}

// One stream's media frame, ready to send: the WebSocket frame header (text, masked with key 0)
// and Twilio's JSON, whose counters are 10-digit fields rewritten before each send.
class RawFrame {
public:
    explicit RawFrame(const std::string& sid) {
        twilio::Media media;
        media.payload.assign(160, 0xFF);  // line silence: what a listening callee sends most of the time
        media.chunk = 8888888888;
        media.timestamp_ms = 7777777777;
        const auto json = twilio::to_json(twilio::InboundMessage{media}, 9999999999, sid);
        bytes_ = masked_frame(json);
        sequence_at_ = bytes_.find("9999999999");
        chunk_at_ = bytes_.find("8888888888");
        timestamp_at_ = bytes_.find("7777777777");
    }
    // The frame with sequence number `sequence` (the chunk is one less; 20 ms each).
    const std::string& with(std::uint64_t sequence) {
        put(sequence_at_, sequence);
        put(chunk_at_, sequence - 1);
        put(timestamp_at_, (sequence - 1) * 20);
        return bytes_;
    }

private:
    void put(std::size_t at, std::uint64_t value) {
        for (std::size_t i = 10; i-- > 0; value /= 10) bytes_[at + i] = static_cast<char>('0' + value % 10);
    }
    std::string bytes_;
    std::size_t sequence_at_ = 0, chunk_at_ = 0, timestamp_at_ = 0;
};

struct Sender {
    Sender(int socket, std::string stream_sid) : fd(socket), frame(stream_sid), sid(std::move(stream_sid)) {}
    int fd;
    RawFrame frame;
    std::uint64_t sequence = 2;  // connected and start were 0 and 1
    bool broken = false;
    // What Twilio does with the agent's audio: plays it in order, and echoes each mark once the
    // audio before it has played (at once after a clear).
    Clock::time_point played_until{};
    std::deque<std::pair<Clock::time_point, std::string>> marks;  // echoes due, in order
    std::string sid;  // the stream's

    bool send(const std::string& bytes) {
        const auto sent = ::send(fd, bytes.data(), bytes.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
        if (sent == static_cast<ssize_t>(bytes.size())) return true;
        if (!(sent < 0 && errno == EAGAIN)) broken = true;  // a partial frame cannot be taken back
        return false;
    }
    void echo(const std::string& name) {
        twilio::Mark mark;
        mark.name = name;
        if (send(masked_frame(twilio::to_json(twilio::InboundMessage{mark}, sequence, sid)))) ++sequence;
    }
    void echo_due(Clock::time_point now) {
        while (!broken && !marks.empty() && marks.front().first <= now) {
            echo(marks.front().second);
            marks.pop_front();
        }
    }
};

struct Shared {
    Options options;
    std::atomic<int> connected{0};
    std::atomic<int> failed{0};
    std::atomic<std::uint64_t> frames_sent{0};
    std::atomic<std::uint64_t> frames_skipped{0};  // not sent: the generator fell behind, or a socket was full
    std::atomic<bool> stop{false};
    std::atomic<int> ended_by_server{0};  // streams the server closed while the run went on
    std::vector<std::unique_ptr<Sender>> senders;  // by stream index; null until the stream has started
    std::vector<std::vector<double>> intervals;  // per stream: ms between greeting chunks
    std::vector<double> first_audio_ms;          // per stream: from sending start to the first media message
    std::vector<int> clears;                     // per stream: `clear` messages received
    std::vector<double> first_clear_s;           // per stream: from start to the first of them
};

using Ws = websocket::stream<beast::tcp_stream>;

std::string token_from(const std::string& twiml) {
    pugi::xml_document doc;
    doc.load_string(twiml.c_str());
    return doc.select_node("//Parameter[@name='Token']").node().attribute("value").value();
}

asio::awaitable<void> reader(std::shared_ptr<Ws> ws, Shared& shared, int index, Clock::time_point started) {
    const auto i = static_cast<std::size_t>(index);
    std::optional<Clock::time_point> last;
    int chunks = 0;  // of the utterance playing now
    beast::flat_buffer buffer;
    for (;;) {
        buffer.clear();
        auto [ec, n] = co_await ws->async_read(buffer, asio::as_tuple(asio::use_awaitable));
        if (ec) break;
        auto parsed = twilio::parse_outbound(beast::buffers_to_string(buffer.data()));
        auto* message = std::get_if<twilio::ParsedOutbound>(&parsed);
        auto* sender = shared.senders[i].get();
        if (!message || !sender) continue;
        const auto now = Clock::now();
        if (std::holds_alternative<twilio::Clear>(message->message)) {
            // The callee here never talks: a clear is the server's doing alone, and is counted.
            if (shared.clears[i]++ == 0) shared.first_clear_s[i] = std::chrono::duration<double>(now - started).count();
            for (auto& due : sender->marks) due.first = now;
            sender->echo_due(now);
            sender->played_until = now;
        } else if (auto* mark = std::get_if<twilio::OutboundMark>(&message->message)) {
            sender->marks.emplace_back(std::max(now, sender->played_until), mark->name);
            sender->echo_due(now);
        } else if (auto* media = std::get_if<twilio::OutboundMedia>(&message->message)) {
            sender->played_until = std::max(now, sender->played_until) +
                                   std::chrono::microseconds(static_cast<long long>(media->payload.size()) * 125);
            if (!last) shared.first_audio_ms[i] = std::chrono::duration<double, std::milli>(now - started).count();
            // An utterance's first two chunks are the lead, sent at once; then one per 100 ms. A
            // gap of a second or more is the next utterance.
            if (last && now - *last >= std::chrono::seconds(1)) chunks = 0;
            if (last && ++chunks > 2) shared.intervals[i].push_back(std::chrono::duration<double, std::milli>(now - *last).count());
            last = now;
        }
    }
    if (!shared.stop) ++shared.ended_by_server;
    // Its socket closes with `ws`, and the descriptor's number may soon be another connection's.
    if (auto* sender = shared.senders[i].get()) sender->broken = true;
}

// What Twilio posts to the voice webhook for call `index`. (Built outside the coroutine: g++ 12
// rejects braced pairs of string literals inside one.)
twilio::Params answered_form(int index) {
    return {{"CallSid", "CA" + std::string(32 - std::to_string(index).size(), '0') + std::to_string(index)},
            {"From", "+15005550006"},
            {"To", "+14155552671"},
            {"CallStatus", "in-progress"}};
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

// The webhook, the upgrade, connected and start; then the stream's frames are the ticker's.
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
    const std::string host = o.url.substr(7);  // "127.0.0.1:PORT"
    const std::string ws_url = "ws://" + host + "/webhooks/twilio/stream";
    auto ws = std::make_shared<Ws>(executor);
    const auto colon = host.rfind(':');
    const asio::ip::tcp::endpoint server{asio::ip::make_address(host.substr(0, colon)),
                                         static_cast<unsigned short>(std::stoi(host.substr(colon + 1)))};
    auto [connect_ec] = co_await beast::get_lowest_layer(*ws).async_connect(server, asio::as_tuple(asio::use_awaitable));
    const auto signature = twilio::compute_signature(o.token, ws_url, {});
    ws->set_option(websocket::stream_base::decorator(
        [signature](websocket::request_type& upgrade) { upgrade.set("X-Twilio-Signature", signature); }));
    boost::system::error_code ec = connect_ec;
    if (!ec) std::tie(ec) = co_await ws->async_handshake(host, "/webhooks/twilio/stream", asio::as_tuple(asio::use_awaitable));
    if (ec) {
        if (++shared.failed <= 3) std::cerr << "upgrade: " << ec.message() << "\n";
        co_return;
    }
    beast::get_lowest_layer(*ws).socket().set_option(asio::ip::tcp::no_delay(true));
    const std::string sid = "MZ" + std::string(32 - std::to_string(index).size(), '0') + std::to_string(index);
    const auto start = start_message(sid, form[0].second, o.call_id, token_from(answer.response->body));
    // Messages are built before co_await: g++ 12 destroys a temporary variant in a co_await
    // expression twice.
    auto connected = twilio::to_json(twilio::InboundMessage{twilio::Connected{}}, 0, "");
    auto start_json = twilio::to_json(twilio::InboundMessage{start}, 1, sid);
    ws->text(true);
    co_await ws->async_write(asio::buffer(connected), asio::use_awaitable);
    const auto started = Clock::now();
    co_await ws->async_write(asio::buffer(start_json), asio::use_awaitable);
    ++shared.connected;
    asio::co_spawn(executor, reader(ws, shared, index, started), asio::detached);
    shared.senders[static_cast<std::size_t>(index)] =
        std::make_unique<Sender>(beast::get_lowest_layer(*ws).socket().native_handle(), sid);
}

// Every millisecond, the frames of the streams whose turn it is (stream i at i mod 20 ms), one
// send() each. A tick more than 20 ms late sends nothing (no burst), and neither does a socket
// whose buffer is full: both are counted as skipped.
asio::awaitable<void> ticker(Shared& shared) {
    auto executor = co_await asio::this_coro::executor;
    asio::steady_timer timer(executor);
    auto next = Clock::now();
    for (std::uint64_t tick = 0; !shared.stop; ++tick) {
        next += std::chrono::milliseconds(1);
        timer.expires_at(next);
        co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        const bool late = Clock::now() - next > std::chrono::milliseconds(20);
        if (late) next = Clock::now();
        for (std::size_t i = tick % 20; i < shared.senders.size(); i += 20) {
            auto* sender = shared.senders[i].get();
            if (!sender || sender->broken) continue;
            if (late) {
                ++shared.frames_skipped;
                ++sender->sequence;
                continue;
            }
            if (sender->send(sender->frame.with(sender->sequence))) {
                ++sender->sequence;
                ++shared.frames_sent;
            } else {
                ++shared.frames_skipped;
            }
        }
        const auto now = Clock::now();
        for (auto& sender : shared.senders) {
            if (sender && !sender->marks.empty()) sender->echo_due(now);
        }
    }
    for (auto& sender : shared.senders) {
        if (sender) ::shutdown(sender->fd, SHUT_RDWR);  // its reader ends, and the server's session
    }
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
    shared.clears.assign(static_cast<std::size_t>(o.streams), 0);
    shared.first_clear_s.assign(static_cast<std::size_t>(o.streams), -1);
    const long rss_before = rss_kib(o.pid);

    shared.senders.resize(static_cast<std::size_t>(o.streams));
    asio::io_context io(1);
    asio::co_spawn(io, connect_all(shared), asio::detached);
    asio::co_spawn(io, ticker(shared), asio::detached);
    std::thread runner([&] { io.run(); });

    while (shared.connected + shared.failed < o.streams) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::this_thread::sleep_for(std::chrono::seconds(6));  // every greeting (~3.5 s) has played
    const long rss_connected = rss_kib(o.pid);
    const auto cpu0 = cpu_seconds(o.pid);
    const auto frames0 = shared.frames_sent.load();
    const auto t0 = Clock::now();
    std::this_thread::sleep_for(std::chrono::seconds(o.seconds));
    const auto cpu1 = cpu_seconds(o.pid);
    const auto frames1 = shared.frames_sent.load();
    const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
    const long rss_end = rss_kib(o.pid);
    shared.stop = true;
    runner.join();

    std::vector<double> all;
    for (const auto& v : shared.intervals) all.insert(all.end(), v.begin(), v.end());
    std::vector<double> jitter;
    for (double ms : all) jitter.push_back(std::abs(ms - 100.0));
    const double cpu = cpu1.total() - cpu0.total();
    const double user = cpu1.user - cpu0.user;
    const double frames = static_cast<double>(frames1 - frames0);
    rusage self{};
    getrusage(RUSAGE_SELF, &self);
    std::printf("streams %d connected, %d failed, %d ended by the server; %.0f s measured\n", shared.connected.load(),
                shared.failed.load(), shared.ended_by_server.load(), wall);
    std::printf("inbound frames %.0f (%.0f/s), skipped by the generator %llu\n", frames, frames / wall,
                static_cast<unsigned long long>(shared.frames_skipped.load()));
    std::printf("server CPU %.1f%% of one core, %.2f us per inbound frame: %.2f us user, %.2f us kernel\n",
                100 * cpu / wall, 1e6 * cpu / frames, 1e6 * user / frames, 1e6 * (cpu - user) / frames);
    std::printf("server RSS %ld KiB before, %ld KiB connected, %ld KiB at the end: %.1f KiB per stream\n", rss_before,
                rss_connected, rss_end, static_cast<double>(rss_end - rss_before) / std::max(1, shared.connected.load()));
    std::printf("greeting pacing: %zu chunk intervals, |interval - 100 ms| p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
                all.size(), percentile(jitter, 0.5), percentile(jitter, 0.99), percentile(jitter, 1.0));
    std::vector<double> first;
    for (double ms : shared.first_audio_ms)
        if (ms >= 0) first.push_back(ms);
    std::printf("first audio after start (%zu streams): p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", first.size(),
                percentile(first, 0.5), percentile(first, 0.99), percentile(first, 1.0));
    std::vector<double> clear_at;
    int clears = 0;
    for (std::size_t i = 0; i < shared.clears.size(); ++i) {
        clears += shared.clears[i];
        if (shared.clears[i] > 0) clear_at.push_back(shared.first_clear_s[i]);
    }
    std::printf("clear messages (the callee never talks): %d on %zu streams; the first of a stream at p50 %.1f s, "
                "min %.1f s after start\n",
                clears, clear_at.size(), percentile(clear_at, 0.5), percentile(clear_at, 0.0));
    std::printf("generator CPU %.1f s user, %.1f s sys\n", double(self.ru_utime.tv_sec) + double(self.ru_utime.tv_usec) / 1e6,
                double(self.ru_stime.tv_sec) + double(self.ru_stime.tv_usec) / 1e6);
    return shared.failed > 0 ? 1 : 0;
}
