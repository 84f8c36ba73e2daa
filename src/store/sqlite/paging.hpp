#pragma once
// Keyset pagination shared by the repositories: newest first by (createdAt, id). The cursor is
// "<createdAtMs>_<id>" of the last item served; anything else, or a limit below 1, throws
// std::invalid_argument (the API answers 400).
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "store/sqlite/database.hpp"

#include "store/model.hpp"

namespace va::store::sqlite {

struct CursorKey {
    std::int64_t created_at = 0;
    std::string id;
};

CursorKey parse_cursor(const std::string& cursor);
std::string make_cursor(TimePoint created_at, const std::string& id);
std::int64_t to_millis(TimePoint t);
TimePoint from_millis(std::int64_t ms);

// A WHERE clause built from optional filters, with its parameters in order.
class Filter {
public:
    using Param = std::variant<std::int64_t, std::string>;
    void add(const std::string& condition, Param param);  // condition uses one '?'
    // Adds the keyset condition for a page that starts after `page.cursor` (if any) and takes
    // the page's limit.
    void after(const PageRequest& page);
    // "... WHERE ... ORDER BY createdAt DESC, id DESC LIMIT ?" for limit+1 rows: the extra row
    // tells whether there is a next page. The limit is bound, not spliced in, so that the text,
    // which keys the statement cache, takes few distinct values.
    std::string sql(const std::string& select) const;
    void bind(Statement& statement) const;

private:
    std::string where_;
    std::vector<Param> params_;
    std::int64_t limit_ = 50;
};

// Trims the extra row and sets next_cursor from the last item kept.
template <typename T>
Page<T> finish_page(std::vector<T> items, const PageRequest& page) {
    Page<T> out;
    if (items.size() > static_cast<std::size_t>(page.limit)) {
        items.resize(static_cast<std::size_t>(page.limit));
        out.next_cursor = make_cursor(items.back().created_at, items.back().id);
    }
    out.items = std::move(items);
    return out;
}

}  // namespace va::store::sqlite
