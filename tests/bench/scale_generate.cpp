// losslens-scale-gen: writes the logdir of the scale check (tests/bench/scale.sh):
//
//   losslens-scale-gen DIR RUNS TAGS POINTS BIG_POINTS
//
// RUNS folders of TAGS scalar tags × POINTS steps, plus folder "big" holding one tag of
// BIG_POINTS steps: TensorBoard event files written with the project's EventFileWriter, one Event
// per scalar, as PyTorch's SummaryWriter.add_scalar writes them. Runs are written in parallel.

#include "core/formats/event_writer.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

using namespace losslens;

namespace {

constexpr double kWallStart = 1.7e9;

std::string tagName(int t)
{
    char name[32];
    std::snprintf(name, sizeof name, "loss/task%02d", t);
    return name;
}

// A decaying loss with a deterministic ripple.
void writeRun(const std::filesystem::path& dir, int tags, std::int64_t points)
{
    std::filesystem::create_directories(dir);
    formats::EventFileWriter writer((dir / formats::EventFileWriter::defaultFileName(kWallStart)).string(), kWallStart);
    std::vector<std::string> names;
    for (int t = 0; t < tags; ++t)
        names.push_back(tags == 1 ? "total_loss" : tagName(t));
    for (std::int64_t step = 0; step < points; ++step)
        for (int t = 0; t < tags; ++t) {
            const double value = (1.0 + t) * std::exp(-static_cast<double>(step) / static_cast<double>(points) * 3) +
                                 0.01 * static_cast<double>((step * 7919 + t) % 101);
            writer.writeScalar(names[static_cast<std::size_t>(t)], step, value, kWallStart + static_cast<double>(step));
        }
    writer.flush();
}

} // namespace

int main(int argc, char** argv)
{
    if (argc != 6) {
        std::fprintf(stderr, "usage: losslens-scale-gen DIR RUNS TAGS POINTS BIG_POINTS\n");
        return 2;
    }
    const std::filesystem::path dir = argv[1];
    const int runs = std::stoi(argv[2]), tags = std::stoi(argv[3]);
    const std::int64_t points = std::stoll(argv[4]), bigPoints = std::stoll(argv[5]);
    std::atomic<int> next{0};
    auto worker = [&] {
        for (int r; (r = next.fetch_add(1)) <= runs;) {
            char name[32];
            std::snprintf(name, sizeof name, "run%03d", r);
            if (r == 0)
                writeRun(dir / "big", 1, bigPoints); // the longest job first
            else
                writeRun(dir / name, tags, points);
        }
    };
    std::vector<std::jthread> threads;
    for (unsigned t = 0; t < std::max(1u, std::thread::hardware_concurrency()); ++t)
        threads.emplace_back(worker);
    return 0;
}
