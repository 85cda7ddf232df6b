// losslens-cli: the engine without a window — conformance, log dumps, exports, recording.

#include "command.h"

#include <QCoreApplication>

#include <array>
#include <cstdio>
#include <cstring>

using namespace losslens::cli;

namespace {

constexpr std::array kCommands{
    Command{"loss", "evaluate loss functions on a JSON file of cases (conformance interface)", runLoss},
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
    QCoreApplication app(argc, argv);
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
