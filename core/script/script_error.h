#pragma once
// Script failures as exceptions with a position: what the CLI prints and the editor underlines.

#include <stdexcept>
#include <string>

class QJSValue;

namespace losslens::script {

/// What went wrong, in the terms the editor shows.
enum class ScriptErrorKind {
    Syntax,   ///< the source does not parse
    Runtime,  ///< an exception thrown while running (TypeError, ReferenceError, a helper's message)
    Timeout,  ///< stopped by the watchdog after the time limit
    Cancelled,///< stopped on request (a newer edit superseded it)
    Result,   ///< ran, but returned something of the wrong type or shape
    Missing,  ///< the required entry function is not defined
};

/// A script error. `what()` reads "line 3, column 12: TypeError: log: …" (position omitted when
/// unknown); line() and column() are 1-based, 0 when unknown. QJSEngine in Qt 6.4 reports columns
/// for syntax errors only; for runtime errors the column is located on the line when the message
/// names the failing identifier or helper, else 0.
class ScriptError : public std::invalid_argument {
public:
    ScriptError(ScriptErrorKind kind, std::string message, int line = 0, int column = 0);

    ScriptErrorKind kind() const { return m_kind; }
    /// The message without the position prefix.
    const std::string& message() const { return m_message; }
    int line() const { return m_line; }
    int column() const { return m_column; }

private:
    ScriptErrorKind m_kind;
    std::string m_message;
    int m_line;
    int m_column;
};

/// The 1-based column on `lineText` where the identifier or helper named in `message` appears
/// ("foo is not defined", "log: …"), or 0.
int locateColumn(const std::string& lineText, const std::string& message);

} // namespace losslens::script
