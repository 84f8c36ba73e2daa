#pragma once
// Internal to store/sqlite: Store::purge_finished (store.hpp) over the shared writer.
#include <string>

#include "store/sqlite/write_queue.hpp"
#include "store/store.hpp"

namespace va::store::sqlite {

PurgeResult purge_finished(WriteQueue& writer, const std::string& path, const PurgeRequest& request);

}  // namespace va::store::sqlite
