// losslens-cli: the engine without a window — conformance, log dumps, exports, recording.

#include "command.h"

#include "core/runs/malloc_arenas.h"

#ifdef LOSSLENS_CLI_EXPORT
#include <QApplication>
#endif
#include <QCoreApplication>

#include <array>
#include <cstdio>
#include <cstring>
#include <memory>

using namespace losslens::cli;

namespace {

constexpr std::array kCommands{
    Command{"loss", "evaluate loss functions on a JSON file of cases (conformance interface)", runLoss},
    Command{"dump", "print every scalar record of training logs (event files, CSV, JSON lines)", runDump},
    Command{"summary", "per run: each loss tag's role, last value, minimum and share of the total", runSummary},
#ifdef LOSSLENS_CLI_EXPORT
    Command{"export", "render a view (png, svg, pdf) or write the data (csv, json) of training logs, offscreen", runExport},
#endif
    Command{"demo-train", "train a small multi-task model with the engine and record its losses", runDemoTrain},
    Command{"serve", "record live losses streamed over TCP (protocol v1) until SIGINT/SIGTERM", runServe},
};

void printUsage(FILE* out)
{
    std::fprintf(out, "Usage: losslens-cli <command> [options]\n\nCommands:\n");
    for (const Command& c : kCommands)
        std::fprintf(out, "  %-14s %s\n", c.name, c.summary);
    std::fprintf(out, "\nRun 'losslens-cli <command> --help' for a command's options.\n");
}

} // namespace

int main(int argc, char** argv)
{
    losslens::useSingleMallocArena(); // before any thread: memory freed after a load goes back
    // export renders with the viewer's widgets: it needs a QApplication, offscreen without a display
    const bool gui = argc > 1 && std::strcmp(argv[1], "export") == 0;
    if (gui && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && qEnvironmentVariableIsEmpty("DISPLAY") &&
        qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
#ifdef LOSSLENS_CLI_EXPORT
    const std::unique_ptr<QCoreApplication> app = gui ? std::make_unique<QApplication>(argc, argv) : std::make_unique<QCoreApplication>(argc, argv);
#else
    const auto app = std::make_unique<QCoreApplication>(argc, argv);
#endif
    QCoreApplication::setApplicationName("losslens-cli");
    QCoreApplication::setApplicationVersion(LOSSLENS_VERSION);

    QStringList args = QCoreApplication::arguments();
    if (args.size() < 2 || args[1] == "--help" || args[1] == "-h" || args[1] == "help") {
        printUsage(args.size() < 2 ? stderr : stdout);
        return args.size() < 2 ? Usage : Ok;
    }
    if (args[1] == "--version") {
        std::printf("losslens-cli %s\n", LOSSLENS_VERSION);
        return Ok;
    }
    for (const Command& c : kCommands)
        if (args[1] == QLatin1String(c.name))
            return c.run(args.mid(1));
    std::fprintf(stderr, "losslens-cli: unknown command '%s'\n\n", qPrintable(args[1]));
    printUsage(stderr);
    return Usage;
}
