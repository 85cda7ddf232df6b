#pragma once
// Loading the PATH arguments of a subcommand into a store, reporting unreadable paths.

#include "core/runs/log_loader.h"

#include <QStringList>

#include <cstdio>

namespace losslens::cli {

/// Adds every path to `loader`, printing "losslens-cli <command>: <error>" for each that cannot be
/// read; returns false when any could not.
inline bool addLogPaths(LogLoader& loader, const QStringList& paths, const char* command)
{
    bool ok = true;
    for (const QString& p : paths) {
        std::string error;
        if (!loader.addPath(p.toStdString(), &error)) {
            std::fprintf(stderr, "losslens-cli %s: %s\n", command, error.c_str());
            ok = false;
        }
    }
    return ok;
}

} // namespace losslens::cli
