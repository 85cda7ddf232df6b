#pragma once
// TF-Slim's loss collection, as a value: losses add themselves to it, the total is its sum.
//
//   softmaxCrossEntropy(logits, onehot, {.labelSmoothing = 0.1}).addTo(losses, "scene/xent");
//   losses.addRegularization("l2/trunk", l2Regularizer(1e-4)(trunkWeights));
//   double total = losses.totalLoss();

#include "core/runs/role.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace losslens {

/// Whether totalLoss() adds the regularization losses (slim's add_regularization_losses).
enum class Regularization { Include, Exclude };

/// One entry of the collection.
struct NamedLoss {
    std::string name;
    double value = 0.0;
    double weight = 1.0; ///< the task weight: the total uses weight·value
};

/// Everything a training step reports, as flat (tag, value, role) entries: each component, each
/// task weight ("task_weight/<name>", role other), each regularization loss, the regularization
/// sum ("regularization_loss") and the total ("total_loss"). Written to logs and streamed live.
struct LossSnapshot {
    struct Entry {
        std::string tag;
        double value = 0.0;
        Role role = Role::Other;
    };
    std::int64_t step = 0;
    std::vector<Entry> entries;

    /// The value of `tag`; throws std::out_of_range when absent.
    double value(std::string_view tag) const;
};

class LossCollection {
public:
    /// slim.losses.add_loss: a component of the total, counted weight·value. Adding a name twice
    /// replaces the earlier entry (one value per name and step). Throws for an empty name or a
    /// non-finite weight; a NaN value is kept (it is what the user must see).
    void addLoss(const std::string& name, double value, double weight = 1.0);
    /// A regularization loss (slim's REGULARIZATION_LOSSES collection).
    void addRegularization(const std::string& name, double value);
    /// Changes the task weight of an existing loss; throws std::out_of_range for an unknown name.
    void setWeight(const std::string& name, double weight);

    /// slim.losses.get_losses(scope): entries whose name matches the ECMAScript regex `scope` at
    /// its start (tf.get_collection's rule, so "depth" matches "depth/mse" and "depth2/x").
    /// An empty scope matches everything; an invalid regex throws std::invalid_argument.
    std::vector<NamedLoss> losses(const std::string& scope = {}) const;
    std::vector<NamedLoss> regularizationLosses(const std::string& scope = {}) const;

    /// Σ regularization values in `scope`.
    double regularizationLoss(const std::string& scope = {}) const;
    /// slim.losses.get_total_loss: Σ weightᵢ·lossᵢ (+ Σ regularization) over `scope`.
    double totalLoss(Regularization regularization = Regularization::Include, const std::string& scope = {}) const;

    /// Every named value, the task weights, the regularization sum and the total, at `step`.
    LossSnapshot snapshot(std::int64_t step) const;

    /// Empties the collection (call once per training step).
    void clear();
    bool empty() const { return m_losses.empty() && m_regularization.empty(); }

private:
    static void put(std::vector<NamedLoss>& list, NamedLoss loss);
    std::vector<NamedLoss> m_losses;
    std::vector<NamedLoss> m_regularization;
};

} // namespace losslens
