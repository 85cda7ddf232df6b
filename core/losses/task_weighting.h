#pragma once
// Multi-task weighting: each scheme sets the task weights of a LossCollection (so the total and
// the snapshot's "task_weight/<task>" entries record them) instead of hiding them in the losses.

#include "core/losses/loss_collection.h"

#include <map>
#include <string>
#include <vector>

namespace losslens {

/// Constant weights: total = Σ wᵢ·Lᵢ.
class FixedWeighting {
public:
    /// Throws std::invalid_argument for a non-finite weight.
    explicit FixedWeighting(std::map<std::string, double> weights);
    /// Sets each task's weight; throws std::out_of_range for a task the collection lacks.
    void apply(LossCollection& losses) const;

private:
    std::map<std::string, double> m_weights;
};

/// Homoscedastic uncertainty weighting (Kendall, Gal & Cipolla, CVPR 2018, eq. 7 in the
/// log-variance form): total = Σ Lᵢ / (2·e^{sᵢ}) + sᵢ / 2, with sᵢ = log σᵢ² learned.
/// apply() sets weight 1/(2e^{sᵢ}) on each task and adds the sᵢ/2 terms as components named
/// "uncertainty/<task>", so the collection's total is exactly the expression above.
class UncertaintyWeighting {
public:
    explicit UncertaintyWeighting(std::vector<std::string> tasks, double initialLogVariance = 0.0);

    void apply(LossCollection& losses) const;
    /// ∂total/∂sᵢ = −Lᵢ / (2e^{sᵢ}) + 1/2, with Lᵢ read from `losses`.
    std::vector<double> gradient(const LossCollection& losses) const;
    /// One gradient-descent step on the log variances.
    void step(const LossCollection& losses, double learningRate);

    const std::vector<std::string>& tasks() const { return m_tasks; }
    const std::vector<double>& logVariances() const { return m_logVariances; }
    std::vector<double> weights() const;

private:
    std::vector<std::string> m_tasks;
    std::vector<double> m_logVariances;
};

/// Dynamic Weight Average (Liu, Johns & Davison, "End-to-End Multi-Task Learning with
/// Attention", CVPR 2019, eq. 7): λₖ(t) = K·exp(wₖ(t−1)/T) / Σᵢ exp(wᵢ(t−1)/T), with
/// wₖ(t−1) = Lₖ(t−1)/Lₖ(t−2) the ratio of the last two epoch-mean losses. Inputs are the
/// epoch-mean losses of the two previous epochs, one per task; returns λ (sums to K).
std::vector<double> dynamicWeightAverage(const std::vector<double>& lastEpoch, const std::vector<double>& epochBefore,
                                         double temperature = 2.0);

/// Dynamic Weight Average over a training loop: accumulate() every step, endEpoch() at the end
/// of each epoch; the weights are 1 for the first two epochs, as in the paper.
class DynamicWeightAverage {
public:
    explicit DynamicWeightAverage(std::vector<std::string> tasks, double temperature = 2.0);

    /// Adds this step's task losses to the running epoch means.
    void accumulate(const LossCollection& losses);
    /// Closes the epoch: its mean losses become the newest history entry.
    void endEpoch();
    std::vector<double> weights() const;
    void apply(LossCollection& losses) const;

private:
    std::vector<std::string> m_tasks;
    double m_temperature;
    std::vector<double> m_sums;
    long m_count = 0;
    std::vector<std::vector<double>> m_history; // at most the last two epoch means
};

} // namespace losslens
