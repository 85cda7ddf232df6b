#include "core/losses/loss_registry.h"

#include <cmath>
#include <stdexcept>

namespace losslens {

namespace {
std::string joined(const std::vector<std::string>& names)
{
    std::string s;
    for (const auto& n : names)
        s += (s.empty() ? "'" : ", '") + n + "'";
    return s;
}

template <typename Map>
void checkUsed(const Map& given, const std::set<std::string>& used, const std::string& what, const std::string& fn)
{
    std::vector<std::string> unused;
    for (const auto& [name, value] : given)
        if (!used.count(name))
            unused.push_back(name);
    if (!unused.empty())
        throw std::invalid_argument(fn + " does not take " + what + " " + joined(unused));
}
} // namespace

const Tensor<double>& LossInputs::required(const std::string& name) const
{
    const auto it = m_tensors.find(name);
    if (it == m_tensors.end())
        throw std::invalid_argument("missing input '" + name + "'");
    m_used.insert(name);
    return it->second;
}

TensorView<double> LossInputs::optional(const std::string& name) const
{
    const auto it = m_tensors.find(name);
    if (it == m_tensors.end())
        return {};
    m_used.insert(name);
    return it->second;
}

void LossInputs::checkAllUsed(const std::string& fn) const { checkUsed(m_tensors, m_used, "input", fn); }

const LossArgs::Value* LossArgs::find(const std::string& name) const
{
    const auto it = m_values.find(name);
    if (it == m_values.end())
        return nullptr;
    m_used.insert(name);
    return &it->second;
}

double LossArgs::number(const std::string& name, double fallback) const
{
    const Value* v = find(name);
    if (!v)
        return fallback;
    if (const auto* d = std::get_if<double>(v))
        return *d;
    throw std::invalid_argument("argument '" + name + "' must be a number");
}

Index LossArgs::integer(const std::string& name, Index fallback) const
{
    const double d = number(name, static_cast<double>(fallback));
    if (!std::isfinite(d) || d != std::floor(d))
        throw std::invalid_argument("argument '" + name + "' must be an integer");
    return static_cast<Index>(d);
}

bool LossArgs::flag(const std::string& name, bool fallback) const
{
    const Value* v = find(name);
    if (!v)
        return fallback;
    if (const auto* b = std::get_if<bool>(v))
        return *b;
    throw std::invalid_argument("argument '" + name + "' must be true or false");
}

std::string LossArgs::text(const std::string& name, const std::string& fallback) const
{
    const Value* v = find(name);
    if (!v)
        return fallback;
    if (const auto* s = std::get_if<std::string>(v))
        return *s;
    throw std::invalid_argument("argument '" + name + "' must be a string");
}

Reduction LossArgs::reduction(Reduction fallback) const
{
    const Value* v = find("reduction");
    if (!v)
        return fallback;
    if (const auto* s = std::get_if<std::string>(v))
        return parseReduction(*s);
    throw std::invalid_argument("argument 'reduction' must be a string such as \"SUM_BY_NONZERO_WEIGHTS\"");
}

void LossArgs::checkAllUsed(const std::string& fn) const { checkUsed(m_values, m_used, "argument", fn); }

const LossRegistry& LossRegistry::builtin()
{
    static const LossRegistry registry = [] {
        LossRegistry r;
        registerTfLosses(r);
        registerTorchLosses(r);
        return r;
    }();
    return registry;
}

void LossRegistry::add(const std::string& name, const std::string& gradientInput, LossFunction fn)
{
    m_functions[name] = {gradientInput, std::move(fn)};
}

const LossRegistry::Entry& LossRegistry::entry(const std::string& name) const
{
    const auto it = m_functions.find(name);
    if (it == m_functions.end())
        throw std::invalid_argument("unknown loss function '" + name + "'");
    return it->second;
}

const std::string& LossRegistry::gradientInput(const std::string& name) const { return entry(name).gradientInput; }

LossResult<double> LossRegistry::evaluate(const std::string& name, const LossInputs& inputs, const LossArgs& args,
                                          Gradient gradient) const
{
    LossResult<double> result = entry(name).fn(inputs, args, gradient);
    inputs.checkAllUsed(name);
    args.checkAllUsed(name);
    return result;
}

std::vector<std::string> LossRegistry::names() const
{
    std::vector<std::string> out;
    for (const auto& [name, fn] : m_functions)
        out.push_back(name);
    return out;
}

} // namespace losslens
