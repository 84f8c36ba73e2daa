#pragma once
// TranscriptSink into the call log: saves are written on the store's pool through one strand, so
// a later transcript never gives way to an earlier one (SQLite has a single writer anyway).
#include <memory>

#include <boost/asio/thread_pool.hpp>

#include "conversation/ports.hpp"
#include "store/store.hpp"

namespace va::conversation {

std::unique_ptr<TranscriptSink> make_store_transcripts(store::Store& store, boost::asio::thread_pool& pool);

}  // namespace va::conversation
