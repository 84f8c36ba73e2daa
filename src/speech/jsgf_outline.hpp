#pragma once
// Internal to speech/: a first look at a JSGF grammar's outline before sphinxbase parses it.
// sphinxbase's parser leaks what it had built when it meets a syntax error or a rule that is
// not defined, and grammars come from API clients, so the mistakes people make (no header, a
// missing ';', unbalanced brackets, an undefined or missing public rule, an import) are caught
// here first, with a clearer message. What passes still goes through the real parser.
#include <optional>
#include <string>

namespace va::speech {

// What is wrong with the outline; nullopt when it is sound.
std::optional<std::string> check_jsgf_outline(const std::string& grammar);

}  // namespace va::speech
