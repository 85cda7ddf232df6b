#pragma once
// Finding the logs under a path, and naming their runs the way TensorBoard does.

#include "core/formats/reader.h"

#include <string>
#include <vector>

namespace losslens {

struct LogFile {
    std::string path;
    /// The folder's path relative to the scanned logdir, as TensorBoard names runs — except that
    /// the logdir's own files take the logdir's name rather than TensorBoard's ".", so that two
    /// opened run folders stay two runs; for a file given directly, the name of its folder.
    std::string run;
    formats::Format format = formats::Format::Unknown;
};

struct ScanResult {
    std::vector<LogFile> files; ///< sorted by run, then file name (the order files of a run are merged in)
    std::string error;          ///< set when the path does not exist or cannot be read
};

/// A file → that file (any name; its format sniffed when the name says nothing).
/// A folder → every log below it, recursively: names containing "tfevents", `*.csv`, `*.tsv`,
/// `*.json`, `*.jsonl`, `*.ndjson`, and `*.log` files whose first line is a CSV header naming
/// an epoch/step column (Keras' CSVLogger default "training.log"). Hidden entries are skipped.
ScanResult scanPath(const std::string& path);

/// The file's first bytes (up to `max`), or empty when it cannot be read.
std::string readHead(const std::string& path, std::size_t max = 4096);

} // namespace losslens
