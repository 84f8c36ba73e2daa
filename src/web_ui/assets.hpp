#pragma once
// The web UI's files, compiled in from ui/ (embed_assets.cmake), and the handler that serves them:
// `/` is index.html, `/assets/<name>` any other file. Every answer carries the UI's
// Content-Security-Policy (same origin only; audio from blob: URLs) and nosniff, and an ETag, so a
// browser revalidates with If-None-Match and gets 304 for a file it has.
#include <span>
#include <string_view>

#include "net/http.hpp"

namespace va::web_ui {

struct EmbeddedFile {
    std::string_view name;  // "app.js"
    std::string_view body;
    std::string_view etag;  // quoted, from the content's SHA-256
};

std::span<const EmbeddedFile> embedded_files();  // generated

// Serves GET / and GET /assets/{name}.
net::Handler asset_handler();

}  // namespace va::web_ui
