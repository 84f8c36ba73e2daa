#pragma once
// Placeholders in a prompt's text: `{{name}}` takes the recipient's variable `name`, and
// `{{name|default}}` says `default` when the recipient has none, or an empty one. Names are
// [a-zA-Z_][a-zA-Z0-9_]{0,63}; spaces inside the braces are allowed around the name. A `{{` that
// opens no valid placeholder is an error (the prompt is refused when it is saved), so a typo never
// reaches a callee as literal braces.
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace va::core {

using Variables = std::map<std::string, std::string, std::less<>>;

struct Placeholder {
    std::string name;
    std::optional<std::string> fallback;  // the text after `|`, without spaces at its ends
};

struct PlaceholderError {
    std::size_t offset = 0;  // of the `{{` at fault, in bytes
    std::string message;     // "unclosed placeholder", "bad variable name \"first name\""
};

// A text split into literal runs and placeholders.
class Template {
public:
    // The template, or what is wrong with its first bad placeholder.
    static std::optional<Template> parse(std::string_view text, PlaceholderError* error = nullptr);

    // Placeholders in order of appearance, repeats included.
    const std::vector<Placeholder>& placeholders() const { return placeholders_; }
    // Names used without a default that `variables` lacks, each once, in order of appearance.
    std::vector<std::string> missing(const Variables& variables) const;
    // The text with each placeholder replaced by its variable, else its default, else nothing.
    std::string render(const Variables& variables) const;

private:
    std::vector<std::string> literals_;  // one more than placeholders_: the runs between them
    std::vector<Placeholder> placeholders_;
};

// Whether `name` may name a variable: [a-zA-Z_][a-zA-Z0-9_]{0,63}.
bool is_variable_name(std::string_view name);

}  // namespace va::core
