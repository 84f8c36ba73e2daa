#include "engine/error.hpp"

#include <string>

namespace va::engine {

namespace {

class Category final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "engine"; }
    std::string message(int value) const override {
        switch (static_cast<Errc>(value)) {
            case Errc::failed: return "the engine failed";
            case Errc::refused: return "the provider refused";
            case Errc::unreachable: return "the provider could not be reached";
        }
        return "unknown engine error";
    }
};

}  // namespace

const boost::system::error_category& category() {
    static const Category instance;
    return instance;
}

}  // namespace va::engine
