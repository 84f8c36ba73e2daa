#pragma once
// The behaviour every Store backend must have. A backend's test file instantiates the suite:
//   INSTANTIATE_TEST_SUITE_P(Sqlite, StoreContract, ::testing::Values(StoreFactory{...}));
#include <functional>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "store/store.hpp"

namespace va::store::test {

struct StoreFactory {
    std::string name;
    // Each call gives a fresh, empty store that lives as long as the returned pointer.
    std::function<std::shared_ptr<Store>()> make;
};

inline std::ostream& operator<<(std::ostream& os, const StoreFactory& f) { return os << f.name; }

class StoreContract : public ::testing::TestWithParam<StoreFactory> {
protected:
    void SetUp() override { store_ = GetParam().make(); }
    Store& store() { return *store_; }

private:
    std::shared_ptr<Store> store_;
};

}  // namespace va::store::test
