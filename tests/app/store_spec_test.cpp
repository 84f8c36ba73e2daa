// --db: which store it names, and how logs show a connection string (without its password).
#include <gtest/gtest.h>

#include "app/store_spec.hpp"

namespace va::app {
namespace {

TEST(StoreSpec, ConnectionStringsLoseTheirPasswordInLogs) {
    EXPECT_EQ(redacted("mongodb://app:s3cret@db1:27017,db2/va?replicaSet=rs0"), "mongodb://app:***@db1:27017,db2/va?replicaSet=rs0");
    EXPECT_EQ(redacted("mongodb+srv://app:p%40ss@cluster.example.net/"), "mongodb+srv://app:***@cluster.example.net/");
    EXPECT_EQ(redacted("mongodb://app:a@b@db/va"), "mongodb://app:***@db/va") << "an unescaped @ in the password";
    EXPECT_EQ(redacted("mongodb://db/va?authSource=admin"), "mongodb://db/va?authSource=admin");
    EXPECT_EQ(redacted("mongodb://x509user@db/va"), "mongodb://x509user@db/va") << "a user without a password";
    EXPECT_EQ(redacted("sqlite:/var/lib/va.db"), "sqlite:/var/lib/va.db");
}

TEST(StoreSpec, ASpecThatNamesNoStoreIsRefusedWithTheForms) {
    for (const char* db : {"", "sqlite:", "postgres://db/va", "voiceagent.db"}) {
        StoreSpec spec;
        spec.db = db;
        try {
            open_store(spec, nullptr);
            ADD_FAILURE() << "accepted " << db;
        } catch (const std::invalid_argument& e) {
            EXPECT_NE(std::string(e.what()).find("sqlite:PATH or a mongodb://"), std::string::npos) << e.what();
        }
    }
    StoreSpec bad_uri;
    bad_uri.db = "mongodb://";
    EXPECT_THROW(open_store(bad_uri, nullptr), std::invalid_argument);
}

}  // namespace
}  // namespace va::app
