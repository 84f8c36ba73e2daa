#pragma once
// Internal to store/sqlite: the repository implementations over the shared writer and readers.
#include <memory>

#include "store/sqlite/read_pool.hpp"
#include "store/sqlite/write_queue.hpp"
#include "store/store.hpp"

namespace va::store::sqlite {

std::unique_ptr<PromptRepository> make_prompt_repository(WriteQueue& writer, ReadPool& readers);
std::unique_ptr<ScheduledCallRepository> make_scheduled_call_repository(WriteQueue& writer, ReadPool& readers);
std::unique_ptr<CallLogRepository> make_call_log_repository(WriteQueue& writer, ReadPool& readers);
std::unique_ptr<DispatchRepository> make_dispatch_repository(WriteQueue& writer, ReadPool& readers);

}  // namespace va::store::sqlite
