#pragma once
// A thin C++ face on libbson: an owned document (`Bson`) built with `doc(key, value, ...)`, and a
// read-only `View` whose getters forgive what older writers stored (a date as an ISO string, an
// id as an ObjectId or as its hex text, a number as int32, int64 or double). Internal to
// store/mongodb.
#include <bson/bson.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>

#include "core/clock.hpp"

namespace va::store::mongodb {

using core::TimePoint;

// A document id: an ObjectId, written from and read as 24 lowercase hex digits.
struct ObjectId {
    std::string hex;
};
// The ObjectId for `hex`, or nullopt when it is not 24 hex digits.
std::optional<ObjectId> object_id(std::string_view hex);
// The same ObjectId every time for the same `parts`: 12 bytes of their SHA-256. A natural key
// made into an `_id`, so that the server's unique `_id` makes an insert idempotent.
ObjectId derived_id(std::initializer_list<std::string_view> parts);

class Bson {
public:
    Bson();
    static Bson adopt(bson_t* doc);       // takes ownership
    static Bson copy(const bson_t* doc);  // deep copy
    Bson(Bson&& other) noexcept : doc_(std::exchange(other.doc_, nullptr)) {}
    Bson& operator=(Bson&& other) noexcept {
        std::swap(doc_, other.doc_);
        return *this;
    }
    ~Bson();

    const bson_t* get() const { return doc_; }
    bson_t* get() { return doc_; }
    bool empty() const { return bson_empty(doc_); }
    std::string json() const;  // relaxed extended JSON, for messages and tests

    Bson& append(std::string_view key, std::string_view value);
    Bson& append(std::string_view key, const std::string& value) { return append(key, std::string_view(value)); }
    Bson& append(std::string_view key, const char* value) { return append(key, std::string_view(value)); }
    Bson& append(std::string_view key, bool value);
    Bson& append(std::string_view key, int value);
    Bson& append(std::string_view key, long value);
    Bson& append(std::string_view key, long long value);
    Bson& append(std::string_view key, double value);
    Bson& append(std::string_view key, TimePoint value);  // a BSON date (ms)
    Bson& append(std::string_view key, const ObjectId& value);
    Bson& append(std::string_view key, const Bson& value);  // a subdocument
    Bson& append(std::string_view key, std::nullptr_t);
    Bson& append(std::string_view key, const boost::json::value& value);  // objects and arrays nest
    template <typename T>
    Bson& append(std::string_view key, const std::optional<T>& value) {  // null when empty
        return value ? append(key, *value) : append(key, nullptr);
    }
    Bson& append_array(std::string_view key, const Bson& array);  // `array`'s keys are "0", "1"...
    Bson& concat(const Bson& other);  // appends every field of `other`

private:
    // Not a unique_ptr: bson_t is over-aligned, which template arguments drop (-Wignored-attributes).
    bson_t* doc_;
};

// {k1: v1, k2: v2, ...}
template <typename... Rest>
Bson doc(Rest&&... rest) {
    Bson out;
    if constexpr (sizeof...(rest) > 0) {
        auto add = [&out](auto&& self, std::string_view key, auto&& value, auto&&... more) -> void {
            out.append(key, value);
            if constexpr (sizeof...(more) > 0) self(self, more...);
        };
        add(add, std::forward<Rest>(rest)...);
    }
    return out;
}

// An array's elements, appended in order.
class Array {
public:
    template <typename T>
    Array& push(const T& value) {
        doc_.append(std::to_string(size_++), value);
        return *this;
    }
    const Bson& bson() const { return doc_; }
    std::size_t size() const { return size_; }

private:
    Bson doc_;
    std::size_t size_ = 0;
};

// {$in: [values...]}
Bson any_of(std::initializer_list<const char*> values);

// A read-only view of a document owned elsewhere (which must outlive it). Getters take a
// top-level key and return nullopt (or empty) when the field is absent, null, or of a type they
// cannot read.
class View {
public:
    explicit View(const bson_t* doc) : data_(bson_get_data(doc)), length_(doc->len) {}
    View(const std::uint8_t* data, std::uint32_t length) : data_(data), length_(length) {}
    const std::uint8_t* data() const { return data_; }
    std::uint32_t size() const { return length_; }
    bool has(std::string_view key) const;
    // A string; an ObjectId reads as its hex text.
    std::optional<std::string> string(std::string_view key) const;
    std::string text(std::string_view key) const { return string(key).value_or(std::string()); }
    // An int32, int64, or a double with no fraction.
    std::optional<std::int64_t> integer(std::string_view key) const;
    std::optional<bool> boolean(std::string_view key) const;
    // A BSON date, or an ISO-8601 string (RFC 3339, or naive "YYYY-MM-DDTHH:MM:SS[.fff]" meaning UTC).
    std::optional<TimePoint> time(std::string_view key) const;
    // A subdocument, or each element of an array (as a document view; non-documents are skipped).
    std::optional<View> document(std::string_view key) const;
    void for_each_document(std::string_view key, const std::function<void(const View&)>& fn) const;
    std::vector<std::string> strings(std::string_view key) const;  // an array's strings
    boost::json::value json(std::string_view key) const;  // objects, arrays and scalars; null otherwise
    boost::json::object object() const;                   // the whole document as JSON

private:
    bool find(std::string_view key, bson_iter_t& it) const;
    const std::uint8_t* data_;
    std::uint32_t length_;
};

}  // namespace va::store::mongodb
