// Placeholders: {{name}} and {{name|default}} render from a recipient's variables; bad syntax is
// an error that says where and what.
#include "core/placeholders.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace va::core {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string render(std::string_view text, const Variables& variables) {
    auto t = Template::parse(text);
    EXPECT_TRUE(t) << text;
    return t ? t->render(variables) : "";
}

TEST(Placeholders, AVariableIsSpokenInline) {
    EXPECT_EQ(render("Hello {{name}}, about your checkup on {{day}}.", {{"name", "Maria"}, {"day", "Tuesday"}}),
              "Hello Maria, about your checkup on Tuesday.");
    EXPECT_EQ(render("{{ name }}!", {{"name", "Maria"}}), "Maria!");
    EXPECT_EQ(render("{{a}}{{a}}", {{"a", "x"}}), "xx");
}

TEST(Placeholders, ADefaultStandsInForAMissingVariable) {
    EXPECT_EQ(render("Hello {{name|there}}.", {}), "Hello there.");
    EXPECT_EQ(render("Hello {{name|there}}.", {{"name", "Maria"}}), "Hello Maria.");
    EXPECT_EQ(render("Hello{{name|}}.", {}), "Hello.") << "an empty default";
    EXPECT_EQ(render("Hello {{ name | there }}.", {{"name", ""}}), "Hello there.") << "an empty value takes the default";
}

TEST(Placeholders, TextWithoutPlaceholdersIsUnchanged) {
    EXPECT_EQ(render("", {}), "");
    EXPECT_EQ(render("No braces here; a lone { or }} is text.", {}), "No braces here; a lone { or }} is text.");
}

TEST(Placeholders, ValuesAreNotReadAsPlaceholders) {
    EXPECT_EQ(render("Hi {{name}}", {{"name", "{{other}}"}, {"other", "no"}}), "Hi {{other}}");
}

TEST(Placeholders, MissingNamesThoseWithoutValueOrDefaultOnce) {
    const auto t = Template::parse("{{a}} {{b|x}} {{c}} {{a}}");
    ASSERT_TRUE(t);
    EXPECT_THAT(t->missing({}), ElementsAre("a", "c"));
    EXPECT_THAT(t->missing({{"a", "1"}}), ElementsAre("c"));
    EXPECT_TRUE(t->missing({{"a", "1"}, {"c", "2"}}).empty());
    EXPECT_THAT(t->missing({{"a", "1"}, {"c", ""}}), ElementsAre("c")) << "an empty value (a blank cell) is none";
}

TEST(Placeholders, BadSyntaxSaysWhereAndWhat) {
    struct Case {
        const char* text;
        std::size_t offset;
        const char* says;
    };
    for (const auto& c : std::initializer_list<Case>{
             {"Hello {{name", 6, "unclosed"},
             {"Hello {{name}", 6, "unclosed"},
             {"{{a {{b}}", 0, "unclosed"},
             {"x {{}}", 2, "empty"},
             {"x {{ |default}}", 2, "empty"},
             {"{{first name}}", 0, "bad variable name \"first name\""},
             {"{{1st}}", 0, "bad variable name"},
             {"{{na-me}}", 0, "bad variable name"},
         }) {
        PlaceholderError error;
        EXPECT_FALSE(Template::parse(c.text, &error)) << c.text;
        EXPECT_EQ(error.offset, c.offset) << c.text;
        EXPECT_THAT(error.message, HasSubstr(c.says)) << c.text;
    }
}

TEST(Placeholders, VariableNamesAreIdentifiersOfAtMost64) {
    EXPECT_TRUE(is_variable_name("name"));
    EXPECT_TRUE(is_variable_name("_x9"));
    EXPECT_TRUE(is_variable_name(std::string(64, 'a')));
    EXPECT_FALSE(is_variable_name(std::string(65, 'a')));
    EXPECT_FALSE(is_variable_name(""));
    EXPECT_FALSE(is_variable_name("9a"));
    EXPECT_FALSE(is_variable_name("a b"));
    EXPECT_FALSE(is_variable_name("ä"));
}

}  // namespace
}  // namespace va::core
