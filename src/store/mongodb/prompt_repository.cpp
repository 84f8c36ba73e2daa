#include <boost/json/value.hpp>

#include "store/conversation_json.hpp"
#include "store/mongodb/repositories.hpp"

namespace va::store::mongodb {

namespace {
class MongoPromptRepository final : public PromptRepository {
public:
    explicit MongoPromptRepository(Collections& c) : c_(c) {}

    void create(const Prompt& p) override { c_.prompts.insert_one(prompt_document(p)); }

    std::optional<Prompt> get(const std::string& id) override {
        auto found = c_.prompts.find_one(id_filter(id));
        if (!found) return std::nullopt;
        return prompt_from(View(found->get()));
    }

    Page<Prompt> list(const PageRequest& page) override {
        std::vector<Prompt> items;
        for (const auto& d : c_.prompts.find(page_filter(Bson(), page), page_options(page))) {
            items.push_back(prompt_from(View(d.get())));
        }
        return finish_page(std::move(items), page);
    }

    std::optional<Prompt> update(const Prompt& p) override {
        auto set = doc("name", p.name, "content", p.content, "introduction", p.introduction, "updatedAt", p.updated_at);
        set.append("conversation", boost::json::value(conversation_to_json(p.conversation)));
        auto found = c_.prompts.find_one_and_update(id_filter(p.id), doc("$set", set));
        if (!found) return std::nullopt;
        return prompt_from(View(found->get()));
    }

    bool remove(const std::string& id) override { return c_.prompts.delete_many(id_filter(id)) > 0; }

private:
    Collections& c_;
};
}  // namespace

std::unique_ptr<PromptRepository> make_prompt_repository(Collections& c) {
    return std::make_unique<MongoPromptRepository>(c);
}

}  // namespace va::store::mongodb
