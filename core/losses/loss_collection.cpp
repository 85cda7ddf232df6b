#include "core/losses/loss_collection.h"

#include <algorithm>
#include <cmath>
#include <regex>
#include <stdexcept>

namespace losslens {

namespace {

std::vector<NamedLoss> inScope(const std::vector<NamedLoss>& list, const std::string& scope)
{
    if (scope.empty())
        return list;
    std::regex pattern;
    try {
        pattern = std::regex(scope, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
        throw std::invalid_argument("scope '" + scope + "' is not a valid regular expression: " + e.what());
    }
    std::vector<NamedLoss> out;
    for (const auto& loss : list)
        if (std::regex_search(loss.name, pattern, std::regex_constants::match_continuous))
            out.push_back(loss);
    return out;
}

} // namespace

double LossSnapshot::value(std::string_view tag) const
{
    for (const auto& e : entries)
        if (e.tag == tag)
            return e.value;
    throw std::out_of_range("snapshot has no tag '" + std::string(tag) + "'");
}

void LossCollection::put(std::vector<NamedLoss>& list, NamedLoss loss)
{
    if (loss.name.empty())
        throw std::invalid_argument("a loss needs a name");
    if (!std::isfinite(loss.weight))
        throw std::invalid_argument("weight of loss '" + loss.name + "' must be finite");
    const auto same = std::find_if(list.begin(), list.end(), [&](const NamedLoss& l) { return l.name == loss.name; });
    if (same != list.end())
        *same = std::move(loss);
    else
        list.push_back(std::move(loss));
}

void LossCollection::addLoss(const std::string& name, double value, double weight)
{
    put(m_losses, {name, value, weight});
}

void LossCollection::addRegularization(const std::string& name, double value) { put(m_regularization, {name, value, 1.0}); }

void LossCollection::setWeight(const std::string& name, double weight)
{
    const auto it = std::find_if(m_losses.begin(), m_losses.end(), [&](const NamedLoss& l) { return l.name == name; });
    if (it == m_losses.end())
        throw std::out_of_range("no loss named '" + name + "' in the collection");
    put(m_losses, {name, it->value, weight});
}

std::vector<NamedLoss> LossCollection::losses(const std::string& scope) const { return inScope(m_losses, scope); }

std::vector<NamedLoss> LossCollection::regularizationLosses(const std::string& scope) const
{
    return inScope(m_regularization, scope);
}

double LossCollection::regularizationLoss(const std::string& scope) const
{
    double sum = 0.0;
    for (const auto& r : regularizationLosses(scope))
        sum += r.value;
    return sum;
}

double LossCollection::totalLoss(Regularization regularization, const std::string& scope) const
{
    double total = 0.0;
    for (const auto& l : losses(scope))
        total += l.weight * l.value;
    if (regularization == Regularization::Include)
        total += regularizationLoss(scope);
    return total;
}

LossSnapshot LossCollection::snapshot(std::int64_t step) const
{
    LossSnapshot s{step, {}};
    bool weighted = false;
    for (const auto& l : m_losses) {
        s.entries.push_back({l.name, l.value, Role::Component});
        weighted = weighted || l.weight != 1.0;
    }
    if (weighted) // unit weights say nothing; record them only when some task is weighted
        for (const auto& l : m_losses)
            s.entries.push_back({"task_weight/" + l.name, l.weight, Role::Other});
    for (const auto& r : m_regularization)
        s.entries.push_back({r.name, r.value, Role::Regularization});
    s.entries.push_back({"regularization_loss", regularizationLoss(), Role::Other});
    s.entries.push_back({"total_loss", totalLoss(), Role::Total});
    return s;
}

void LossCollection::clear()
{
    m_losses.clear();
    m_regularization.clear();
}

} // namespace losslens
