// Log reader throughput and the run store's memory per point.
//   BM_TfeventsParse  ≥ 100 MB of scalar events (simple_value, PyTorch style), CRCs checked: target ≥ 1 GB/s
//   BM_CsvParse       Lightning/YOLOv5-like table: target ≥ 300 MB/s
//   BM_JsonlParse     detectron2 metrics.json-like lines: target ≥ 200 MB/s
//   BM_StoreBytesPerPoint  10 M points loaded through RecordBatch into a RunStore: target ≤ 24 B/point
// tests/bench/compare_tfevents_python.py compares BM_TfeventsParse with Python's protobuf library.

#include "core/formats/event_writer.h"
#include "core/formats/reader.h"
#include "core/runs/record_batch.h"
#include "core/runs/run_store.h"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>
#include <vector>

using namespace losslens;
using namespace losslens::formats;

namespace {

/// Counts what a reader produces and keeps nothing: the parser's cost alone.
class CountingSink : public RecordSink {
public:
    void onTag(std::uint32_t, const TagInfo&) override { ++tags; }
    void onScalar(std::uint32_t tag, std::int64_t step, double wallTime, double value) override
    {
        ++records;
        checksum += static_cast<double>(tag + static_cast<std::uint32_t>(step)) + wallTime + value;
    }
    void onWarning(Warning) override { ++warnings; }
    std::size_t tags = 0;
    std::size_t records = 0;
    std::size_t warnings = 0;
    double checksum = 0;
};

const std::vector<std::string>& tagNames()
{
    static const std::vector<std::string> names{"train/box_loss", "train/obj_loss", "train/cls_loss", "loss_rpn_cls", "loss_rpn_loc",
                                                "total_loss",     "lr",             "metrics/mAP_0.5", "val/box_loss", "data_time"};
    return names;
}

/// One event per scalar (PyTorch's SummaryWriter.add_scalar), tags cycling, until `bytes`.
const std::string& tfeventsFile(std::size_t bytes)
{
    static std::string file;
    if (file.size() >= bytes)
        return file;
    file = events::frameRecord(events::fileVersionEvent(1.7e9));
    for (std::int64_t step = 0; file.size() < bytes; ++step)
        for (const auto& tag : tagNames())
            file += events::frameRecord(events::summaryEvent(1.7e9 + static_cast<double>(step) * 0.1, step,
                                                             {events::simpleValue(tag, 1.0f / static_cast<float>(step + 1))}));
    return file;
}

const std::string& csvFile(std::size_t bytes)
{
    static std::string file;
    if (!file.empty())
        return file;
    file = "epoch,";
    for (const auto& tag : tagNames())
        file += tag + (&tag == &tagNames().back() ? "\n" : ",");
    char buffer[64];
    for (long step = 0; file.size() < bytes; ++step) {
        file += std::to_string(step);
        for (std::size_t i = 0; i < tagNames().size(); ++i) {
            std::snprintf(buffer, sizeof buffer, ",%.17g", 1.0 / static_cast<double>(step + static_cast<long>(i) + 1));
            file += buffer;
        }
        file += '\n';
    }
    return file;
}

const std::string& jsonlFile(std::size_t bytes)
{
    static std::string file;
    if (!file.empty())
        return file;
    char buffer[64];
    for (long step = 0; file.size() < bytes; ++step) {
        file += "{";
        for (const auto& tag : tagNames()) {
            std::snprintf(buffer, sizeof buffer, "%.17g", 0.5 / static_cast<double>(step + 1));
            file += "\"" + tag + "\": " + buffer + ", ";
        }
        file += "\"iteration\": " + std::to_string(step) + "}\n";
    }
    return file;
}

void parse(benchmark::State& state, Format format, const std::string& file)
{
    std::size_t records = 0;
    for (auto _ : state) {
        CountingSink sink;
        const auto reader = createReader(format, sink, "bench");
        reader->feed(file, true);
        benchmark::DoNotOptimize(sink.checksum);
        if (sink.warnings)
            state.SkipWithError("the generated file gave warnings");
        records = sink.records;
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * file.size()));
    state.counters["records"] = static_cast<double>(records);
    state.counters["MB"] = static_cast<double>(file.size()) / 1e6;
    state.counters["records/s"] = benchmark::Counter(static_cast<double>(records), benchmark::Counter::kIsIterationInvariantRate);
}

void BM_TfeventsParse(benchmark::State& state) { parse(state, Format::TfEvents, tfeventsFile(std::size_t{100} << 20)); }
void BM_CsvParse(benchmark::State& state) { parse(state, Format::Csv, csvFile(std::size_t{64} << 20)); }
void BM_JsonlParse(benchmark::State& state) { parse(state, Format::JsonLines, jsonlFile(std::size_t{64} << 20)); }

void BM_StoreBytesPerPoint(benchmark::State& state)
{
    constexpr std::int64_t kPoints = 10'000'000;
    const auto tags = static_cast<std::int64_t>(tagNames().size());
    double perPoint = 0;
    for (auto _ : state) {
        RunStore store;
        RecordBatch batch;
        for (std::uint32_t t = 0; t < tags; ++t)
            batch.onTag(t, TagInfo{{}, tagNames()[t], {}});
        // in chunks, as the loader merges them
        std::vector<formats::Warning> warnings;
        for (std::int64_t i = 0; i < kPoints; ++i) {
            batch.onScalar(static_cast<std::uint32_t>(i % tags), i / tags, 1.7e9 + static_cast<double>(i), 0.5);
            if ((i + 1) % 1'000'000 == 0)
                batch.mergeInto(store, "run", "bench", warnings);
        }
        store.shrinkToFit();
        perPoint = static_cast<double>(store.memoryBytes()) / static_cast<double>(store.pointCount());
        benchmark::DoNotOptimize(perPoint);
    }
    state.counters["points"] = static_cast<double>(kPoints);
    state.counters["bytes_per_point"] = perPoint;
}

} // namespace

BENCHMARK(BM_TfeventsParse)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_CsvParse)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_JsonlParse)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_StoreBytesPerPoint)->Unit(benchmark::kMillisecond)->Iterations(1);
