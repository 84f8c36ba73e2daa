#pragma once
#include "store/sqlite/database.hpp"

namespace va::store::sqlite {

int schema_version();  // the newest version this build knows

// Brings the schema to `target` (tests name an older one), tracked in PRAGMA user_version. Runs
// under BEGIN IMMEDIATE, so two processes opening a new file at once migrate it once: the second
// waits for the first's lock, then finds the version already set. A file from a newer build is
// refused (StoreFailure) rather than used with a schema this build does not know.
void migrate(Connection& connection, int target = schema_version());

}  // namespace va::store::sqlite
