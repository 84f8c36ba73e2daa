#include <stdexcept>

#include "store/mongodb/repositories.hpp"

namespace va::store::mongodb {

Bson page_filter(Bson filter, const PageRequest& page) {
    if (page.limit < 1) throw std::invalid_argument("page limit below 1");
    if (!page.after) return filter;
    const auto& at = page.after->created_at;
    Bson after = doc("createdAt", doc("$lt", at));
    if (auto oid = object_id(page.after->id)) {
        Array either;
        either.push(after).push(doc("createdAt", at, "_id", doc("$lt", *oid)));
        after = Bson();
        after.append_array("$or", either.bson());
    }
    if (filter.empty()) return after;
    Array both;
    both.push(filter).push(after);
    Bson out;
    out.append_array("$and", both.bson());
    return out;
}

FindOptions page_options(const PageRequest& page) {
    FindOptions options;
    options.sort = doc("createdAt", -1, "_id", -1);
    options.limit = page.limit + 1;
    return options;
}

}  // namespace va::store::mongodb
