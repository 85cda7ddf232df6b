#include "core/script/expression.h"

#include "core/script/array_ops.h"
#include "core/script/script_error.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <map>

namespace losslens::script {

struct Expression::Node {
    enum class Kind { Number, Name, Negate, Binary, Unary, Shift } kind;
    double number = 0.0;
    std::size_t name = 0; // index into names()
    BinaryOp binary = BinaryOp::Add;
    UnaryOp unary = UnaryOp::Log;
    std::vector<std::unique_ptr<Node>> children;
};

namespace {

using Node = Expression::Node;

const std::map<std::string, UnaryOp>& unaryFunctions()
{
    static const std::map<std::string, UnaryOp> f{{"log", UnaryOp::Log},         {"exp", UnaryOp::Exp},
                                                  {"abs", UnaryOp::Abs},         {"sqrt", UnaryOp::Sqrt},
                                                  {"square", UnaryOp::Square},   {"sigmoid", UnaryOp::Sigmoid},
                                                  {"tanh", UnaryOp::Tanh}};
    return f;
}

const std::map<std::string, BinaryOp>& binaryFunctions()
{
    static const std::map<std::string, BinaryOp> f{{"min", BinaryOp::Minimum}, {"max", BinaryOp::Maximum}, {"pow", BinaryOp::Pow}};
    return f;
}

/// Recursive descent over the text; positions are reported 1-based as line and column.
class Parser {
public:
    Parser(const std::string& text, std::vector<std::string>& names) : m_text(text), m_names(names) {}

    std::unique_ptr<Node> parse()
    {
        auto root = sum();
        skipSpace();
        if (m_at < m_text.size())
            fail("unexpected '" + std::string(1, m_text[m_at]) + "'; expected an operator (+ - * / ^) or the end");
        return root;
    }

private:
    [[noreturn]] void fail(const std::string& message) const
    {
        int line = 1, column = 1;
        for (std::size_t i = 0; i < m_at && i < m_text.size(); ++i, ++column)
            if (m_text[i] == '\n') {
                ++line;
                column = 0;
            }
        throw ScriptError(ScriptErrorKind::Syntax, "SyntaxError: " + message, line, column);
    }
    void skipSpace()
    {
        while (m_at < m_text.size() && std::isspace(static_cast<unsigned char>(m_text[m_at])))
            ++m_at;
    }
    bool accept(char c)
    {
        skipSpace();
        if (m_at < m_text.size() && m_text[m_at] == c) {
            ++m_at;
            return true;
        }
        return false;
    }
    void expect(char c, const char* what)
    {
        if (!accept(c))
            fail(std::string("expected ") + what);
    }
    static std::unique_ptr<Node> make(Node::Kind kind) { return std::make_unique<Node>(Node{kind, {}, {}, {}, {}, {}}); }
    static std::unique_ptr<Node> binaryNode(BinaryOp op, std::unique_ptr<Node> a, std::unique_ptr<Node> b)
    {
        auto n = make(Node::Kind::Binary);
        n->binary = op;
        n->children.push_back(std::move(a));
        n->children.push_back(std::move(b));
        return n;
    }

    std::unique_ptr<Node> sum()
    {
        auto left = product();
        while (true) {
            if (accept('+'))
                left = binaryNode(BinaryOp::Add, std::move(left), product());
            else if (accept('-'))
                left = binaryNode(BinaryOp::Sub, std::move(left), product());
            else
                return left;
        }
    }
    std::unique_ptr<Node> product()
    {
        auto left = signedPower();
        while (true) {
            if (accept('*'))
                left = binaryNode(BinaryOp::Mul, std::move(left), signedPower());
            else if (accept('/'))
                left = binaryNode(BinaryOp::Div, std::move(left), signedPower());
            else
                return left;
        }
    }
    std::unique_ptr<Node> signedPower()
    {
        if (accept('-')) {
            auto n = make(Node::Kind::Negate);
            n->children.push_back(signedPower());
            return n;
        }
        if (accept('+'))
            return signedPower();
        auto base = primary();
        if (accept('^'))
            return binaryNode(BinaryOp::Pow, std::move(base), signedPower());
        return base;
    }
    std::unique_ptr<Node> primary()
    {
        skipSpace();
        if (m_at >= m_text.size())
            fail("unexpected end; expected a number, a series name or '('");
        const char c = m_text[m_at];
        if (accept('(')) {
            auto inner = sum();
            expect(')', "')'");
            return inner;
        }
        if (c == '`' || c == '"')
            return nameNode(quoted(c));
        if (std::isdigit(static_cast<unsigned char>(c)) || c == '.')
            return numberNode();
        if (std::isalpha(static_cast<unsigned char>(c)) || c == '_')
            return identifier();
        fail("unexpected '" + std::string(1, c) + "'; expected a number, a series name or '('");
    }
    std::string quoted(char quote)
    {
        const std::size_t end = m_text.find(quote, m_at + 1);
        if (end == std::string::npos)
            fail(std::string("unterminated name: a closing ") + quote + " is missing");
        std::string name = m_text.substr(m_at + 1, end - m_at - 1);
        m_at = end + 1;
        return name;
    }
    std::unique_ptr<Node> numberNode()
    {
        const char* begin = m_text.c_str() + m_at;
        char* end = nullptr;
        const double value = std::strtod(begin, &end);
        if (end == begin)
            fail("malformed number");
        m_at += static_cast<std::size_t>(end - begin);
        auto n = make(Node::Kind::Number);
        n->number = value;
        return n;
    }
    std::unique_ptr<Node> nameNode(const std::string& name)
    {
        auto n = make(Node::Kind::Name);
        const auto it = std::find(m_names.begin(), m_names.end(), name);
        n->name = static_cast<std::size_t>(it - m_names.begin());
        if (it == m_names.end())
            m_names.push_back(name);
        return n;
    }
    std::unique_ptr<Node> identifier()
    {
        const std::size_t begin = m_at;
        while (m_at < m_text.size() && (std::isalnum(static_cast<unsigned char>(m_text[m_at])) || m_text[m_at] == '_'))
            ++m_at;
        const std::string word = m_text.substr(begin, m_at - begin);
        if (!accept('('))
            return nameNode(word);
        std::vector<std::unique_ptr<Node>> args;
        args.push_back(sum());
        while (accept(','))
            args.push_back(sum());
        expect(')', "')' closing the call");
        return call(word, std::move(args), begin);
    }
    std::unique_ptr<Node> call(const std::string& fn, std::vector<std::unique_ptr<Node>> args, std::size_t at)
    {
        const auto arity = [&](std::size_t n) {
            if (args.size() != n) {
                m_at = at;
                fail(fn + "() takes " + std::to_string(n) + " argument" + (n == 1 ? "" : "s"));
            }
        };
        std::unique_ptr<Node> n;
        if (const auto u = unaryFunctions().find(fn); u != unaryFunctions().end()) {
            arity(1);
            n = make(Node::Kind::Unary);
            n->unary = u->second;
        } else if (const auto b = binaryFunctions().find(fn); b != binaryFunctions().end()) {
            arity(2);
            n = make(Node::Kind::Binary);
            n->binary = b->second;
        } else if (fn == "shift") {
            arity(2);
            // |k| ≤ 2^53 also rules out ±inf and NaN, which no cast to Index survives.
            if (args[1]->kind != Node::Kind::Number || !(std::abs(args[1]->number) <= 0x1p53)) {
                m_at = at;
                fail("shift(x, k) needs a constant integer k");
            }
            n = make(Node::Kind::Shift);
        } else {
            m_at = at;
            fail("unknown function '" + fn + "'; expressions know log exp abs sqrt square sigmoid tanh min max pow shift");
        }
        n->children = std::move(args);
        return n;
    }

    const std::string& m_text;
    std::vector<std::string>& m_names;
    std::size_t m_at = 0;
};

/// A node's value: a constant, a series column (borrowed) or n values of its own.
struct Value {
    bool constant = true;
    double number = 0.0;
    const double* data = nullptr;
    std::vector<double> owned;
    TensorView<double> view(std::size_t n) const
    {
        return constant ? TensorView<double>(&number, Shape{}) : TensorView<double>(data, Shape{static_cast<Index>(n)});
    }
    /// Storage this node may overwrite: its own, or fresh when it borrows a column.
    double* writable(std::size_t n)
    {
        if (owned.empty())
            owned.resize(n);
        return owned.data();
    }
    void own() { data = owned.data(); }
};

using Columns = std::vector<std::span<const double>>;

Value evaluateNode(const Node& node, const Columns& columns, std::size_t n)
{
    Value out;
    switch (node.kind) {
    case Node::Kind::Number: out.number = node.number; return out;
    case Node::Kind::Name: out.constant = false; out.data = columns[node.name].data(); return out;
    case Node::Kind::Negate:
    case Node::Kind::Unary: {
        Value x = evaluateNode(*node.children[0], columns, n);
        const UnaryOp op = node.kind == Node::Kind::Negate ? UnaryOp::Neg : node.unary;
        if (x.constant) {
            unary(op, x.view(n), &x.number);
            return x;
        }
        unary(op, x.view(n), x.writable(n)); // in place when x owns its values: the kernels are element-wise
        x.own();
        return x;
    }
    case Node::Kind::Shift: {
        Value x = evaluateNode(*node.children[0], columns, n); // not const: returned by move
        if (x.constant)
            return x;
        out.constant = false;
        shift(x.view(n), static_cast<Index>(node.children[1]->number), out.writable(n));
        out.own();
        return out;
    }
    case Node::Kind::Binary: {
        Value a = evaluateNode(*node.children[0], columns, n);
        Value b = evaluateNode(*node.children[1], columns, n);
        if (a.constant && b.constant) {
            binary(node.binary, a.view(n), b.view(n), Shape{}, &out.number);
            return out;
        }
        // Write over whichever operand owns storage, else into new storage.
        Value& target = !a.owned.empty() ? a : !b.owned.empty() ? b : out;
        const Shape shape{static_cast<Index>(n)};
        binary(node.binary, a.view(n), b.view(n), shape, target.writable(n));
        target.constant = false;
        target.own();
        return std::move(target);
    }
    }
    return out;
}

} // namespace

Expression::Expression(const std::string& text)
{
    m_root = Parser(text, m_names).parse();
}

Expression::~Expression() = default;
Expression::Expression(Expression&&) noexcept = default;
Expression& Expression::operator=(Expression&&) noexcept = default;

std::vector<double> Expression::evaluate(const std::vector<std::span<const double>>& columns, std::size_t n) const
{
    Value v = evaluateNode(*m_root, columns, n);
    if (v.constant)
        return std::vector<double>(n, v.number);
    if (v.owned.empty()) // the expression is one bare name
        return std::vector<double>(v.data, v.data + n);
    return std::move(v.owned);
}

} // namespace losslens::script
