// losslens-cli loss --cases FILE.json: evaluate loss functions against independent references.

#include "command.h"

#include "core/losses/loss_cases.h"
#include "core/script/scripted_loss.h"

#include <QCommandLineParser>
#include <QFile>

#include <cstdio>
#include <exception>

namespace losslens::cli {

int runLoss(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "Evaluates loss functions on a JSON file of cases and prints one result per case, in input order:\n"
        "  {\"cases\":[{\"id\":\"c1\",\"fn\":\"softmax_cross_entropy\",\"inputs\":{...},\"args\":{...}}]}\n"
        "  -> {\"results\":[{\"id\":\"c1\",\"value\":{\"shape\":[],\"data\":[...]}},{\"id\":\"c2\",\"error\":\"...\"}]}\n"
        "A scripted loss is \"fn\":\"script\" with \"args\":{\"source\":\"function loss(inputs, args) {...}\", ...}:\n"
        "every other input and argument is passed to the script (scripts have no gradient).\n"
        "Exit status 0 when the file was read, whatever the cases gave.");
    parser.addHelpOption();
    parser.addOption({"cases", "JSON file of cases ('-' for standard input).", "FILE"});
    parser.addOption({"list", "List the loss function names and the input each gradient refers to."});
    parser.process(arguments);

    // The built-ins plus "script"; LossRegistry::builtin() itself stays Qt-free.
    LossRegistry registry = LossRegistry::builtin();
    script::registerScriptLoss(registry);
    if (parser.isSet("list")) {
        for (const auto& name : registry.names())
            std::printf("%s\t(gradient w.r.t. %s)\n", name.c_str(), registry.gradientInput(name).c_str());
        return Ok;
    }
    if (!parser.isSet("cases")) {
        std::fprintf(stderr, "losslens-cli loss: --cases FILE is required (see --help)\n");
        return Usage;
    }
    const QString path = parser.value("cases");
    QFile file;
    const bool opened = path == "-" ? file.open(stdin, QIODevice::ReadOnly) : (file.setFileName(path), file.open(QIODevice::ReadOnly));
    if (!opened) {
        std::fprintf(stderr, "losslens-cli loss: cannot read %s: %s\n", qPrintable(path), qPrintable(file.errorString()));
        return Failed;
    }
    const QByteArray json = file.readAll();
    try {
        const auto cases = parseLossCases(std::string_view(json.constData(), static_cast<std::size_t>(json.size())));
        const std::string out = runLossCases(cases, registry);
        std::fwrite(out.data(), 1, out.size(), stdout);
        std::fputc('\n', stdout);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "losslens-cli loss: %s: %s\n", qPrintable(path), e.what());
        return Failed;
    }
    return Ok;
}

} // namespace losslens::cli
