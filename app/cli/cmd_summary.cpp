// losslens-cli summary PATH…: per run, what each loss ended at and how much of the total it is.

#include "command.h"
#include "load_logs.h"

#include "core/formats/json_util.h"
#include "core/runs/log_loader.h"
#include "core/runs/run_summary.h"

#include <QCommandLineParser>

#include <cmath>
#include <cstdio>
#include <string>

namespace losslens::cli {

namespace {

std::string number(double v)
{
    std::string s;
    formats::appendDouble(s, v);
    return s;
}

std::string jsonNumber(double v)
{
    if (std::isfinite(v))
        return number(v);
    std::string quoted(1, '"'); // JSON has no NaN or infinity
    quoted += number(v);
    quoted.push_back('"');
    return quoted;
}

std::string shareText(double share)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.1f %%", share * 100.0);
    return buffer;
}

void printText(const RunSummary& s)
{
    std::printf("run %s  (shares at step %lld of %s = %s)\n", s.run.c_str(), static_cast<long long>(s.referenceStep),
                s.totalTag.empty() ? "Σ components + regularization" : s.totalTag.c_str(), number(s.total).c_str());
    std::printf("  %-32s %-14s %14s %14s %10s %8s\n", "tag", "role", "last", "min", "min step", "share");
    for (const TagSummary& t : s.tags) {
        const std::string share = t.share ? shareText(*t.share) : "-";
        std::printf("  %-32s %-14s %14.6g %14.6g %10lld %8s\n", t.tag.c_str(), std::string(roleName(t.role)).c_str(), t.last,
                    t.min, static_cast<long long>(t.minStep), share.c_str());
    }
}

std::string toJson(const RunSummary& s)
{
    std::string out = "{\"run\":";
    formats::appendJsonString(out, s.run);
    out += ",\"reference_step\":" + std::to_string(s.referenceStep) + ",\"total_tag\":";
    if (s.totalTag.empty())
        out += "null";
    else
        formats::appendJsonString(out, s.totalTag);
    out += ",\"total\":" + jsonNumber(s.total) + ",\"tags\":[";
    for (std::size_t i = 0; i < s.tags.size(); ++i) {
        const TagSummary& t = s.tags[i];
        out += i ? ",{\"tag\":" : "{\"tag\":";
        formats::appendJsonString(out, t.tag);
        out += ",\"role\":\"" + std::string(roleName(t.role)) + "\",\"points\":" + std::to_string(t.points) +
               ",\"last_step\":" + std::to_string(t.lastStep) + ",\"last\":" + jsonNumber(t.last) + ",\"min\":" + jsonNumber(t.min) +
               ",\"min_step\":" + std::to_string(t.minStep) + ",\"share\":" + (t.share ? jsonNumber(*t.share) : "null") + "}";
    }
    return out + "]}";
}

} // namespace

int runSummary(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "Loads the logs at PATH (restart rule applied) and prints, per run, each loss tag (component,\n"
        "regularization, total) with its role, last value, minimum and its step, and its share of the total\n"
        "at the total's last step. Warnings go to standard error.");
    parser.addHelpOption();
    parser.addOption({"json", "One JSON document: {\"runs\":[{\"run\":…,\"tags\":[{\"tag\":…,\"role\":…,…}]}]}."});
    parser.addPositionalArgument("PATH", "A log file or a logdir.", "PATH…");
    parser.process(arguments);
    const QStringList paths = parser.positionalArguments();
    if (paths.isEmpty()) {
        std::fprintf(stderr, "losslens-cli summary: at least one PATH is required (see --help)\n");
        return Usage;
    }
    RunStore store;
    LogLoader loader(store);
    const bool ok = addLogPaths(loader, paths, "summary");
    for (const auto& w : loader.update().warnings)
        std::fprintf(stderr, "%s\n", w.toString().c_str());
    if (parser.isSet("json")) {
        std::string out = "{\"runs\":[";
        for (std::size_t i = 0; i < store.runs().size(); ++i)
        {
            if (i)
                out.push_back(',');
            out += toJson(summarizeRun(*store.runs()[i]));
        }
        std::printf("%s]}\n", out.c_str());
    } else {
        for (const auto& run : store.runs())
            printText(summarizeRun(*run));
    }
    return ok ? Ok : Failed;
}

} // namespace losslens::cli
