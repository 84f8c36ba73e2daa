#pragma once
// Records as the API shows them: camelCase fields, RFC 3339 UTC times, null for absent values.
#include <boost/json/value.hpp>

#include "store/model.hpp"

namespace va::api {

boost::json::value to_json(const store::Prompt& prompt);
boost::json::value to_json(const store::ScheduledCall& call);
boost::json::value to_json(const store::CallLog& log);

template <typename T>
boost::json::value page_to_json(const store::Page<T>& page) {
    boost::json::array items;
    for (const auto& item : page.items) items.push_back(to_json(item));
    return {{"items", std::move(items)},
            {"nextCursor", page.next ? boost::json::value(store::to_string(*page.next)) : boost::json::value(nullptr)}};
}

}  // namespace va::api

#include "net/http.hpp"

namespace va::api {
net::Response json_response(unsigned status, const boost::json::value& body);
}  // namespace va::api
