// Exports decode: the PNG loads at the asked size and DPI, the SVG parses and carries the title,
// axis titles and the legend text, the PDF starts with %PDF and has a page; CSV and JSON hold the
// points; losslens-cli export writes the same files offscreen.

#include "ui/chart_view.h"
#include "ui/exporter.h"
#include "ui/log_session.h"
#include "ui/main_window.h"
#include "ui/plot_area.h"
#include "ui/runs_panel.h"

#include <QDomDocument>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace losslens::ui;

Q_DECLARE_METATYPE(losslens::ui::ViewKind)

namespace {

void openSamples(MainWindow& window)
{
    QSignalSpy loaded(&window.session(), &LogSession::loaded);
    window.open({LOSSLENS_SAMPLES});
    QTRY_VERIFY_WITH_TIMEOUT(loaded.count() >= 1, 20000);
}

QString svgText(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QDomDocument doc;
    if (!doc.setContent(&f))
        return {};
    return doc.documentElement().text() + doc.toString();
}

} // namespace

class TestExport : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void images_data();
    void images();
    void data();
    void decimatesForTheOutputSize();
    void commandLine_data();
    void commandLine();
};

void TestExport::images_data()
{
    QTest::addColumn<ViewKind>("view");
    QTest::addColumn<QString>("legendText");
    QTest::newRow("curves") << ViewKind::Curves << "depth/mse";
    QTest::newRow("breakdown") << ViewKind::Breakdown << "unexplained";
    QTest::newRow("share") << ViewKind::Share << "l2/heads";
    QTest::newRow("balance") << ViewKind::Balance << "DWA";
    QTest::newRow("compare") << ViewKind::Compare << "mtl-seed1";
}

void TestExport::images()
{
    QFETCH(ViewKind, view);
    QFETCH(QString, legendText);
    QTemporaryDir dir;
    MainWindow window;
    window.show();
    openSamples(window);
    ViewSettings s = window.plot().settings();
    s.view = view;
    window.plot().setSettings(s);

    const QString png = dir.filePath("x.png"), svg = dir.filePath("x.svg"), pdf = dir.filePath("x.pdf");
    QVERIFY(window.exportTo(png, ExportFormat::Png, {QSize(800, 500), 192, false}));
    const QImage image(png);
    QCOMPARE(image.size(), QSize(1600, 1000)); // 800 × 500 points at 192 DPI
    QCOMPARE(image.dotsPerMeterX(), int(std::lround(192 / 0.0254)));

    // small multiples need room for their legends (narrower cells elide the run names)
    const QSize svgSize = view == ViewKind::Compare ? QSize(1500, 1000) : QSize(800, 500);
    QVERIFY(window.exportTo(svg, ExportFormat::Svg, {svgSize, 96, false}));
    const QString text = svgText(svg);
    QVERIFY2(!text.isEmpty(), "the SVG does not parse");
    QVERIFY2(text.contains(legendText), qPrintable(legendText + " is not in the SVG"));
    if (view != ViewKind::Compare) {
        QVERIFY(text.contains(window.chart().spec().title.toHtmlEscaped()) || text.contains(window.chart().spec().title));
        QVERIFY(text.contains("step"));
    }

    QVERIFY(window.exportTo(pdf, ExportFormat::Pdf, {QSize(800, 500), 96, false}));
    QFile f(pdf);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray bytes = f.readAll();
    QVERIFY(bytes.startsWith("%PDF"));
    QVERIFY(bytes.contains("/Type /Page"));
}

void TestExport::data()
{
    QTemporaryDir dir;
    MainWindow window;
    openSamples(window);
    window.runs().setFilter("seed0");
    window.plot().redrawNow();
    const QString wide = dir.filePath("w.csv"), longCsv = dir.filePath("l.csv"), json = dir.filePath("d.json");
    QVERIFY(window.exportTo(wide, ExportFormat::CsvWide, {}));
    QVERIFY(window.exportTo(longCsv, ExportFormat::CsvLong, {}));
    QVERIFY(window.exportTo(json, ExportFormat::Json, {}));
    QFile w(wide);
    QVERIFY(w.open(QIODevice::ReadOnly));
    const QStringList lines = QString(w.readAll()).split('\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 1 + 1200);
    QVERIFY(lines[0].startsWith("step,mtl-seed0/scene/xent,"));
    QFile l(longCsv);
    QVERIFY(l.open(QIODevice::ReadOnly));
    QCOMPARE(QString(l.readLine()).trimmed(), "run,tag,role,step,wall_time,value");
    QFile j(json);
    QVERIFY(j.open(QIODevice::ReadOnly));
    const QJsonObject doc = QJsonDocument::fromJson(j.readAll()).object();
    QCOMPARE(doc["runs"].toArray().size(), 1);
    QCOMPARE(doc["runs"][0]["tags"][0]["steps"].toArray().size(), 1200);
}

// An export at another size re-decimates for its own pixel columns: a wide PNG is not drawn from
// the window's decimation, and a small SVG does not carry every point.
void TestExport::decimatesForTheOutputSize()
{
    QTemporaryDir dir;
    QFile csv(dir.filePath("metrics.csv"));
    QVERIFY(csv.open(QIODevice::WriteOnly));
    QByteArray text = "step,loss\n";
    for (int i = 0; i < 40000; ++i) // noisy: every pixel column has a distinct min and max
        text += QByteArray::number(i) + ',' + QByteArray::number(1.0 / (1 + i / 500.0) + 0.05 * std::sin(i * 1.7), 'g', 10) + '\n';
    csv.write(text);
    csv.close();
    MainWindow window;
    QSignalSpy loaded(&window.session(), &LogSession::loaded);
    window.open({dir.path()});
    QTRY_VERIFY_WITH_TIMEOUT(loaded.count() >= 1, 20000);
    window.plot().redrawNow();
    QVERIFY(window.chart().curveCount() > 0);

    const auto points = [&](int columns) {
        qsizetype n = 0;
        for (const Curve& c : window.chart().curvesFor(columns))
            n += c.points.size();
        return n;
    };
    QVERIFY2(points(4000) > 3 * points(1000), qPrintable(QString("%1 vs %2").arg(points(4000)).arg(points(1000))));

    const QString narrow = dir.filePath("narrow.svg"), wide = dir.filePath("wide.svg");
    QVERIFY(window.exportTo(narrow, ExportFormat::Svg, {QSize(600, 400), 96, false}));
    QVERIFY(window.exportTo(wide, ExportFormat::Svg, {QSize(2400, 1600), 96, false}));
    const qint64 narrowBytes = QFileInfo(narrow).size(), wideBytes = QFileInfo(wide).size();
    QVERIFY2(wideBytes > 2 * narrowBytes, qPrintable(QString("%1 vs %2 bytes").arg(wideBytes).arg(narrowBytes)));
    // ≈ 4 points a column of 2 curves, far from the 80 000 points of the data
    QVERIFY2(narrowBytes < 400'000, qPrintable(QString::number(narrowBytes)));
}

void TestExport::commandLine_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("file");
    QTest::addColumn<QByteArray>("magic");
    QTest::newRow("png share") << QStringList{"--view", "share", "--width", "640", "--height", "400"} << "o.png" << QByteArray("\x89PNG");
    QTest::newRow("svg breakdown") << QStringList{"--view", "breakdown", "--run", "mtl-seed1"} << "o.svg" << QByteArray("<?xml");
    QTest::newRow("pdf compare") << QStringList{"--view", "compare", "--runs", "seed", "--group", "(mtl-seed)"} << "o.pdf" << QByteArray("%PDF");
    QTest::newRow("csv tags") << QStringList{"--tags", "^total", "--log-y", "--x", "wall"} << "o.csv" << QByteArray("step,mtl-dwa/total_loss");
    QTest::newRow("json") << QStringList{"--smoothing", "0.9"} << "o.json" << QByteArray("{\"format\":\"losslens-export\"");
}

void TestExport::commandLine()
{
    QFETCH(QStringList, args);
    QFETCH(QString, file);
    QFETCH(QByteArray, magic);
    QTemporaryDir dir;
    QProcess cli;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove("DISPLAY");
    env.remove("QT_QPA_PLATFORM"); // export must choose offscreen by itself
    env.insert("XDG_CONFIG_HOME", dir.path());
    cli.setProcessEnvironment(env);
    cli.start(LOSSLENS_CLI, QStringList{"export", LOSSLENS_SAMPLES, "--out", dir.filePath(file)} + args);
    QVERIFY(cli.waitForFinished(60000));
    QVERIFY2(cli.exitCode() == 0, cli.readAllStandardError().constData());
    QFile f(dir.filePath(file));
    QVERIFY(f.open(QIODevice::ReadOnly));
    QVERIFY2(f.read(magic.size()) == magic, qPrintable(file));
    if (file.endsWith(".png"))
        QCOMPARE(QImage(dir.filePath(file)).size(), QSize(640, 400));
}

QTEST_MAIN(TestExport)
#include "tst_export.moc"
