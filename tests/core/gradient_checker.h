#pragma once
// The one finite-difference checker every loss's gradient is verified with (as Ceres'
// GradientChecker does for cost functions): central differences of the reported value,
// summed over its elements for Reduction::None, against the analytic gradient.

#include "core/tensor.h"

#include <cmath>
#include <functional>
#include <string>

namespace losslens::test {

struct GradientCheck {
    bool ok = true;
    Index worst = -1;       ///< element with the largest error
    double analytic = 0.0;  ///< analytic gradient there
    double numeric = 0.0;   ///< finite-difference estimate there
    std::string message() const
    {
        return "element " + std::to_string(worst) + ": analytic " + std::to_string(analytic) + ", finite difference " +
               std::to_string(numeric);
    }
};

/// `f(x)` returns Σ value for input x. Compares `analytic` with (f(x+h) − f(x−h)) / 2h, h scaled
/// to |xᵢ|, within atol + rtol·|numeric|. Elements where either side is non-finite are skipped, and
/// so are kinks (|x| at 0, hinge, Huber's switch), where the one-sided differences disagree and no
/// derivative exists.
inline GradientCheck checkGradient(const std::function<double(const Tensor<double>&)>& f, const Tensor<double>& x,
                                   const TensorView<double>& analytic, double rtol = 1e-5, double atol = 1e-6)
{
    GradientCheck check;
    double worstError = 0.0;
    Tensor<double> probe = x;
    const double centre = f(x);
    for (Index i = 0; i < x.size(); ++i) {
        const double h = 1e-6 * std::max(1.0, std::abs(x[i]));
        probe.mutableData()[i] = x[i] + h;
        const double up = f(probe);
        probe.mutableData()[i] = x[i] - h;
        const double down = f(probe);
        probe.mutableData()[i] = x[i];
        const double numeric = (up - down) / (2 * h);
        if (!std::isfinite(numeric) || !std::isfinite(analytic[i]))
            continue;
        const double forward = (up - centre) / h, backward = (centre - down) / h;
        if (std::abs(forward - backward) > 1e-3 * (1.0 + std::abs(numeric)))
            continue;
        const double error = std::abs(numeric - analytic[i]) - rtol * std::abs(numeric);
        if (error > atol && error > worstError) {
            worstError = error;
            check = {false, i, analytic[i], numeric};
        }
    }
    return check;
}

} // namespace losslens::test
