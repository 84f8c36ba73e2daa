#include "store/sqlite/paging.hpp"

#include <charconv>
#include <stdexcept>

namespace va::store::sqlite {

CursorKey parse_cursor(const std::string& cursor) {
    auto sep = cursor.find('_');
    CursorKey key;
    if (sep == std::string::npos || sep == 0 || sep + 1 == cursor.size() || cursor.size() > 100) {
        throw std::invalid_argument("malformed cursor");
    }
    auto [end, ec] = std::from_chars(cursor.data(), cursor.data() + sep, key.created_at);
    if (ec != std::errc{} || end != cursor.data() + sep) throw std::invalid_argument("malformed cursor");
    key.id = cursor.substr(sep + 1);
    return key;
}

std::string make_cursor(TimePoint created_at, const std::string& id) {
    return std::to_string(to_millis(created_at)) + "_" + id;
}

void Filter::add(const std::string& condition, Param param) {
    where_ += where_.empty() ? " WHERE " : " AND ";
    where_ += condition;
    params_.push_back(std::move(param));
}

void Filter::after(const PageRequest& page) {
    if (page.limit < 1) throw std::invalid_argument("page limit must be at least 1");
    limit_ = page.limit;
    if (page.cursor.empty()) return;
    auto key = parse_cursor(page.cursor);
    where_ += where_.empty() ? " WHERE " : " AND ";
    where_ += "(createdAt < ? OR (createdAt = ? AND id < ?))";
    params_.emplace_back(key.created_at);
    params_.emplace_back(key.created_at);
    params_.emplace_back(key.id);
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
