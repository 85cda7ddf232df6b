#include "core/losses/task_weighting.h"

#include <cmath>
#include <stdexcept>

namespace losslens {

namespace {

double taskLoss(const LossCollection& losses, const std::string& task)
{
    for (const auto& l : losses.losses())
        if (l.name == task)
            return l.value;
    throw std::out_of_range("no loss named '" + task + "' in the collection");
}

} // namespace

FixedWeighting::FixedWeighting(std::map<std::string, double> weights) : m_weights(std::move(weights))
{
    for (const auto& [task, w] : m_weights)
        if (!std::isfinite(w))
            throw std::invalid_argument("weight of task '" + task + "' must be finite");
}

void FixedWeighting::apply(LossCollection& losses) const
{
    for (const auto& [task, w] : m_weights)
        losses.setWeight(task, w);
}

UncertaintyWeighting::UncertaintyWeighting(std::vector<std::string> tasks, double initialLogVariance)
    : m_tasks(std::move(tasks)), m_logVariances(m_tasks.size(), initialLogVariance)
{
    if (!std::isfinite(initialLogVariance))
        throw std::invalid_argument("initial log variance must be finite");
}

std::vector<double> UncertaintyWeighting::weights() const
{
    std::vector<double> w;
    for (double s : m_logVariances)
        w.push_back(0.5 * std::exp(-s));
    return w;
}

void UncertaintyWeighting::apply(LossCollection& losses) const
{
    const auto w = weights();
    for (std::size_t i = 0; i < m_tasks.size(); ++i) {
        losses.setWeight(m_tasks[i], w[i]);
        losses.addLoss("uncertainty/" + m_tasks[i], 0.5 * m_logVariances[i]);
    }
}

std::vector<double> UncertaintyWeighting::gradient(const LossCollection& losses) const
{
    std::vector<double> g;
    for (std::size_t i = 0; i < m_tasks.size(); ++i)
        g.push_back(-0.5 * taskLoss(losses, m_tasks[i]) * std::exp(-m_logVariances[i]) + 0.5);
    return g;
}

void UncertaintyWeighting::step(const LossCollection& losses, double learningRate)
{
    const auto g = gradient(losses);
    for (std::size_t i = 0; i < g.size(); ++i)
        m_logVariances[i] -= learningRate * g[i];
}

std::vector<double> dynamicWeightAverage(const std::vector<double>& lastEpoch, const std::vector<double>& epochBefore,
                                         double temperature)
{
    if (lastEpoch.size() != epochBefore.size())
        throw std::invalid_argument("dynamicWeightAverage needs one loss per task for both epochs");
    if (!(temperature > 0.0))
        throw std::invalid_argument("temperature must be positive");
    const auto k = static_cast<double>(lastEpoch.size());
    std::vector<double> e(lastEpoch.size());
    double sum = 0.0;
    for (std::size_t i = 0; i < e.size(); ++i)
        sum += e[i] = std::exp(lastEpoch[i] / epochBefore[i] / temperature);
    for (double& x : e)
        x *= k / sum;
    return e;
}

DynamicWeightAverage::DynamicWeightAverage(std::vector<std::string> tasks, double temperature)
    : m_tasks(std::move(tasks)), m_temperature(temperature), m_sums(m_tasks.size(), 0.0)
{
    if (!(temperature > 0.0))
        throw std::invalid_argument("temperature must be positive");
}

void DynamicWeightAverage::accumulate(const LossCollection& losses)
{
    for (std::size_t i = 0; i < m_tasks.size(); ++i)
        m_sums[i] += taskLoss(losses, m_tasks[i]);
    ++m_count;
}

void DynamicWeightAverage::endEpoch()
{
    if (m_count == 0)
        throw std::logic_error("endEpoch() without any accumulate() in the epoch");
    std::vector<double> mean = m_sums;
    for (double& x : mean)
        x /= static_cast<double>(m_count);
    m_history.push_back(std::move(mean));
    if (m_history.size() > 2)
        m_history.erase(m_history.begin());
    m_sums.assign(m_tasks.size(), 0.0);
    m_count = 0;
}

std::vector<double> DynamicWeightAverage::weights() const
{
    if (m_history.size() < 2)
        return std::vector<double>(m_tasks.size(), 1.0);
    return dynamicWeightAverage(m_history[1], m_history[0], m_temperature);
}

void DynamicWeightAverage::apply(LossCollection& losses) const
{
    const auto w = weights();
    for (std::size_t i = 0; i < m_tasks.size(); ++i)
        losses.setWeight(m_tasks[i], w[i]);
}

} // namespace losslens
