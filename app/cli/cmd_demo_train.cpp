// losslens-cli demo-train: train the demo multi-task model and record every step's loss collection.

#include "command.h"

#include "core/demo/multitask_demo.h"
#include "core/formats/event_writer.h"
#include "core/live/listen_address.h"
#include "core/live/live_client.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QDir>

#include <cstdio>
#include <exception>
#include <memory>

namespace losslens::cli {

namespace {

std::optional<demo::Weighting> parseWeighting(const QString& name)
{
    if (name == "fixed")
        return demo::Weighting::Fixed;
    if (name == "uncertainty")
        return demo::Weighting::Uncertainty;
    if (name == "dwa")
        return demo::Weighting::DynamicWeightAverage;
    return std::nullopt;
}

} // namespace

int runDemoTrain(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "Trains a small multi-task model (shared layer; classification, regression and pose heads; a custom "
        "loss; L2 regularization) on synthetic data with the engine's losses and gradients, and writes every "
        "step's loss collection snapshot to a TensorBoard event file in DIR and/or streams it to a LossLens "
        "live server (losslens --listen, losslens-cli serve).");
    parser.addHelpOption();
    parser.addOptions({
        {"out", "Folder to write the event file into (created if needed).", "DIR"},
        {"connect", "Stream every step to the LossLens live server at HOST:PORT (protocol v1).", "HOST:PORT"},
        {"run", "Run name sent to the live server (default demo-<weighting>-seed<S>).", "NAME"},
        {"token", "Token for a live server started with --token.", "T"},
        {"steps", "Number of training steps (default 1000).", "N", "1000"},
        {"seed", "Random seed of the model and the batches (default 0).", "S", "0"},
        {"weighting", "Task weighting: fixed, uncertainty or dwa (default fixed).", "W", "fixed"},
        {"start-time", "Wall time of step 1 in seconds since the epoch; steps are 0.05 s apart "
                       "(default: now). Fixing it makes the output reproducible byte for byte.", "T"},
    });
    parser.process(arguments);

    bool okSteps = false, okSeed = false;
    const long long steps = parser.value("steps").toLongLong(&okSteps);
    const uint seed = parser.value("seed").toUInt(&okSeed);
    const auto weighting = parseWeighting(parser.value("weighting"));
    live::ListenAddress server;
    QString addressError;
    if (parser.isSet("connect") && !live::ListenAddress::parse(parser.value("connect"), server, &addressError)) {
        std::fprintf(stderr, "losslens-cli demo-train: %s\n", qPrintable(addressError));
        return Usage;
    }
    if ((!parser.isSet("out") && !parser.isSet("connect")) || !okSteps || steps < 1 || !okSeed || !weighting) {
        std::fprintf(stderr, "losslens-cli demo-train: needs --out DIR and/or --connect HOST:PORT, --steps ≥ 1, an "
                             "integer --seed and --weighting fixed|uncertainty|dwa (see --help)\n");
        return Usage;
    }
    const double start = parser.isSet("start-time") ? parser.value("start-time").toDouble()
                                                    : static_cast<double>(QDateTime::currentSecsSinceEpoch());
    const QString dir = parser.value("out");
    if (!dir.isEmpty() && !QDir().mkpath(dir)) {
        std::fprintf(stderr, "losslens-cli demo-train: cannot create %s\n", qPrintable(dir));
        return Failed;
    }
    try {
        std::unique_ptr<formats::EventFileWriter> writer;
        std::string path;
        if (!dir.isEmpty()) {
            path = QDir(dir).filePath("events.out.tfevents.%1.losslens-demo").arg(qint64(start)).toStdString();
            writer = std::make_unique<formats::EventFileWriter>(path, start);
        }
        std::unique_ptr<live::LiveClient> client;
        if (parser.isSet("connect")) {
            const QString run = parser.isSet("run") ? parser.value("run")
                                                    : QStringLiteral("demo-%1-seed%2").arg(parser.value("weighting")).arg(seed);
            client = std::make_unique<live::LiveClient>(live::ClientOptions{.host = server.host.toString().toStdString(),
                                                                            .port = server.port,
                                                                            .run = run.toStdString(),
                                                                            .token = parser.value("token").toStdString()});
        }
        demo::MultiTaskDemo model({.seed = seed, .weighting = *weighting});
        for (long long i = 0; i < steps; ++i) {
            const LossCollection& losses = model.trainStep();
            const LossSnapshot snapshot = losses.snapshot(model.step());
            const double wall = start + 0.05 * static_cast<double>(i);
            if (writer)
                writer->writeSnapshot(snapshot, wall);
            if (client)
                client->send(snapshot, wall);
        }
        if (writer) {
            writer->flush();
            std::printf("wrote %lld steps to %s\n", steps, path.c_str());
        }
        // A sync answered means every step is on the server's disk.
        if (client && !client->sync()) {
            std::fprintf(stderr, "losslens-cli demo-train: the live server did not confirm the records: %s\n",
                         client->lastError().c_str());
            return Failed;
        }
        if (client)
            std::printf("streamed %lld steps to %s\n", steps, qPrintable(parser.value("connect")));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "losslens-cli demo-train: %s\n", e.what());
        return Failed;
    }
    return Ok;
}

} // namespace losslens::cli
