#pragma once
#include "store/sqlite/database.hpp"

namespace va::store::sqlite {

// Brings the schema to the newest version, tracked in PRAGMA user_version. Runs under
// BEGIN IMMEDIATE, so two processes opening a new file at once migrate it once.
void migrate(Connection& connection);
int schema_version();  // the newest version this build knows

}  // namespace va::store::sqlite
