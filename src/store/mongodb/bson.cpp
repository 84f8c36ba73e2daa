#include "store/mongodb/bson.hpp"

#include <openssl/evp.h>

#include <boost/json.hpp>
#include <cmath>
#include <stdexcept>

#include "core/time_format.hpp"

namespace va::store::mongodb {

namespace json = boost::json;

namespace {
std::int64_t to_millis(TimePoint t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
TimePoint from_millis(std::int64_t ms) { return TimePoint(std::chrono::milliseconds(ms)); }

int key_length(std::string_view key) { return static_cast<int>(key.size()); }

void check(bool ok, std::string_view key) {
    // libbson refuses a document past its 2 GiB limit; nothing we write comes near it.
    if (!ok) throw std::length_error("BSON document too large at field " + std::string(key));
}

// A field written twice: mongod keeps the first (and refuses such an update), the test server
// the last; the tests build without NDEBUG, so they catch it.
void check_new(const bson_t* doc, std::string_view key) {
#ifndef NDEBUG
    bson_iter_t it;
    if (bson_iter_init(&it, doc) && bson_iter_find_w_len(&it, key.data(), static_cast<int>(key.size()))) {
        throw std::logic_error("BSON field written twice: " + std::string(key));
    }
#else
    (void)doc;
    (void)key;
#endif
}

bool is_hex_id(std::string_view s) {
    return s.size() == 24 && bson_oid_is_valid(s.data(), s.size());
}
}  // namespace

std::optional<ObjectId> object_id(std::string_view hex) {
    if (!is_hex_id(hex)) return std::nullopt;
    std::string lower(hex);
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return ObjectId{lower};
}

ObjectId derived_id(std::initializer_list<std::string_view> parts) {
    // Each part is length-prefixed, so ("ab", "c") and ("a", "bc") differ.
    std::string input;
    for (auto part : parts) {
        input += std::to_string(part.size());
        input += ':';
        input += part;
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_Digest(input.data(), input.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
        throw std::runtime_error("SHA-256 failed");
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    for (int i = 0; i < 12; ++i) {
        hex += kHex[digest[i] >> 4];
        hex += kHex[digest[i] & 15];
    }
    return ObjectId{hex};
}

Bson::Bson() : doc_(bson_new()) {}

Bson::~Bson() {
    if (doc_) bson_destroy(doc_);
}

Bson Bson::adopt(bson_t* doc) {
    Bson out;
    bson_destroy(out.doc_);
    out.doc_ = doc;
    return out;
}

Bson Bson::copy(const bson_t* doc) { return adopt(bson_copy(doc)); }

std::string Bson::json() const {
    size_t length = 0;
    char* text = bson_as_relaxed_extended_json(doc_, &length);
    std::string out(text ? text : "", length);
    bson_free(text);
    return out;
}

Bson& Bson::append(std::string_view key, std::string_view value) {
    check_new(get(), key);
    check(bson_append_utf8(get(), key.data(), key_length(key), value.data(), static_cast<int>(value.size())), key);
    return *this;
}
Bson& Bson::append(std::string_view key, bool value) {
    check_new(get(), key);
    check(bson_append_bool(get(), key.data(), key_length(key), value), key);
    return *this;
}
Bson& Bson::append(std::string_view key, int value) {
    check_new(get(), key);
    check(bson_append_int32(get(), key.data(), key_length(key), value), key);
    return *this;
}
Bson& Bson::append(std::string_view key, long value) {
    check_new(get(), key);
    check(bson_append_int64(get(), key.data(), key_length(key), value), key);
    return *this;
}
Bson& Bson::append(std::string_view key, long long value) {
    check_new(get(), key);
    check(bson_append_int64(get(), key.data(), key_length(key), value), key);
    return *this;
}
Bson& Bson::append(std::string_view key, double value) {
    check_new(get(), key);
    check(bson_append_double(get(), key.data(), key_length(key), value), key);
    return *this;
}
Bson& Bson::append(std::string_view key, TimePoint value) {
    check_new(get(), key);
    check(bson_append_date_time(get(), key.data(), key_length(key), to_millis(value)), key);
    return *this;
}
Bson& Bson::append(std::string_view key, const ObjectId& value) {
    if (!is_hex_id(value.hex)) throw std::invalid_argument("not an ObjectId: " + value.hex);
    bson_oid_t oid;
    bson_oid_init_from_string(&oid, value.hex.c_str());
    check_new(get(), key);
    check(bson_append_oid(get(), key.data(), key_length(key), &oid), key);
    return *this;
}
Bson& Bson::append(std::string_view key, const Bson& value) {
    check_new(get(), key);
    check(bson_append_document(get(), key.data(), key_length(key), value.get()), key);
    return *this;
}
Bson& Bson::append_array(std::string_view key, const Bson& array) {
    check_new(get(), key);
    check(bson_append_array(get(), key.data(), key_length(key), array.get()), key);
    return *this;
}
Bson& Bson::concat(const Bson& other) {
    check(bson_concat(get(), other.get()), "(concat)");
    return *this;
}
Bson& Bson::append(std::string_view key, std::nullptr_t) {
    check_new(get(), key);
    check(bson_append_null(get(), key.data(), key_length(key)), key);
    return *this;
}

Bson& Bson::append(std::string_view key, const json::value& value) {
    switch (value.kind()) {
        case json::kind::null:
            return append(key, nullptr);
        case json::kind::bool_:
            return append(key, value.get_bool());
        case json::kind::int64:
            return append(key, static_cast<long long>(value.get_int64()));
        case json::kind::uint64:
            return append(key, static_cast<double>(value.get_uint64()));
        case json::kind::double_:
            return append(key, value.get_double());
        case json::kind::string:
            return append(key, std::string_view(value.get_string()));
        case json::kind::array: {
            Array array;
            for (const auto& item : value.get_array()) array.push(item);
            return append_array(key, array.bson());
        }
        case json::kind::object: {
            Bson sub;
            for (const auto& [name, item] : value.get_object()) sub.append(name, item);
            return append(key, sub);
        }
    }
    return *this;
}

Bson any_of(std::initializer_list<const char*> values) {
    Array list;
    for (const char* v : values) list.push(v);
    Bson out;
    out.append_array("$in", list.bson());
    return out;
}

bool View::find(std::string_view key, bson_iter_t& it) const {
    if (!bson_iter_init_from_data(&it, data_, length_)) return false;
    return bson_iter_find_w_len(&it, key.data(), static_cast<int>(key.size()));
}

bool View::has(std::string_view key) const {
    bson_iter_t it;
    return find(key, it) && !BSON_ITER_HOLDS_NULL(&it);
}

std::optional<std::string> View::string(std::string_view key) const {
    bson_iter_t it;
    if (!find(key, it)) return std::nullopt;
    if (BSON_ITER_HOLDS_UTF8(&it)) {
        uint32_t length = 0;
        const char* text = bson_iter_utf8(&it, &length);
        return std::string(text, length);
    }
    if (BSON_ITER_HOLDS_OID(&it)) {
        char hex[25];
        bson_oid_to_string(bson_iter_oid(&it), hex);
        return std::string(hex);
    }
    return std::nullopt;
}

std::optional<std::int64_t> View::integer(std::string_view key) const {
    bson_iter_t it;
    if (!find(key, it)) return std::nullopt;
    if (BSON_ITER_HOLDS_INT32(&it)) return bson_iter_int32(&it);
    if (BSON_ITER_HOLDS_INT64(&it)) return bson_iter_int64(&it);
    if (BSON_ITER_HOLDS_DOUBLE(&it)) {
        double d = bson_iter_double(&it);
        if (std::isfinite(d) && d == std::trunc(d) && std::fabs(d) < 9.0e15) return static_cast<std::int64_t>(d);
    }
    return std::nullopt;
}

std::optional<bool> View::boolean(std::string_view key) const {
    bson_iter_t it;
    if (!find(key, it) || !BSON_ITER_HOLDS_BOOL(&it)) return std::nullopt;
    return bson_iter_bool(&it);
}

std::optional<TimePoint> View::time(std::string_view key) const {
    bson_iter_t it;
    if (!find(key, it)) return std::nullopt;
    if (BSON_ITER_HOLDS_DATE_TIME(&it)) return from_millis(bson_iter_date_time(&it));
    if (!BSON_ITER_HOLDS_UTF8(&it)) return std::nullopt;
    std::string text(bson_iter_utf8(&it, nullptr));
    if (auto t = core::parse_rfc3339(text)) return t;
    // The original system stored naive ISO strings (Python's isoformat()) meaning UTC.
    return core::parse_rfc3339(text + "Z");
}

std::optional<View> View::document(std::string_view key) const {
    bson_iter_t it;
    if (!find(key, it) || !BSON_ITER_HOLDS_DOCUMENT(&it)) return std::nullopt;
    uint32_t length = 0;
    const uint8_t* data = nullptr;
    bson_iter_document(&it, &length, &data);
    return View(data, length);
}

void View::for_each_document(std::string_view key, const std::function<void(const View&)>& fn) const {
    bson_iter_t it, child;
    if (!find(key, it) || !BSON_ITER_HOLDS_ARRAY(&it) || !bson_iter_recurse(&it, &child)) return;
    while (bson_iter_next(&child)) {
        if (!BSON_ITER_HOLDS_DOCUMENT(&child)) continue;
        uint32_t length = 0;
        const uint8_t* data = nullptr;
        bson_iter_document(&child, &length, &data);
        fn(View(data, length));
    }
}

std::vector<std::string> View::strings(std::string_view key) const {
    std::vector<std::string> out;
    bson_iter_t it, child;
    if (!find(key, it) || !BSON_ITER_HOLDS_ARRAY(&it) || !bson_iter_recurse(&it, &child)) return out;
    while (bson_iter_next(&child)) {
        if (BSON_ITER_HOLDS_UTF8(&child)) out.emplace_back(bson_iter_utf8(&child, nullptr));
    }
    return out;
}

namespace {
json::value json_of(bson_iter_t& it);

json::object object_of(bson_iter_t& child) {
    json::object out;
    while (bson_iter_next(&child)) out[bson_iter_key(&child)] = json_of(child);
    return out;
}

json::value json_of(bson_iter_t& it) {
    bson_iter_t child;
    switch (bson_iter_type(&it)) {
        case BSON_TYPE_UTF8:
            return json::string(bson_iter_utf8(&it, nullptr));
        case BSON_TYPE_BOOL:
            return bson_iter_bool(&it);
        case BSON_TYPE_INT32:
            return bson_iter_int32(&it);
        case BSON_TYPE_INT64:
            return bson_iter_int64(&it);
        case BSON_TYPE_DOUBLE:
            return bson_iter_double(&it);
        case BSON_TYPE_DATE_TIME:
            return bson_iter_date_time(&it);
        case BSON_TYPE_DOCUMENT:
            if (!bson_iter_recurse(&it, &child)) return nullptr;
            return object_of(child);
        case BSON_TYPE_ARRAY: {
            if (!bson_iter_recurse(&it, &child)) return nullptr;
            json::array out;
            while (bson_iter_next(&child)) out.push_back(json_of(child));
            return out;
        }
        default:
            return nullptr;
    }
}
}  // namespace

json::value View::json(std::string_view key) const {
    bson_iter_t it;
    if (!find(key, it)) return nullptr;
    return json_of(it);
}

json::object View::object() const {
    bson_iter_t it;
    if (!bson_iter_init_from_data(&it, data_, length_)) return {};
    return object_of(it);
}

}  // namespace va::store::mongodb
