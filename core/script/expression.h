#pragma once
// Arithmetic expressions over named series, evaluated as whole-array operations without a script
// engine: the fast, safe form of a derived series.
//
//   total_loss - (loss_cls + loss_box_reg + loss_mask)
//   loss_cls / loss_mask          `scene/xent` * 0.5 + log("depth/mse")
//
// Grammar: + − * / and ^ (power, right-associative), unary −, parentheses, numbers (1, 0.5, 1e-3),
// names ([A-Za-z_][A-Za-z0-9_]*, or any tag quoted in `backticks` or "double quotes") and the
// functions log exp abs sqrt square sigmoid tanh (one argument), min max pow (two), shift(x, k).

#include "core/tensor.h"

#include <memory>
#include <span>
#include <string>
#include <vector>

namespace losslens::script {

class Expression {
public:
    /// Parses `text`; throws ScriptError(Syntax) with the 1-based line and column of the problem.
    explicit Expression(const std::string& text);
    ~Expression();
    Expression(Expression&&) noexcept;
    Expression& operator=(Expression&&) noexcept;

    /// The distinct names the expression reads, in order of first appearance.
    const std::vector<std::string>& names() const { return m_names; }
    /// Evaluates with names()[k] bound to columns[k] (all of one length n); returns n values.
    /// A constant expression gives n copies of its value.
    std::vector<double> evaluate(const std::vector<std::span<const double>>& columns, std::size_t n) const;

    struct Node;

private:
    std::unique_ptr<Node> m_root;
    std::vector<std::string> m_names;
};

} // namespace losslens::script
