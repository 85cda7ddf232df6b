#include "core/runs/logdir_scan.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace losslens {

namespace {

bool hasSuffix(const std::string& name, std::string_view suffix)
{
    return name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool isCsvLog(const std::string& path)
{
    const std::string head = readHead(path, 512);
    const std::string firstLine = head.substr(0, head.find('\n'));
    return firstLine.find(',') != std::string::npos &&
           (firstLine.find("epoch") != std::string::npos || firstLine.find("step") != std::string::npos);
}

formats::Format formatOfLogdirEntry(const fs::path& p)
{
    const std::string name = p.filename().string();
    const std::string path = p.string();
    if (name.find("tfevents") != std::string::npos)
        return formats::Format::TfEvents;
    for (std::string_view ext : {".csv", ".tsv", ".json", ".jsonl", ".ndjson"})
        if (hasSuffix(name, ext))
            return formats::detectFormat(path, readHead(path, 4096));
    if (hasSuffix(name, ".log") && isCsvLog(path))
        return formats::Format::Csv;
    return formats::Format::Unknown;
}

// "runs/exp1/" and "runs/exp1/." are both "exp1"; "." for a folder with no name (the root).
std::string folderName(const fs::path& folder)
{
    std::error_code ec;
    fs::path resolved = fs::weakly_canonical(folder.empty() ? fs::path(".") : folder, ec);
    if (ec)
        resolved = folder.lexically_normal();
    std::string name = resolved.filename().string();
    if (name.empty())
        name = resolved.parent_path().filename().string(); // a trailing separator
    return name.empty() ? "." : name;
}

} // namespace

std::string readHead(const std::string& path, std::size_t max)
{
    std::ifstream in(path, std::ios::binary);
    std::string head(max, '\0');
    in.read(head.data(), static_cast<std::streamsize>(max));
    head.resize(static_cast<std::size_t>(std::max<std::streamsize>(in.gcount(), 0)));
    return head;
}

ScanResult scanPath(const std::string& path)
{
    ScanResult result;
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (ec || !fs::exists(status)) {
        result.error = path + ": no such file or directory";
        return result;
    }
    if (!fs::is_directory(status)) {
        const fs::path p(path);
        const std::string folder = folderName(p.parent_path());
        const formats::Format format = formats::detectFormat(path, readHead(path));
        if (format == formats::Format::Unknown) {
            std::ifstream probe(path, std::ios::binary);
            result.error = path + (probe ? ": not a log format LossLens reads" : ": cannot be read");
            if (probe && fs::file_size(p, ec) == 0)
                result.error.clear(); // an empty file is readable; the reader will say it is empty
            if (!result.error.empty())
                return result;
        }
        result.files.push_back(LogFile{path, folder,
                                       format == formats::Format::Unknown ? formats::Format::Csv : format});
        return result;
    }
    const fs::path root(path);
    fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec);
    if (ec) {
        result.error = path + ": " + ec.message();
        return result;
    }
    for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (ec)
            break;
        const fs::path& p = it->path();
        if (p.filename().string().starts_with(".")) {
            if (it->is_directory(ec))
                it.disable_recursion_pending();
            continue;
        }
        if (!it->is_regular_file(ec))
            continue;
        const formats::Format format = formatOfLogdirEntry(p);
        if (format == formats::Format::Unknown)
            continue;
        const std::string run = p.parent_path().lexically_relative(root).generic_string();
        result.files.push_back(LogFile{p.string(), run.empty() || run == "." ? folderName(root) : run, format});
    }
    std::sort(result.files.begin(), result.files.end(), [](const LogFile& a, const LogFile& b) {
        return a.run != b.run ? a.run < b.run : a.path < b.path;
    });
    return result;
}

} // namespace losslens
