#pragma once
// The whole API in-process, without sockets: a real SQLite store in a temp dir, a manual clock,
// and requests run through Api::handler() on a private io_context.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "api/api.hpp"
#include "core/time_format.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "support/run_handler.hpp"
#include "support/temp_dir.hpp"
#include "timing/simulated_time.hpp"

namespace va::api::test {

inline const core::TimePoint kNow = *core::parse_rfc3339("2026-11-25T12:00:00Z");

struct Reply {
    unsigned status = 0;
    boost::json::value json;  // null when the body is not JSON
    net::Response raw;
    std::string error_code() const { return std::string(json.at("error").at("code").as_string()); }
    std::string error_field() const {
        auto* f = json.at("error").as_object().if_contains("field");
        return f ? std::string(f->as_string()) : "";
    }
    std::optional<std::string> header(std::string_view name) const {
        for (auto& [k, v] : raw.headers) {
            if (net::equals_ignore_case(k, name)) return v;
        }
        return std::nullopt;
    }
};

// Loaded once for every test (it reads tzdata's zone1970.tab).
inline const calling_window::CountryZones& country_zones() {
    static const calling_window::CountryZones zones;
    return zones;
}

class ApiHarness {
public:
    explicit ApiHarness(ApiOptions options = {}, core::PhonePolicy policy = {})
        : store_(store::sqlite::SqliteStore::open(dir_.file("api.db"))),
          context_{*store_,       pool_, pool_, clock_, metrics_, core::PhoneValidator(std::move(policy)),
                   country_zones(), std::move(options), {}, {}, {}},
          api_(context_) {}

    Reply call(const std::string& method, const std::string& target, const std::string& body = "",
               net::Fields headers = {{"Content-Type", "application/json"}}, bool loopback = true) {
        net::Request request;
        request.method = method;
        if (!net::set_target(request, target)) throw std::invalid_argument("bad target " + target);
        request.body = body;
        request.headers = std::move(headers);
        // What curl sends to the server's loopback address; a test that is about Host sets its own.
        bool has_host = false;
        for (const auto& [name, value] : request.headers) has_host |= net::equals_ignore_case(name, "Host");
        if (!has_host) request.headers.emplace_back("Host", "127.0.0.1:8080");
        request.remote_address = loopback ? "127.0.0.1" : "203.0.113.9";
        request.from_loopback = loopback;
        request.request_id = "test";
        auto out = va::test::run_handler(api_.handler(), std::move(request));
        Reply reply{out.status, nullptr, out};
        boost::json::error_code ec;
        auto parsed = boost::json::parse(out.body, ec);
        if (!ec) reply.json = std::move(parsed);
        return reply;
    }

    // Creates a prompt and returns its id.
    std::string make_prompt(const std::string& name = "Reminder") {
        auto reply = call("POST", "/api/prompts",
                          R"({"name":")" + name + R"(","content":"You are a polite assistant.","introduction":"Hello!"})");
        return std::string(reply.json.at("id").as_string());
    }

    timing::SimulatedTime& clock() { return clock_; }
    store::Store& store() { return *store_; }
    ApiContext& context() { return context_; }
    const Api& api() const { return api_; }
    Api& api() { return api_; }

private:
    va::test::TempDir dir_;
    std::unique_ptr<store::Store> store_;
    boost::asio::thread_pool pool_{4};
    timing::SimulatedTime clock_{kNow};
    core::MetricsRegistry metrics_;
    ApiContext context_;
    Api api_;
};

}  // namespace va::api::test
