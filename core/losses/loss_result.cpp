#include "core/losses/loss_result.h"

#include "core/losses/loss_collection.h"

#include <stdexcept>

namespace losslens {

template <typename T>
double LossResult<T>::scalar() const
{
    if (value.rank() != 0)
        throw std::logic_error("loss value of shape " + toString(value.shape()) +
                               " is not reduced; use a reduction other than NONE");
    return value.item();
}

template <typename T>
const LossResult<T>& LossResult<T>::addTo(LossCollection& collection, const std::string& name, double weight) const
{
    collection.addLoss(name, scalar(), weight);
    return *this;
}

template struct LossResult<float>;
template struct LossResult<double>;

} // namespace losslens
