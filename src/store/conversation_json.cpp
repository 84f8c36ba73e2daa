#include "store/conversation_json.hpp"

#include <boost/json.hpp>

namespace va::store {

boost::json::object conversation_to_json(const ConversationOverrides& c) {
    boost::json::object o;
    for (const auto& f : kConversationDurations)
        if (const auto& v = c.*f.member) o[f.name] = *v;
    for (const auto& f : kConversationFlags)
        if (const auto& v = c.*f.member) o[f.name] = *v;
    for (const auto& f : kConversationTexts)
        if (const auto& v = c.*f.member; !v.empty()) o[f.name] = v;
    return o;
}

ConversationOverrides conversation_from_json(const boost::json::object& o) {
    ConversationOverrides c;
    for (const auto& f : kConversationDurations)
        if (auto* v = o.if_contains(f.name); v && v->is_int64()) c.*f.member = v->get_int64();
    for (const auto& f : kConversationFlags)
        if (auto* v = o.if_contains(f.name); v && v->is_bool()) c.*f.member = v->get_bool();
    for (const auto& f : kConversationTexts)
        if (auto* v = o.if_contains(f.name); v && v->is_string()) c.*f.member = std::string(v->get_string());
    return c;
}

}  // namespace va::store
