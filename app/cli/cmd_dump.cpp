// losslens-cli dump PATH…: every scalar record of the given logs, as read, for scripts and diffs.

#include "command.h"
#include "load_logs.h"

#include "core/formats/json_util.h"
#include "core/formats/mapped_file.h"
#include "core/formats/reader.h"
#include "core/runs/log_loader.h"
#include "core/runs/logdir_scan.h"

#include <QCommandLineParser>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace losslens::cli {

namespace {

using formats::appendCsvField;
using formats::appendDouble;
using formats::appendJsonString;

enum class OutputFormat { Csv, JsonLines };

/// Formats records into a buffer written to stdout in large blocks.
class RecordPrinter {
public:
    explicit RecordPrinter(OutputFormat format) : m_format(format)
    {
        if (format == OutputFormat::Csv)
            m_out = "run,tag,step,wall_time,value\n";
    }
    ~RecordPrinter() { flush(); }

    void print(std::string_view run, std::string_view tag, std::int64_t step, double wallTime, double value)
    {
        if (m_format == OutputFormat::Csv) {
            appendCsvField(m_out, run);
            m_out.push_back(',');
            appendCsvField(m_out, tag);
            m_out.push_back(',');
            m_out += std::to_string(step);
            m_out.push_back(',');
            appendDouble(m_out, wallTime);
            m_out.push_back(',');
            appendDouble(m_out, value);
        } else {
            m_out += "{\"run\":";
            appendJsonString(m_out, run);
            m_out += ",\"tag\":";
            appendJsonString(m_out, tag);
            m_out += ",\"step\":" + std::to_string(step) + ",\"wall_time\":";
            appendJsonNumber(wallTime);
            m_out += ",\"value\":";
            appendJsonNumber(value);
            m_out.push_back('}');
        }
        m_out.push_back('\n');
        if (m_out.size() > (1u << 20))
            flush();
    }
    void flush()
    {
        std::fwrite(m_out.data(), 1, m_out.size(), stdout);
        m_out.clear();
    }

private:
    // JSON has no NaN or infinity: those become the strings "nan", "inf", "-inf".
    void appendJsonNumber(double v)
    {
        if (std::isfinite(v)) {
            appendDouble(m_out, v);
        } else {
            m_out.push_back('"');
            appendDouble(m_out, v);
            m_out.push_back('"');
        }
    }
    OutputFormat m_format;
    std::string m_out;
};

void printWarning(const formats::Warning& w)
{
    std::fprintf(stderr, "%s\n", w.toString().c_str());
}

/// A RecordSink that prints each record the moment the reader produces it.
class PrintingSink : public formats::RecordSink {
public:
    PrintingSink(RecordPrinter& printer, std::string run) : m_printer(printer), m_run(std::move(run)) {}
    void onTag(std::uint32_t id, const formats::TagInfo& info) override
    {
        if (m_tags.size() <= id)
            m_tags.resize(id + 1);
        m_tags[id] = {info.run.empty() ? m_run : std::string(info.run), std::string(info.name)};
    }
    void onScalar(std::uint32_t tag, std::int64_t step, double wallTime, double value) override
    {
        m_printer.print(m_tags[tag].first, m_tags[tag].second, step, wallTime, value);
    }
    void onWarning(formats::Warning warning) override
    {
        m_printer.flush(); // keeps stdout and stderr in order on a terminal
        printWarning(warning);
    }

private:
    RecordPrinter& m_printer;
    std::string m_run;
    std::vector<std::pair<std::string, std::string>> m_tags;
};

// Raw records, file by file in merge order: nothing deduplicated, nothing reordered.
bool dumpRaw(const std::string& path, RecordPrinter& printer)
{
    const ScanResult scan = scanPath(path);
    if (!scan.error.empty()) {
        std::fprintf(stderr, "losslens-cli dump: %s\n", scan.error.c_str());
        return false;
    }
    bool ok = true;
    for (const LogFile& file : scan.files) {
        const formats::MappedFile mapped(file.path);
        if (!mapped.isOpen()) {
            std::fprintf(stderr, "losslens-cli dump: cannot read %s: %s\n", file.path.c_str(), mapped.error().c_str());
            ok = false;
            continue;
        }
        PrintingSink sink(printer, file.run);
        const auto reader = formats::createReader(file.format, sink, file.path);
        if (mapped.size() == 0)
            sink.onWarning({file.path, formats::Warning::Where::Offset, 0, "empty file: no records"});
        else
            reader->feed(mapped.bytes(), true);
    }
    return ok;
}

// Through the store: the restart rule applied, series by series.
bool dumpDeduplicated(const QStringList& paths, RecordPrinter& printer)
{
    RunStore store;
    LogLoader loader(store);
    const bool ok = addLogPaths(loader, paths, "dump");
    const LoadReport report = loader.update();
    for (const auto& w : report.warnings)
        printWarning(w);
    for (const auto& run : store.runs())
        for (const auto& series : run->allSeries())
            for (std::size_t i = 0; i < series->size(); ++i)
                printer.print(run->name(), series->tag(), series->steps()[i], series->wallTimes()[i], series->values()[i]);
    return ok;
}

} // namespace

int runDump(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "Prints every scalar record of the logs at PATH (event files, CSV, JSON lines, or folders of them),\n"
        "in file order: run,tag,step,wall_time,value. Values round-trip exactly; non-finite ones print as\n"
        "nan, inf, -inf. Warnings go to standard error as 'FILE: offset N: message' or 'FILE:LINE: message'.\n"
        "Exit status 0 when every path was read (even with warnings), 1 when one could not be read at all.");
    parser.addHelpOption();
    parser.addOption({"format", "Output format: csv (default) or jsonl.", "FORMAT", "csv"});
    parser.addOption({"dedupe", "Apply the store's restart rule: when a tag's step goes back, later points replace "
                                "earlier ones from that step on. Output is then grouped by run and tag."});
    parser.addPositionalArgument("PATH", "A log file or a logdir.", "PATH…");
    parser.process(arguments);

    const QStringList paths = parser.positionalArguments();
    const QString format = parser.value("format");
    if (paths.isEmpty() || (format != "csv" && format != "jsonl")) {
        std::fprintf(stderr, "losslens-cli dump: %s (see --help)\n",
                     paths.isEmpty() ? "at least one PATH is required" : "--format must be csv or jsonl");
        return Usage;
    }
    RecordPrinter printer(format == "csv" ? OutputFormat::Csv : OutputFormat::JsonLines);
    bool ok = true;
    if (parser.isSet("dedupe")) {
        ok = dumpDeduplicated(paths, printer);
    } else {
        for (const QString& p : paths)
            ok = dumpRaw(p.toStdString(), printer) && ok;
    }
    printer.flush();
    return ok ? Ok : Failed;
}

} // namespace losslens::cli
