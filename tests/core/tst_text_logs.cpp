// CSV and JSON logs: every writer's shape, bad input, and the real logs against their event files.

#include "log_records.h"

#include "core/formats/csv_reader.h"
#include "core/formats/json_lines_reader.h"

#include <QDir>
#include <QLocale>
#include <QTest>

#include <cmath>
#include <limits>
#include <map>

using namespace losslens;
using namespace losslens::formats;
using losslens::test::CollectingSink;
using losslens::test::readAll;
using losslens::test::readGrowing;

namespace {

// "tag@step=value" for every record, in order: compact expectations for data-driven rows.
QStringList summarize(const CollectingSink& s)
{
    QStringList out;
    for (const auto& r : s.records) {
        QString v = std::isnan(r.value) ? "nan" : QString::number(r.value, 'g', QLocale::FloatingPointShortest);
        QString run = r.run.empty() ? QString() : QString::fromStdString(r.run) + ":";
        out << run + QString::fromStdString(r.tag) + "@" + QString::number(r.step) + "=" + v;
    }
    return out;
}

} // namespace

class TestTextLogs : public QObject {
    Q_OBJECT
private slots:
    void detect_data();
    void detect();
    void csv_data();
    void csv();
    void json_data();
    void json();
    void growingFiles_data();
    void growingFiles();
    void badInput_data();
    void badInput();
    void realCsv_data();
    void realCsv();
    void realDetectron2JsonEqualsEvents();
    void realYolov5CsvEqualsEvents();
};

void TestTextLogs::detect_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("head");
    QTest::addColumn<int>("format");
    QTest::newRow("tfevents") << "run/events.out.tfevents.1.host" << QByteArray("\x18\0\0") << int(Format::TfEvents);
    QTest::newRow("csv") << "results.csv" << QByteArray("epoch,loss\n") << int(Format::Csv);
    QTest::newRow("keras log") << "training.log" << QByteArray("epoch,loss\n0,1\n") << int(Format::Csv);
    QTest::newRow("metrics.json") << "metrics.json" << QByteArray("{\"iteration\": 19}\n") << int(Format::JsonLines);
    QTest::newRow("log.json") << "20230101.log.json" << QByteArray("{\"env_info\": \"x\"}\n") << int(Format::JsonLines);
    QTest::newRow("tbx export") << "all_scalars.json" << QByteArray("{\"runs/loss\": [[1.0, 0, 0.5]]}") << int(Format::JsonScalars);
    QTest::newRow("binary") << "blob" << QByteArray("\x01\x02\x03\x00", 4) << int(Format::Unknown);
}

void TestTextLogs::detect()
{
    QFETCH(QString, path);
    QFETCH(QByteArray, head);
    QFETCH(int, format);
    QCOMPARE(int(detectFormat(path.toStdString(), std::string_view(head.constData(), static_cast<std::size_t>(head.size())))), format);
}

void TestTextLogs::csv_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QStringList>("expected");
    QTest::newRow("keras NA") << QByteArray("epoch,loss,val_loss\n0,1.5,NA\n1,1.25,2\n")
                              << QStringList{"loss@0=1.5", "loss@1=1.25", "val_loss@1=2"};
    // Lightning: _step and _epoch metrics on different rows, the same step on two rows
    QTest::newRow("lightning sparse")
        << QByteArray("epoch,step,train_loss_epoch,train_loss_step\n0,49,,0.5\n0,62,0.875,\n1,62,,0.25\n")
        << QStringList{"epoch@49=0", "train_loss_step@49=0.5", "epoch@62=0", "train_loss_epoch@62=0.875", "epoch@62=1",
                       "train_loss_step@62=0.25"};
    QTest::newRow("yolov5 padded") << QByteArray("               epoch,      train/box_loss,        val/box_loss\n"
                                                 "                   0,              0.1019,            0.082582\n"
                                                 "                   1,            0.085431,                 nan\n")
                                   << QStringList{"train/box_loss@0=0.1019", "val/box_loss@0=0.082582",
                                                  "train/box_loss@1=0.085431", "val/box_loss@1=nan"};
    QTest::newRow("row number step") << QByteArray("a,b\n1,2\n3,4\n") << QStringList{"a@0=1", "b@0=2", "a@1=3", "b@1=4"};
    QTest::newRow("tab") << QByteArray("step\tloss\n5\t0.5\n") << QStringList{"loss@5=0.5"};
    QTest::newRow("semicolon") << QByteArray("iteration;loss\n7;0.5\n") << QStringList{"loss@7=0.5"};
    QTest::newRow("quotes") << QByteArray("\"global_step\",\"a,b\",\"say \"\"hi\"\"\"\n\"3\",\"1.5\",2\n")
                            << QStringList{"a,b@3=1.5", "say \"hi\"@3=2"};
    QTest::newRow("crlf bom") << QByteArray("\xEF\xBB\xBFstep,loss\r\n1,0.5\r\n2,0.25\r\n") << QStringList{"loss@1=0.5", "loss@2=0.25"};
    QTest::newRow("float step") << QByteArray("step,loss\n3.0,1\n") << QStringList{"loss@3=1"};
    QTest::newRow("inf and exponent") << QByteArray("iter,loss\n1,inf\n2,-inf\n3,1e-3\n4,+2\n")
                                      << QStringList{"loss@1=inf", "loss@2=-inf", "loss@3=0.001", "loss@4=2"};
    QTest::newRow("no final newline") << QByteArray("step,loss\n1,0.5") << QStringList{"loss@1=0.5"};
}

void TestTextLogs::csv()
{
    QFETCH(QByteArray, text);
    QFETCH(QStringList, expected);
    const CollectingSink s = readAll(Format::Csv, std::string_view(text.constData(), static_cast<std::size_t>(text.size())));
    QVERIFY2(s.warnings.empty(), qPrintable(s.warningText()));
    QCOMPARE(summarize(s), expected);
}

void TestTextLogs::json_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<int>("format");
    QTest::addColumn<QStringList>("expected");
    const int lines = int(Format::JsonLines);
    QTest::newRow("detectron2") << QByteArray("{\"data_time\": 0.5, \"iteration\": 19, \"loss_cls\": 0.75, \"lr\": 1e-05}\n")
                                << lines << QStringList{"data_time@19=0.5", "loss_cls@19=0.75", "lr@19=1e-05"};
    QTest::newRow("mmengine") << QByteArray("{\"lr\": 0.02, \"loss\": 1.5, \"step\": 50}\n{\"coco/bbox_mAP\": 0.25, \"step\": 1}\n")
                              << lines << QStringList{"lr@50=0.02", "loss@50=1.5", "coco/bbox_mAP@1=0.25"};
    QTest::newRow("mmdet 2.x")
        << QByteArray("{\"env_info\": \"sys.platform: linux\", \"config\": \"model = ...\", \"seed\": 0}\n"
                      "{\"mode\": \"train\", \"epoch\": 1, \"iter\": 50, \"lr\": 0.02, \"loss\": 1.5}\n"
                      "{\"mode\": \"train\", \"epoch\": 1, \"iter\": 100, \"lr\": 0.02, \"loss\": 1.25}\n"
                      "{\"mode\": \"val\", \"epoch\": 1, \"iter\": 500, \"lr\": 0.02, \"bbox_mAP\": 0.125}\n"
                      "{\"mode\": \"train\", \"epoch\": 2, \"iter\": 50, \"lr\": 0.02, \"loss\": 1}\n")
        << lines
        << QStringList{"lr@50=0.02",  "loss@50=1.5",          "lr@100=0.02", "loss@100=1.25",
                       "val/lr@100=0.02", "val/bbox_mAP@100=0.125", "lr@150=0.02", "loss@150=1"};
    QTest::newRow("generic nested") << QByteArray("{\"global_step\": 3, \"wall_time\": 12.5, \"loss\": {\"cls\": 1, \"box\": {\"l1\": 2}}, "
                                                  "\"name\": \"x\", \"ok\": true, \"list\": [1, 2], \"none\": null}\n")
                                    << lines << QStringList{"loss/cls@3=1", "loss/box/l1@3=2"};
    QTest::newRow("no step key") << QByteArray("{\"a\": 1}\n\n{\"a\": 2}\n") << lines << QStringList{"a@0=1", "a@1=2"};
    QTest::newRow("python NaN") << QByteArray("{\"step\": 1, \"loss\": NaN, \"b\": Infinity, \"c\": -Infinity, \"s\": \"NaN\"}\n")
                                << lines << QStringList{"loss@1=nan", "b@1=inf", "c@1=-inf"};
    QTest::newRow("live record")
        << QByteArray("{\"run\": \"mtl\", \"step\": 4, \"wall_time\": 1.5, \"scalars\": {\"scene/xent\": 0.5, \"total_loss\": 0.75}, "
                      "\"roles\": {\"scene/xent\": \"component\"}}\n")
        << lines << QStringList{"mtl:scene/xent@4=0.5", "mtl:total_loss@4=0.75"};
    QTest::newRow("tensorboardX export")
        << QByteArray("{\"runs/x/loss\": [[1.5, 0, 2.0], [2.5, 1, NaN]], \"runs/x/acc\": [[1.5, 0, 0.5]]}")
        << int(Format::JsonScalars) << QStringList{"runs/x/loss@0=2", "runs/x/loss@1=nan", "runs/x/acc@0=0.5"};
}

void TestTextLogs::json()
{
    QFETCH(QByteArray, text);
    QFETCH(int, format);
    QFETCH(QStringList, expected);
    const CollectingSink s = readAll(Format(format), std::string_view(text.constData(), static_cast<std::size_t>(text.size())));
    QVERIFY2(s.warnings.empty(), qPrintable(s.warningText()));
    QCOMPARE(summarize(s), expected);
    if (QTest::currentDataTag() == QLatin1String("live record")) {
        QCOMPARE(s.hint("scene/xent"), std::optional<Role>(Role::Component));
        QCOMPARE(s.records[0].wallTime, 1.5);
    }
}

void TestTextLogs::growingFiles_data()
{
    QTest::addColumn<int>("format");
    QTest::addColumn<QByteArray>("text");
    QTest::newRow("csv") << int(Format::Csv) << QByteArray("step,a,b\n1,0.5,0.25\n2,0.125,NA\n3,1,2\n");
    QTest::newRow("jsonl") << int(Format::JsonLines) << QByteArray("{\"step\": 1, \"a\": 0.5}\n{\"step\": 2, \"a\": NaN}\n{\"step\": 3, \"a\": 1}\n");
}

void TestTextLogs::growingFiles()
{
    QFETCH(int, format);
    QFETCH(QByteArray, text);
    const std::string_view bytes(text.constData(), static_cast<std::size_t>(text.size()));
    const QStringList whole = summarize(readAll(Format(format), bytes));
    for (std::size_t chunk : {1u, 5u, 17u}) {
        const CollectingSink s = readGrowing(Format(format), bytes, chunk);
        QVERIFY2(s.warnings.empty(), qPrintable(s.warningText()));
        QCOMPARE(summarize(s), whole);
    }
}

void TestTextLogs::badInput_data()
{
    QTest::addColumn<int>("format");
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QStringList>("expected");
    QTest::addColumn<QString>("warning");
    QTest::newRow("malformed json line") << int(Format::JsonLines)
                                         << QByteArray("{\"step\": 1, \"a\": 1}\n{\"step\": 2, \"a\": \n{\"step\": 3, \"a\": 3}\n")
                                         << QStringList{"a@1=1", "a@3=3"} << "test.log:2: malformed JSON line";
    QTest::newRow("json not an object") << int(Format::JsonLines) << QByteArray("[1, 2]\n{\"step\": 3, \"a\": 3}\n")
                                        << QStringList{"a@3=3"} << "test.log:1: not a JSON object";
    QTest::newRow("json step goes back") << int(Format::JsonLines) << QByteArray("{\"step\": 5, \"a\": 1}\n{\"step\": 2, \"a\": 2}\n")
                                         << QStringList{"a@5=1", "a@2=2"} << "test.log:2: step goes back from 5 to 2";
    QTest::newRow("binary junk as csv") << int(Format::Csv) << QByteArray("step,a\n1,1\n\x01\x02\x00\xff\x13,\n2,2\n", 23)
                                        << QStringList{"a@1=1", "a@2=2"} << "test.log:3: binary data";
    QTest::newRow("csv text cell") << int(Format::Csv) << QByteArray("step,a,b\n1,x,2\n2,y,3\n") << QStringList{"b@1=2", "b@2=3"}
                                   << "test.log:2: column 'a' holds text";
    QTest::newRow("csv extra fields") << int(Format::Csv) << QByteArray("step,a\n1,1,9\n2,2\n") << QStringList{"a@1=1", "a@2=2"}
                                      << "test.log:2: 3 fields where the header has 2";
    QTest::newRow("csv bad step") << int(Format::Csv) << QByteArray("step,a\n1,1\nzz,5\n3,3\n") << QStringList{"a@1=1", "a@3=3"}
                                  << "test.log:3: step 'zz' is not a number";
    QTest::newRow("csv step goes back") << int(Format::Csv) << QByteArray("step,a\n10,1\n3,2\n") << QStringList{"a@10=1", "a@3=2"}
                                        << "test.log:3: step goes back from 10 to 3";
    QTest::newRow("truncated export") << int(Format::JsonScalars) << QByteArray("{\"loss\": [[1.0, 0, 2.0], [2.0, 1")
                                      << QStringList{} << "test.log: offset 0: malformed JSON";
    QTest::newRow("bad triple") << int(Format::JsonScalars) << QByteArray("{\"loss\": [[1.0, 0, 2.0], [2.0, \"x\", 1], [3.0, 2, 4.0]]}")
                                << QStringList{"loss@0=2", "loss@2=4"} << "point 1: not [wall_time, step, value]";
    // Found by tests/fuzz (fuzz_json_scalars, fuzz_json_lines): steps beyond int64 were undefined behaviour.
    QTest::newRow("step beyond int64") << int(Format::JsonScalars) << QByteArray("{\"loss\": [[1.0, 1e300, 2.0], [2.0, 1, 3.0]]}")
                                       << QStringList{"loss@1=3"} << "point 0: not [wall_time, step, value]";
    QTest::newRow("mmdet step beyond int64")
        << int(Format::JsonLines)
        << QByteArray("{\"mode\": \"train\", \"epoch\": 1, \"iter\": 4611686018427387904, \"loss\": 1}\n"
                      "{\"mode\": \"train\", \"epoch\": 4611686018427387904, \"iter\": 3, \"loss\": 2}\n")
        << QStringList{"loss@4611686018427387904=1"} << "test.log:2: epoch and iter give a step beyond the 64-bit range";
}

void TestTextLogs::badInput()
{
    QFETCH(int, format);
    QFETCH(QByteArray, text);
    QFETCH(QStringList, expected);
    QFETCH(QString, warning);
    const CollectingSink s = readAll(Format(format), std::string_view(text.constData(), static_cast<std::size_t>(text.size())));
    QCOMPARE(summarize(s), expected);
    QVERIFY2(!s.warnings.empty(), "expected a warning");
    QVERIFY2(s.warningText().contains(warning), qPrintable(s.warningText()));
}

void TestTextLogs::realCsv_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<int>("tags");
    QTest::addColumn<QString>("tag");
    QTest::addColumn<int>("points");
    QTest::addColumn<qint64>("lastStep");
    QTest::addColumn<double>("last");
    // counts and values read off the files themselves (data README describes their shapes)
    QTest::newRow("keras") << "csv/keras_csvlogger_tf2_training.log" << 4 << "val_loss" << 17 << qint64(16) << 1.0745148658752441;
    QTest::newRow("lightning") << "csv/lightning_csvlogger_pinn_metrics.csv" << 9 << "train_loss_epoch" << 100 << qint64(6299)
                               << 0.32157085788422435;
    QTest::newRow("yolov5") << "csv/yolov5_results.csv" << 13 << "train/box_loss" << 151 << qint64(150) << 0.019093;
}

void TestTextLogs::realCsv()
{
    if (!QDir(QStringLiteral(LOSSLENS_REAL_DATA)).exists())
        QSKIP("real training logs not present (" LOSSLENS_REAL_DATA ")");
    QFETCH(QString, path);
    QFETCH(int, tags);
    QFETCH(QString, tag);
    QFETCH(int, points);
    QFETCH(qint64, lastStep);
    QFETCH(double, last);
    const CollectingSink s = readAll(Format::Csv, test::fileBytes(test::realData(path)));
    QVERIFY2(s.warnings.empty(), qPrintable(s.warningText()));
    QCOMPARE(static_cast<int>(s.tags.size()), tags);
    const auto series = s.of(tag.toStdString());
    QCOMPARE(static_cast<int>(series.size()), points);
    QCOMPARE(series.back().step, lastStep);
    QCOMPARE(series.back().value, last);
}

void TestTextLogs::realDetectron2JsonEqualsEvents()
{
    if (!QDir(QStringLiteral(LOSSLENS_REAL_DATA)).exists())
        QSKIP("real training logs not present (" LOSSLENS_REAL_DATA ")");
    const CollectingSink json = readAll(Format::JsonLines, test::fileBytes(test::realData("jsonl/detectron2_maskrcnn_metrics.json")));
    const CollectingSink events = readAll(
        Format::TfEvents,
        test::fileBytes(test::realData("tfevents/pytorch_detectron2_maskrcnn/events.out.tfevents.1737378888.LAPTOP-1BH8GF02.2695.0")));
    QVERIFY2(json.warnings.empty(), qPrintable(json.warningText()));
    QCOMPARE(json.records.size(), 16u * 21u);
    // line 1 is the aborted earlier run (iteration 19 again); lines 2..16 are the event file's run
    std::map<std::pair<std::string, std::int64_t>, double> fromEvents;
    for (const auto& r : events.records)
        fromEvents[{r.tag, r.step}] = r.value;
    QCOMPARE(fromEvents.size(), 315u);
    std::size_t compared = 0;
    for (std::size_t i = 21; i < json.records.size(); ++i) {
        const auto& r = json.records[i];
        const auto it = fromEvents.find({r.tag, r.step});
        QVERIFY2(it != fromEvents.end(), r.tag.c_str());
        QCOMPARE(static_cast<double>(static_cast<float>(r.value)), it->second); // simple_value is a float32
        ++compared;
    }
    QCOMPARE(compared, 315u);
}

void TestTextLogs::realYolov5CsvEqualsEvents()
{
    if (!QDir(QStringLiteral(LOSSLENS_REAL_DATA)).exists())
        QSKIP("real training logs not present (" LOSSLENS_REAL_DATA ")");
    const CollectingSink csv = readAll(Format::Csv, test::fileBytes(test::realData("csv/yolov5_results.csv")));
    const CollectingSink events = readAll(
        Format::TfEvents,
        test::fileBytes(test::realData("tfevents/pytorch_yolov5_train/events.out.tfevents.1671178270.8499c671e2bc.447.0")));
    std::map<std::pair<std::string, std::int64_t>, double> fromCsv;
    for (const auto& r : csv.records)
        fromCsv[{r.tag, r.step}] = r.value;
    QCOMPARE(events.records.size(), 149u * 13u); // the CSV has two more epochs
    for (const auto& r : events.records) {
        const auto it = fromCsv.find({r.tag, r.step});
        QVERIFY2(it != fromCsv.end(), r.tag.c_str());
        if (std::isnan(r.value)) {
            QVERIFY(std::isnan(it->second));
            continue;
        }
        // results.csv prints '%20.5g': 5 significant digits
        const double tolerance = 0.5e-4 * std::max(std::abs(r.value), 1e-30) + 1e-12;
        QVERIFY2(std::abs(it->second - r.value) <= tolerance,
                 qPrintable(QString("%1@%2: csv %3, events %4").arg(QString::fromStdString(r.tag)).arg(r.step).arg(it->second).arg(r.value)));
    }
}

QTEST_GUILESS_MAIN(TestTextLogs)
#include "tst_text_logs.moc"
