// losslens-cli serve: the headless live recorder. Accepts protocol v1 clients (docs/live-protocol.md)
// and appends every accepted record to DIR/<run>/live.jsonl until SIGINT or SIGTERM.

#include "command.h"

#include "core/live/live_server.h"
#include "core/live/protocol.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QSocketNotifier>

#include <csignal>
#include <cstdio>

#include <sys/socket.h>
#include <unistd.h>

namespace losslens::cli {

namespace {

int g_signalPipe[2] = {-1, -1};

// Only async-signal-safe work here: the event loop reads the pipe and quits.
void onSignal(int)
{
    const char byte = 1;
    [[maybe_unused]] const auto n = ::write(g_signalPipe[1], &byte, 1);
}

bool installSignalHandlers()
{
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, g_signalPipe) != 0)
        return false;
    struct sigaction action {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    return ::sigaction(SIGINT, &action, nullptr) == 0 && ::sigaction(SIGTERM, &action, nullptr) == 0;
}

void printStats(const live::ServerStats& s)
{
    std::fprintf(stderr,
                 "losslens-cli serve: %llu records (%llu values) recorded from %llu connections; %llu bad lines "
                 "(%llu over 1 MiB), %llu partial lines dropped, %llu connections refused, %llu syncs answered\n",
                 static_cast<unsigned long long>(s.records), static_cast<unsigned long long>(s.scalars),
                 static_cast<unsigned long long>(s.connections), static_cast<unsigned long long>(s.badLines),
                 static_cast<unsigned long long>(s.overLongLines), static_cast<unsigned long long>(s.partialLines),
                 static_cast<unsigned long long>(s.refused), static_cast<unsigned long long>(s.syncs));
}

} // namespace

int runServe(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "Records live losses: accepts LossLens protocol v1 clients (newline-delimited JSON over TCP) and appends "
        "every accepted record to DIR/<run>/live.jsonl, which the viewer opens like any logdir. Runs until "
        "SIGINT or SIGTERM, then writes and syncs everything and exits 0.");
    parser.addHelpOption();
    parser.addOptions({
        {"listen", "Address to listen on (default 127.0.0.1:6464). A non-loopback HOST requires --token.",
         "[HOST:]PORT", "127.0.0.1:6464"},
        {"out", "Folder to record into (created if needed).", "DIR"},
        {"token", "Secret every client must send in its hello line.", "T"},
        {"max-connections", "Connections accepted at a time; more are refused with a message (default 64).", "N",
         "64"},
    });
    parser.process(arguments);

    live::ServerOptions options;
    QString error;
    bool okMax = false;
    options.maxConnections = parser.value("max-connections").toInt(&okMax);
    options.token = parser.value("token");
    options.outDir = parser.value("out");
    if (!parser.isSet("out") || !okMax || !live::ListenAddress::parse(parser.value("listen"), options.address, &error)) {
        std::fprintf(stderr, "losslens-cli serve: %s\n",
                     error.isEmpty() ? "needs --out DIR and an integer --max-connections (see --help)" : qPrintable(error));
        return Usage;
    }
    if (!installSignalHandlers()) {
        std::fprintf(stderr, "losslens-cli serve: cannot install signal handlers\n");
        return Failed;
    }
    live::LiveServer server(options);
    if (!server.start(&error)) {
        std::fprintf(stderr, "losslens-cli serve: %s\n", qPrintable(error));
        return options.check().isEmpty() ? Failed : Usage;
    }
    QObject::connect(&server, &live::LiveServer::writeFailed, &server,
                     [](const QString& why) { std::fprintf(stderr, "losslens-cli serve: %s\n", qPrintable(why)); });
    live::ListenAddress bound = options.address;
    bound.port = server.port();
    // Scripts wait for this line to know the port (with --listen 0) and that the server is up.
    std::printf("listening on %s, recording into %s\n", qPrintable(bound.toString()), qPrintable(options.outDir));
    std::fflush(stdout);

    QSocketNotifier notifier(g_signalPipe[0], QSocketNotifier::Read);
    QObject::connect(&notifier, &QSocketNotifier::activated, &notifier, [] { QCoreApplication::quit(); });
    QCoreApplication::exec();
    server.stop();
    printStats(server.stats());
    return Ok;
}

} // namespace losslens::cli
