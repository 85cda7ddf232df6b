// losslens-cli dump and summary, run as a user would: output shape, exactness, warnings, exit codes.

#include "core/formats/event_writer.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace losslens;

namespace {

struct Result {
    int exitCode = -1;
    QString out;
    QString err;
};

Result cli(const QStringList& arguments)
{
    QProcess p;
    p.start(QStringLiteral(LOSSLENS_CLI), arguments);
    p.waitForFinished(60000);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

QString logs(const char* name) { return QStringLiteral(LOSSLENS_TEST_DATA "/logs/") + name; }

} // namespace

class TestDumpCli : public QObject {
    Q_OBJECT
private slots:
    void dumpCsvIsExact();
    void dumpJsonLines();
    void dumpReadsBackExactly_data();
    void dumpReadsBackExactly();
    void dumpDedupe_data();
    void dumpDedupe();
    void warningsAndExitCodes();
    void summary();
    void realLogdir();
};

void TestDumpCli::dumpCsvIsExact()
{
    QTemporaryDir dir;
    QDir().mkpath(dir.filePath("mtl"));
    {
        formats::EventFileWriter w(dir.filePath("mtl/events.out.tfevents.1.h").toStdString());
        w.writeScalar("total_loss", 1, 0.1 + 0.2, 1700000000.123456, formats::ScalarEncoding::DoubleTensor);
        w.writeScalar("total_loss", 2, std::numeric_limits<double>::quiet_NaN(), 1700000001.0, formats::ScalarEncoding::DoubleTensor);
        w.writeScalar("total_loss", 3, -std::numeric_limits<double>::infinity(), 1700000002.0, formats::ScalarEncoding::DoubleTensor);
    }
    const Result r = cli({"dump", dir.filePath("mtl/events.out.tfevents.1.h")});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.err, QString());
    QCOMPARE(r.out, QString("run,tag,step,wall_time,value\n"
                            "mtl,total_loss,1,1700000000.123456,0.30000000000000004\n"
                            "mtl,total_loss,2,1700000001,nan\n"
                            "mtl,total_loss,3,1700000002,-inf\n"));
    // a logdir: runs named by their folder relative to it
    QVERIFY(cli({"dump", dir.path()}).out.contains("\nmtl,total_loss,1,"));
}

void TestDumpCli::dumpJsonLines()
{
    const Result r = cli({"dump", "--format", "jsonl", logs("live_records.jsonl")});
    QCOMPARE(r.exitCode, 0);
    const QStringList lines = r.out.split('\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 4);
    QCOMPARE(lines[0], QString(R"({"run":"live","tag":"depth/mse","step":1,"wall_time":1700000000.25,"value":0.1})"));
    QCOMPARE(lines[1], QString(R"({"run":"live","tag":"total_loss","step":1,"wall_time":1700000000.25,"value":"nan"})"));
    QCOMPARE(lines[2], QString(R"({"run":"live","tag":"depth/mse","step":2,"wall_time":1700000001.5,"value":"inf"})"));
}

// Numbers as every JSON reader reads them back: -0 is the integer 0 to simdjson and Python, and
// simdjson refuses an integer past int64 such as 92233720368547758080 (the shortest form of 2^63·10).
void TestDumpCli::dumpReadsBackExactly_data()
{
    QTest::addColumn<QString>("logged");
    QTest::addColumn<QString>("written");
    QTest::newRow("negative zero") << "-0.0" << "-0.0";
    QTest::newRow("past int64") << "92233720368547758080" << "9.223372036854776e+19";
    QTest::newRow("-2^63") << "-9223372036854775808" << "-9.223372036854776e+18";
    QTest::newRow("an integer below 2^63") << "123456789" << "123456789";
    QTest::newRow("shortest decimal") << "0.1000000000000000055511151231257827" << "0.1";
}

void TestDumpCli::dumpReadsBackExactly()
{
    QFETCH(QString, logged);
    QFETCH(QString, written);
    QTemporaryDir dir;
    QFile csv(dir.filePath("metrics.csv"));
    QVERIFY(csv.open(QIODevice::WriteOnly));
    csv.write(("step,loss\n1," + logged + "\n").toUtf8());
    csv.close();
    for (const char* format : {"jsonl", "csv"}) {
        const Result r = cli({"dump", "--format", format, csv.fileName()});
        QCOMPARE(r.exitCode, 0);
        const QString expected = QString(format) == "csv" ? "," + written + "\n" : "\"value\":" + written + "}\n";
        QVERIFY2(r.out.endsWith(expected), qPrintable(r.out));
    }
}

void TestDumpCli::dumpDedupe_data()
{
    QTest::addColumn<bool>("dedupe");
    QTest::addColumn<int>("lossClsRows");
    QTest::newRow("raw") << false << 3;
    QTest::newRow("dedupe") << true << 1; // step 0 again: the restart replaces steps ≥ 0
}

void TestDumpCli::dumpDedupe()
{
    QFETCH(bool, dedupe);
    QFETCH(int, lossClsRows);
    QStringList args{"dump", logs("restart_metrics.csv")};
    if (dedupe)
        args << "--dedupe";
    const Result r = cli(args);
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out.count(",loss_cls,"), lossClsRows);
    QVERIFY2(r.err.contains("restart_metrics.csv:4: step goes back from 1 to 0"), qPrintable(r.err));
    if (dedupe)
        QVERIFY(r.out.contains("logs,loss_cls,0,nan,9\n"));
}

void TestDumpCli::warningsAndExitCodes()
{
    QTemporaryDir dir;
    std::string bad = formats::events::frameRecord(formats::events::summaryEvent(1, 1, {formats::events::simpleValue("a", 1)}));
    const auto good = bad.size();
    bad += bad;
    bad[good + 20] ^= 1;
    QFile f(dir.filePath("events.out.tfevents.bad"));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(bad.data(), static_cast<qint64>(bad.size()));
    f.close();
    Result r = cli({"dump", f.fileName()});
    QCOMPARE(r.exitCode, 0); // readable, with a warning
    QCOMPARE(r.err, f.fileName() + QString(": offset %1: bad data checksum; record skipped\n").arg(good));
    QCOMPARE(r.out.count('\n'), 2);

    r = cli({"dump", dir.filePath("does-not-exist"), f.fileName()});
    QCOMPARE(r.exitCode, 1);
    QVERIFY(r.err.contains("does-not-exist: no such file or directory"));
    QCOMPARE(r.out.count('\n'), 2); // the readable path is still dumped

    QCOMPARE(cli({"dump"}).exitCode, 2);
    QCOMPARE(cli({"dump", "--format", "xml", f.fileName()}).exitCode, 2);
}

void TestDumpCli::summary()
{
    Result r = cli({"summary", "--json", logs("restart_metrics.csv")});
    QCOMPARE(r.exitCode, 0);
    // after the restart only step 0 remains: total 18, loss_cls 9 = 50 %
    QVERIFY2(r.out.contains(R"("tag":"loss_cls","role":"component","points":1,"last_step":0,"last":9,"min":9,"min_step":0,"share":0.5)"),
             qPrintable(r.out));
    QVERIFY(r.out.contains(R"("total_tag":"total_loss")"));
    QVERIFY(!r.out.contains(R"("tag":"lr")"));
    r = cli({"summary", logs("restart_metrics.csv")});
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.out.contains("loss_cls"));
    QVERIFY(r.out.contains("50.0 %"));
}

void TestDumpCli::realLogdir()
{
    if (!QDir(QStringLiteral(LOSSLENS_REAL_DATA)).exists())
        QSKIP("real training logs not present (" LOSSLENS_REAL_DATA ")");
    const Result r = cli({"dump", QStringLiteral(LOSSLENS_REAL_DATA "/tfevents")});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out.count("\npytorch_detectron2_maskrcnn,"), 315);
    QCOMPARE(r.out.count("\npytorch_yolov5_train,"), 1937);
    QCOMPARE(r.out.count("\ntf2_keras_imdb_train,epoch_loss,"), 20);
    QVERIFY2(r.err.contains("tensorboardx_truncated_last_record/events.out.tfevents.1600154935.yca-2662-2: offset 40: truncated record"),
             qPrintable(r.err));
    QVERIFY(r.err.contains("tensorboardx_empty_0_bytes/events.out.tfevents.1600155525.yca-2662-2: offset 0: empty file"));
    const Result s = cli({"summary", "--json", QStringLiteral(LOSSLENS_REAL_DATA "/tfevents/pytorch_detectron2_maskrcnn")});
    QCOMPARE(s.exitCode, 0);
    QVERIFY2(s.out.contains(R"("tag":"total_loss","role":"total","points":15,"last_step":299,"last":0.3522665500640869)"), qPrintable(s.out));
}

QTEST_GUILESS_MAIN(TestDumpCli)
#include "tst_dump_cli.moc"
