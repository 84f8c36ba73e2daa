#pragma once
// Keyset pagination shared by the repositories: newest first by (createdAt, id), after the
// page's cursor (the last item served). A limit below 1 throws std::invalid_argument.
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "store/sqlite/database.hpp"

#include "store/model.hpp"

namespace va::store::sqlite {

std::int64_t to_millis(TimePoint t);
TimePoint from_millis(std::int64_t ms);

// A WHERE clause built from optional filters, with its parameters in order.
class Filter {
public:
    using Param = std::variant<std::int64_t, std::string>;
    void add(const std::string& condition, Param param);  // condition uses one '?'
    // Adds the keyset condition for a page that starts after `page.after` (if any) and takes
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

}  // namespace va::store::sqlite
