#include "core/script/script_error.h"

#include <regex>

namespace losslens::script {

namespace {
std::string withPosition(const std::string& message, int line, int column)
{
    if (line <= 0)
        return message;
    std::string prefix = "line " + std::to_string(line);
    if (column > 0)
        prefix += ", column " + std::to_string(column);
    return prefix + ": " + message;
}

bool isIdentifierChar(char c)
{
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$';
}

/// The first whole-word occurrence of `word` in `text` (followed by '(' when `call`), 1-based.
int findWord(const std::string& text, const std::string& word, bool call)
{
    for (std::size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) {
        const std::size_t end = at + word.size();
        if ((at > 0 && isIdentifierChar(text[at - 1])) || (end < text.size() && isIdentifierChar(text[end])))
            continue;
        std::size_t next = end;
        while (call && next < text.size() && text[next] == ' ')
            ++next;
        if (!call || (next < text.size() && text[next] == '('))
            return static_cast<int>(at) + 1;
    }
    return 0;
}
} // namespace

ScriptError::ScriptError(ScriptErrorKind kind, std::string message, int line, int column)
    : std::invalid_argument(withPosition(message, line, column)), m_kind(kind), m_message(std::move(message)),
      m_line(line), m_column(column)
{
}

int locateColumn(const std::string& lineText, const std::string& message)
{
    static const std::regex notDefined(R"(ReferenceError: ([A-Za-z_$][\w$]*) is not defined)");
    static const std::regex helper(R"(^\w*Error: ([A-Za-z_$][\w$]*): )");
    static const std::regex notFunction(R"(TypeError: .*?([A-Za-z_$][\w$]*) is not a function)");
    std::smatch m;
    if (std::regex_search(message, m, notDefined))
        return findWord(lineText, m[1], false);
    if (std::regex_search(message, m, helper) || std::regex_search(message, m, notFunction))
        return findWord(lineText, m[1], true);
    return 0;
}

} // namespace losslens::script
