#include "speech/jsgf_outline.hpp"

#include <cctype>
#include <set>
#include <sstream>
#include <vector>

namespace va::speech {

namespace {
// The grammar without comments; `error` is set when one is not closed, or for a {tag}, which
// Debian's sphinxbase does not parse.
std::string strip(const std::string& g, std::optional<std::string>& error) {
    std::string out;
    for (std::size_t i = 0; i < g.size(); ++i) {
        if (g.compare(i, 2, "//") == 0) {
            i = g.find('\n', i);
            if (i == std::string::npos) break;
            out += '\n';
        } else if (g.compare(i, 2, "/*") == 0) {
            i = g.find("*/", i + 2);
            if (i == std::string::npos) return error = "a /* comment is not closed", "";
            ++i;
            out += ' ';
        } else if (g[i] == '{') {
            return error = "tags ({...}) are not supported", "";
        } else {
            out += g[i];
        }
    }
    return out;
}

std::string trim(const std::string& s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return "";
    return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

// Every <name> in `text`; false when a '<' is not closed.
bool rule_names(const std::string& text, std::vector<std::string>& out) {
    for (auto at = text.find('<'); at != std::string::npos; at = text.find('<', at + 1)) {
        const auto end = text.find('>', at);
        if (end == std::string::npos) return false;
        out.push_back(text.substr(at + 1, end - at - 1));
        at = end;
    }
    return true;
}
}  // namespace

std::optional<std::string> check_jsgf_outline(const std::string& grammar) {
    std::optional<std::string> error;
    const auto text = strip(grammar, error);
    if (error) return error;
    const auto body = trim(text);
    if (body.rfind("#JSGF V1.0", 0) != 0) return "a JSGF grammar starts with \"#JSGF V1.0;\"";
    if (!body.ends_with(';')) return "the last rule does not end with ';'";
    std::vector<std::string> statements;
    std::istringstream in(body);
    for (std::string s; std::getline(in, s, ';');) statements.push_back(trim(s));
    if (statements.size() < 2 || statements[1].rfind("grammar ", 0) != 0)
        return "the header is followed by \"grammar <name>;\"";
    std::set<std::string> defined;
    std::vector<std::string> used;
    bool public_rule = false;
    for (std::size_t i = 2; i < statements.size(); ++i) {
        const auto& s = statements[i];
        if (s.rfind("import", 0) == 0) return "imports are not supported: give every rule in the grammar";
        const auto equals = s.find('=');
        if (equals == std::string::npos) return "\"" + s.substr(0, 40) + "\" is not a rule (<name> = ...;)";
        auto head = trim(s.substr(0, equals));
        if (head.rfind("public", 0) == 0) {
            public_rule = true;
            head = trim(head.substr(6));
        }
        if (head.size() < 3 || head.front() != '<' || head.back() != '>')
            return "\"" + head.substr(0, 40) + "\" is not a rule name (<name>)";
        defined.insert(head.substr(1, head.size() - 2));
        const auto expansion = s.substr(equals + 1);
        int parens = 0, brackets = 0;
        for (const char c : expansion) {
            parens += c == '(' ? 1 : c == ')' ? -1 : 0;
            brackets += c == '[' ? 1 : c == ']' ? -1 : 0;
            if (parens < 0 || brackets < 0) break;
        }
        if (parens != 0 || brackets != 0) return "the brackets of rule " + head + " do not match";
        std::string packed;  // without white space, to find an empty alternative or group
        for (const char c : expansion)
            if (!std::isspace(static_cast<unsigned char>(c))) packed += c;
        if (packed.empty()) return "rule " + head + " is empty";
        for (const char* empty : {"||", "(|", "|)", "[|", "|]", "()", "[]"})
            if (packed.find(empty) != std::string::npos || packed.front() == '|' || packed.back() == '|')
                return "rule " + head + " has an empty alternative";
        if (!rule_names(expansion, used)) return "a '<' in rule " + head + " is not closed";
    }
    if (!public_rule) return "the grammar has no public rule";
    for (const auto& name : used)
        if (name != "NULL" && name != "VOID" && !defined.contains(name)) return "rule <" + name + "> is not defined";
    return std::nullopt;
}

}  // namespace va::speech
