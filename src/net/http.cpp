#include "net/http.hpp"

#include <algorithm>
#include <cctype>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>

namespace va::net {

bool equals_ignore_case(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

bool has_media_type(const Request& request, std::string_view media_type) {
    auto value = request.header("Content-Type");
    if (!value) return false;
    auto media = value->substr(0, value->find(';'));
    while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
    return equals_ignore_case(media, media_type);
}

bool set_target(Request& request, std::string_view target) {
    auto url = boost::urls::parse_origin_form(target);
    if (!url) return false;
    request.target = std::string(target);
    request.path = url->path();
    request.query.clear();
    for (auto param : url->params()) request.query.emplace_back(param.key, param.value);
    return true;
}

Response error_response(unsigned status, std::string_view code, std::string_view message, std::string_view field) {
    boost::json::object error{{"code", code}, {"message", message}};
    if (!field.empty()) error["field"] = field;
    Response response;
    response.status = status;
    response.body = boost::json::serialize(boost::json::object{{"error", std::move(error)}});
    return response;
}

namespace {
std::optional<std::string_view> find(const Fields& fields, std::string_view name, bool ignore_case) {
    for (const auto& [k, v] : fields) {
        if (ignore_case ? equals_ignore_case(k, name) : k == name) return std::string_view{v};
    }
    return std::nullopt;
}
}  // namespace

std::optional<std::string_view> Request::header(std::string_view name) const { return find(headers, name, true); }

std::optional<std::string_view> Request::query_param(std::string_view name) const {
    return find(query, name, false);
}

std::string_view Request::path_param(std::string_view name) const {
    return find(path_params, name, false).value_or(std::string_view{});
}

}  // namespace va::net
