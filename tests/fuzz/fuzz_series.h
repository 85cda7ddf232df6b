#pragma once
// The run the derived-series fuzz targets compute over: three series with partly shared steps,
// a NaN, an infinity and a restart, so alignment and non-finite values are always exercised.

#include "core/runs/series.h"

#include <cmath>
#include <limits>
#include <vector>

namespace losslens::fuzz {

struct FuzzRun {
    Series cls{"loss_cls", Role::Component};
    Series box{"loss/box", Role::Component};
    Series total{"total_loss", Role::Total};

    FuzzRun()
    {
        const double nan = std::numeric_limits<double>::quiet_NaN();
        const double inf = std::numeric_limits<double>::infinity();
        for (std::int64_t step = 0; step < 8; ++step) {
            cls.append(step, 100.0 + static_cast<double>(step), step == 3 ? nan : 1.0 / static_cast<double>(step + 1));
            if (step % 2 == 0)
                box.append(step, 100.0 + static_cast<double>(step), step == 6 ? inf : 0.25 * static_cast<double>(step));
            total.append(step, 100.0 + static_cast<double>(step), 2.0 - 0.1 * static_cast<double>(step));
        }
        total.append(5, 200.0, 1.5); // a restart: steps from 5 on are superseded
    }

    std::vector<const Series*> all() const { return {&cls, &box, &total}; }
};

} // namespace losslens::fuzz
