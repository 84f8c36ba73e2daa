#include "web_ui/assets.hpp"

#include <algorithm>

namespace va::web_ui {

namespace {

constexpr std::string_view kPolicy = "default-src 'self'; media-src 'self' blob:";

std::string_view content_type(std::string_view name) {
    static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
        {".html", "text/html; charset=utf-8"},  {".js", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},    {".svg", "image/svg+xml"},
        {".png", "image/png"},                  {".ico", "image/x-icon"},
        {".json", "application/json"},
    };
    for (auto [extension, type] : kTypes) {
        if (name.ends_with(extension)) return type;
    }
    return "application/octet-stream";
}

const EmbeddedFile* find(std::string_view name) {
    auto files = embedded_files();
    auto it = std::find_if(files.begin(), files.end(), [&](const EmbeddedFile& f) { return f.name == name; });
    return it == files.end() ? nullptr : &*it;
}

net::Response answer(const net::Request& request) {
    const auto name = request.path == "/" ? std::string_view("index.html") : request.path_param("name");
    const auto* file = find(name);
    net::Response response;
    response.route = request.path == "/" ? "/" : "/assets/{name}";
    if (!file) {
        response = net::error_response(404, "not_found", "no such file");
        response.route = "/assets/{name}";
    } else if (request.header("If-None-Match") == file->etag) {
        response.status = 304;
        response.content_type = content_type(file->name);
    } else {
        response.content_type = content_type(file->name);
        response.body = file->body;
    }
    response.headers.emplace_back("Content-Security-Policy", std::string(kPolicy));
    response.headers.emplace_back("X-Content-Type-Options", "nosniff");
    response.headers.emplace_back("Cache-Control", "no-cache");  // revalidate: a new binary has new files
    if (file) response.headers.emplace_back("ETag", std::string(file->etag));
    return response;
}

}  // namespace

net::Handler asset_handler() {
    return [](net::Request request) -> boost::asio::awaitable<net::Response> { co_return answer(request); };
}

}  // namespace va::web_ui
