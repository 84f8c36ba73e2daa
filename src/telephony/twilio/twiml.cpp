#include "telephony/twilio/twiml.hpp"

#include <charconv>
#include <cstring>

#include <pugixml.hpp>

namespace va::twilio {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return std::string(s);
}

bool named(const pugi::xml_node& node, const char* name) { return std::strcmp(node.name(), name) == 0; }

// All text under `node`, in document order. Iterative so that hostile nesting cannot exhaust the stack.
std::string text_of(const pugi::xml_node& node) {
    std::string out;
    pugi::xml_node current = node.first_child();
    while (current && current != node) {
        if (current.type() == pugi::node_pcdata || current.type() == pugi::node_cdata) out += current.value();
        if (current.first_child()) {
            current = current.first_child();
            continue;
        }
        while (current != node && !current.next_sibling()) current = current.parent();
        if (current != node) current = current.next_sibling();
    }
    return trim(out);
}

// A non-negative integer attribute; `fallback` when absent. False when present but not one.
bool int_attribute(const pugi::xml_node& node, const char* name, int fallback, int& out) {
    pugi::xml_attribute attr = node.attribute(name);
    if (!attr) {
        out = fallback;
        return true;
    }
    std::string value = trim(attr.value());
    const char* end = value.data() + value.size();
    auto [ptr, ec] = std::from_chars(value.data(), end, out);
    return !value.empty() && ec == std::errc{} && ptr == end && out >= 0;
}

std::variant<ConnectStream, TwimlError> parse_connect(const pugi::xml_node& connect) {
    pugi::xml_node stream;
    for (pugi::xml_node child : connect.children()) {
        if (child.type() != pugi::node_element) continue;
        if (!named(child, "Stream") || stream) {
            return TwimlError{"<Connect> must contain exactly one <Stream>, found <" + std::string(child.name()) + ">"};
        }
        stream = child;
    }
    if (!stream) return TwimlError{"<Connect> must contain a <Stream>"};
    ConnectStream out;
    out.url = stream.attribute("url").value();
    if (out.url.empty()) return TwimlError{"<Stream> needs a url attribute"};
    out.name = stream.attribute("name").value();
    out.status_callback = stream.attribute("statusCallback").value();
    for (pugi::xml_node child : stream.children()) {
        if (child.type() != pugi::node_element) continue;
        if (!named(child, "Parameter")) {
            return TwimlError{"unexpected <" + std::string(child.name()) + "> inside <Stream>"};
        }
        pugi::xml_attribute name = child.attribute("name");
        if (!name || name.value()[0] == '\0') return TwimlError{"<Parameter> needs a name attribute"};
        out.parameters.push_back({name.value(), child.attribute("value").value()});
    }
    return out;
}

std::variant<Verb, TwimlError> parse_verb(const pugi::xml_node& node) {
    if (named(node, "Connect")) {
        auto connect = parse_connect(node);
        if (auto* error = std::get_if<TwimlError>(&connect)) return *error;
        return Verb{std::get<ConnectStream>(std::move(connect))};
    }
    if (named(node, "Say")) {
        Say say;
        say.text = text_of(node);
        say.voice = node.attribute("voice").value();
        say.language = node.attribute("language").value();
        if (!int_attribute(node, "loop", 1, say.loop)) return TwimlError{"<Say loop> must be a non-negative integer"};
        return Verb{std::move(say)};
    }
    if (named(node, "Pause")) {
        Pause pause;
        if (!int_attribute(node, "length", 1, pause.length_s)) {
            return TwimlError{"<Pause length> must be a non-negative integer"};
        }
        return Verb{pause};
    }
    if (named(node, "Hangup")) return Verb{Hangup{}};
    if (named(node, "Dial")) {
        Dial dial;
        pugi::xml_node number = node.child("Number");
        dial.number = number ? text_of(number) : std::string{};
        if (!number) {
            // Only direct text: <Client> or <Sip> children are not phone numbers.
            std::string direct;
            for (pugi::xml_node child : node.children()) {
                if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) direct += child.value();
            }
            dial.number = trim(direct);
        }
        return Verb{std::move(dial)};
    }
    if (named(node, "Redirect")) return Verb{Redirect{text_of(node)}};
    return Verb{Unsupported{node.name()}};
}

struct StringWriter final : pugi::xml_writer {
    std::string out;
    void write(const void* data, size_t size) override { out.append(static_cast<const char*>(data), size); }
};

// A document with the XML declaration and an empty <Response>, ready for verbs.
pugi::xml_node start_document(pugi::xml_document& doc) {
    pugi::xml_node decl = doc.append_child(pugi::node_declaration);
    decl.append_attribute("version") = "1.0";
    decl.append_attribute("encoding") = "UTF-8";
    return doc.append_child("Response");
}

std::string render(const pugi::xml_document& doc) {
    StringWriter writer;
    doc.save(writer, "", pugi::format_raw, pugi::encoding_utf8);
    return std::move(writer.out);
}

}  // namespace

std::variant<TwimlDocument, TwimlError> parse_twiml(std::string_view xml) {
    pugi::xml_document doc;
    // parse_default does not process DTDs or expand custom entities (no XXE, no entity bombs).
    // parse_ws_pcdata keeps whitespace-only text so "<Say>Hi <emphasis>you</emphasis> there</Say>"
    // keeps its spaces. parse_fragment makes pugixml keep top-level text and extra roots as nodes
    // (otherwise it silently drops them) so that the check below can reject them.
    // One leniency remains: an unknown entity such as "&bogus;" is kept as literal text.
    constexpr unsigned kFlags = pugi::parse_default | pugi::parse_ws_pcdata | pugi::parse_fragment;
    pugi::xml_parse_result result = doc.load_buffer(xml.data(), xml.size(), kFlags, pugi::encoding_auto);
    if (!result) {
        return TwimlError{std::string("malformed XML: ") + result.description() + " at offset " +
                          std::to_string(result.offset)};
    }
    pugi::xml_node root = doc.document_element();
    if (!root) return TwimlError{"no root element"};
    // XML (and Twilio) allow one root element and no text around it.
    for (pugi::xml_node n : doc.children()) {
        bool text = n.type() == pugi::node_pcdata || n.type() == pugi::node_cdata;
        if ((n.type() == pugi::node_element && n != root) || (text && !trim(n.value()).empty())) {
            return TwimlError{"content outside the root element"};
        }
    }
    if (!named(root, "Response")) return TwimlError{"root element must be <Response>, got <" + std::string(root.name()) + ">"};

    TwimlDocument out;
    for (pugi::xml_node child : root.children()) {
        if (child.type() != pugi::node_element) continue;
        auto verb = parse_verb(child);
        if (auto* error = std::get_if<TwimlError>(&verb)) return *error;
        out.verbs.push_back(std::get<Verb>(std::move(verb)));
    }
    return out;
}

std::string build_connect_stream(std::string_view stream_url, const std::vector<StreamParameter>& parameters) {
    pugi::xml_document doc;
    pugi::xml_node stream = start_document(doc).append_child("Connect").append_child("Stream");
    stream.append_attribute("url").set_value(stream_url.data(), stream_url.size());
    for (const auto& p : parameters) {
        pugi::xml_node param = stream.append_child("Parameter");
        param.append_attribute("name").set_value(p.name.data(), p.name.size());
        param.append_attribute("value").set_value(p.value.data(), p.value.size());
    }
    return render(doc);
}

std::string build_say_hangup(std::string_view text) {
    pugi::xml_document doc;
    pugi::xml_node response = start_document(doc);
    if (!text.empty()) response.append_child("Say").text().set(text.data(), text.size());
    response.append_child("Hangup");
    return render(doc);
}

std::string build_dial(std::string_view number, int time_limit_s) {
    pugi::xml_document doc;
    auto dial = start_document(doc).append_child("Dial");
    dial.append_attribute("timeLimit").set_value(time_limit_s);
    dial.text().set(number.data(), number.size());
    return render(doc);
}

std::string build_hangup() {
    pugi::xml_document doc;
    start_document(doc).append_child("Hangup");
    return render(doc);
}

}  // namespace va::twilio
