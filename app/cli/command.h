#pragma once
// One losslens-cli subcommand per file; main.cpp dispatches on the first argument.

#include <QStringList>

namespace losslens::cli {

struct Command {
    const char* name;
    const char* summary;
    /// Receives the arguments after the subcommand name, with the subcommand as argv[0].
    int (*run)(const QStringList& arguments);
};

int runLoss(const QStringList& arguments);
int runDump(const QStringList& arguments);
int runSummary(const QStringList& arguments);
int runDemoTrain(const QStringList& arguments);
int runExport(const QStringList& arguments);
int runServe(const QStringList& arguments);

/// Exit codes shared by every subcommand.
enum ExitCode { Ok = 0, Failed = 1, Usage = 2 };

} // namespace losslens::cli
