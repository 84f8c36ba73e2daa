#include <boost/json.hpp>

#include "store/conversation_json.hpp"
#include "store/sqlite/paging.hpp"
#include "store/sqlite/repositories.hpp"

namespace va::store::sqlite {

namespace {
constexpr const char* kColumns = "SELECT id, name, content, introduction, conversation, createdAt, updatedAt FROM prompts";

Prompt read_prompt(const Statement& s) {
    return {s.text(0), s.text(1), s.text(2), s.text(3),
            conversation_from_json(boost::json::parse(s.text(4)).as_object()), from_millis(s.integer(5)),
            from_millis(s.integer(6))};
}

std::string conversation_text(const Prompt& p) { return boost::json::serialize(conversation_to_json(p.conversation)); }

std::optional<Prompt> find(Connection& c, const std::string& id) {
    Statement s(c, std::string(kColumns) + " WHERE id = ?");
    s.bind(1, id);
    if (!s.step()) return std::nullopt;
    return read_prompt(s);
}

class SqlitePromptRepository final : public PromptRepository {
public:
    SqlitePromptRepository(WriteQueue& writer, ReadPool& readers) : writer_(writer), readers_(readers) {}

    void create(const Prompt& p) override {
        writer_.run_bulk([&](Connection& c) {
            Statement s(c, "INSERT INTO prompts (id, name, content, introduction, conversation, createdAt, updatedAt) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?)");
            s.bind(1, p.id).bind(2, p.name).bind(3, p.content).bind(4, p.introduction).bind(5, conversation_text(p));
            s.bind(6, to_millis(p.created_at)).bind(7, to_millis(p.updated_at)).run();
        });
    }

    std::optional<Prompt> get(const std::string& id) override {
        return readers_.run([&](Connection& c) { return find(c, id); });
    }

    Page<Prompt> list(const PageRequest& page) override {
        Filter filter;
        filter.after(page);
        return readers_.run([&](Connection& c) {
            Statement s(c, filter.sql(kColumns));
            filter.bind(s);
            std::vector<Prompt> items;
            while (s.step()) items.push_back(read_prompt(s));
            return finish_page(std::move(items), page);
        });
    }

    std::optional<Prompt> update(const Prompt& p) override {
        return writer_.run_bulk([&](Connection& c) -> std::optional<Prompt> {
            Statement s(c, "UPDATE prompts SET name = ?, content = ?, introduction = ?, conversation = ?, updatedAt = ? "
                           "WHERE id = ?");
            s.bind(1, p.name).bind(2, p.content).bind(3, p.introduction).bind(4, conversation_text(p));
            s.bind(5, to_millis(p.updated_at)).bind(6, p.id).run();
            if (c.changes() == 0) return std::nullopt;
            return find(c, p.id);
        });
    }

    bool remove(const std::string& id) override {
        return writer_.run_bulk([&](Connection& c) {
            Statement s(c, "DELETE FROM prompts WHERE id = ?");
            s.bind(1, id).run();
            return c.changes() > 0;
        });
    }

private:
    WriteQueue& writer_;
    ReadPool& readers_;
};
}  // namespace

std::unique_ptr<PromptRepository> make_prompt_repository(WriteQueue& writer, ReadPool& readers) {
    return std::make_unique<SqlitePromptRepository>(writer, readers);
}

}  // namespace va::store::sqlite
