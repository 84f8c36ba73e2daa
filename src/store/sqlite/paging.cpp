#include "store/sqlite/paging.hpp"

#include <stdexcept>

namespace va::store::sqlite {

void Filter::add(const std::string& condition, Param param) {
    where_ += where_.empty() ? " WHERE " : " AND ";
    where_ += condition;
    params_.push_back(std::move(param));
}

void Filter::after(const PageRequest& page) {
    if (page.limit < 1) throw std::invalid_argument("page limit must be at least 1");
    limit_ = page.limit;
    if (!page.after) return;
    const auto created_at = to_millis(page.after->created_at);
    where_ += where_.empty() ? " WHERE " : " AND ";
    where_ += "(createdAt < ? OR (createdAt = ? AND id < ?))";
    params_.emplace_back(created_at);
    params_.emplace_back(created_at);
    params_.emplace_back(page.after->id);
}

std::string Filter::sql(const std::string& select) const {
    return select + where_ + " ORDER BY createdAt DESC, id DESC LIMIT ?";
}

void Filter::bind(Statement& statement) const {
    int index = 1;
    for (const auto& p : params_) {
        std::visit([&](const auto& v) { statement.bind(index++, v); }, p);
    }
    statement.bind(index, limit_ + 1);
}

std::int64_t to_millis(TimePoint t) { return t.time_since_epoch().count(); }
TimePoint from_millis(std::int64_t ms) { return TimePoint{core::Millis{ms}}; }

}  // namespace va::store::sqlite
