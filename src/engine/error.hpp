#pragma once
// What an engine (speech to text, text to speech, the chat model, Twilio's call actions) answers
// when it cannot do what it was asked: an error code of this category inside a
// boost::system::result. The details (an HTTP status, the provider's words) are logged where they
// are known. Cancellation is not one of these: it is Asio's operation_aborted, thrown as usual.
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

namespace va::engine {

enum class Errc {
    failed = 1,   // the engine tried and could not (a crash, a broken stream, an unusable answer)
    refused,      // the provider answered no (an HTTP 4xx, a call that has already ended)
    unreachable,  // nothing reached the provider (DNS, connect, TLS): nothing happened
};

const boost::system::error_category& category();

inline boost::system::error_code make_error_code(Errc e) { return {static_cast<int>(e), category()}; }

template <class T>
using Result = boost::system::result<T>;

}  // namespace va::engine

template <>
struct boost::system::is_error_code_enum<va::engine::Errc> : std::true_type {};
