#include "core/placeholders.hpp"

#include <algorithm>

namespace va::core {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

}  // namespace

bool is_variable_name(std::string_view name) {
    if (name.empty() || name.size() > 64) return false;
    auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
    auto digit = [](char c) { return c >= '0' && c <= '9'; };
    if (!letter(name.front())) return false;
    return std::all_of(name.begin() + 1, name.end(), [&](char c) { return letter(c) || digit(c); });
}

std::optional<Template> Template::parse(std::string_view text, PlaceholderError* error) {
    auto fail = [&](std::size_t offset, std::string message) -> std::optional<Template> {
        if (error) *error = {offset, std::move(message)};
        return std::nullopt;
    };
    Template out;
    std::string literal;
    std::size_t at = 0;
    while (at < text.size()) {
        const std::size_t open = text.find("{{", at);
        if (open == std::string_view::npos) break;
        literal.append(text.substr(at, open - at));
        const std::size_t close = text.find("}}", open + 2);
        if (close == std::string_view::npos) return fail(open, "unclosed placeholder: no \"}}\" after \"{{\"");
        const std::string_view inside = text.substr(open + 2, close - open - 2);
        if (inside.find("{{") != std::string_view::npos) return fail(open, "unclosed placeholder: \"{{\" inside another");
        const std::size_t bar = inside.find('|');
        const std::string_view name = trim(inside.substr(0, bar));
        if (name.empty()) return fail(open, "empty placeholder: \"{{}}\" names no variable");
        if (!is_variable_name(name))
            return fail(open, "bad variable name \"" + std::string(name) +
                                  "\": letters, digits and _ only, not starting with a digit, at most 64");
        Placeholder placeholder{std::string(name), std::nullopt};
        if (bar != std::string_view::npos) placeholder.fallback = std::string(trim(inside.substr(bar + 1)));
        out.literals_.push_back(std::move(literal));
        literal.clear();
        out.placeholders_.push_back(std::move(placeholder));
        at = close + 2;
    }
    if (at < text.size()) literal.append(text.substr(at));
    out.literals_.push_back(std::move(literal));
    return out;
}

namespace {
// A variable's value, or nullptr when it has none: an empty value (a blank cell) is none.
const std::string* value_of(const Variables& variables, const std::string& name) {
    auto it = variables.find(name);
    return it == variables.end() || it->second.empty() ? nullptr : &it->second;
}
}  // namespace

std::vector<std::string> Template::missing(const Variables& variables) const {
    std::vector<std::string> out;
    for (const auto& p : placeholders_) {
        if (p.fallback || value_of(variables, p.name)) continue;
        if (std::find(out.begin(), out.end(), p.name) == out.end()) out.push_back(p.name);
    }
    return out;
}

std::string Template::render(const Variables& variables) const {
    std::string out = literals_.front();
    for (std::size_t i = 0; i < placeholders_.size(); ++i) {
        const auto& p = placeholders_[i];
        if (const auto* value = value_of(variables, p.name)) out += *value;
        else if (p.fallback) out += *p.fallback;
        out += literals_[i + 1];
    }
    return out;
}

}  // namespace va::core
