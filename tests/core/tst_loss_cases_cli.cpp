// `losslens-cli loss --cases`, end to end, as a conformance harness would call it.

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryFile>
#include <QtTest>

class TestLossCasesCli : public QObject {
    Q_OBJECT

private slots:
    void answersEveryCaseInOrder();
    void writesNonFiniteAsStrings();
    void hostileShapeIsACaseError();
    void unreadableFileFails();
    void invalidJsonFails();

private:
    static QByteArray run(const QByteArray& cases, int* exitCode);
};

QByteArray TestLossCasesCli::run(const QByteArray& cases, int* exitCode)
{
    QTemporaryFile file;
    if (!file.open())
        qFatal("no temporary file");
    file.write(cases);
    file.flush();
    QProcess cli;
    cli.start(LOSSLENS_CLI, {"loss", "--cases", file.fileName()});
    if (!cli.waitForFinished(60000))
        qFatal("losslens-cli did not finish");
    *exitCode = cli.exitCode();
    return cli.readAllStandardOutput();
}

void TestLossCasesCli::answersEveryCaseInOrder()
{
    // mean_squared_error of [1, 2] vs [0, 0] is (1 + 4)/2 = 2.5 (TF1 default SUM_BY_NONZERO_WEIGHTS).
    const QByteArray cases = R"({"cases":[
      {"id":"mse","fn":"mean_squared_error","inputs":{"predictions":{"shape":[2],"data":[1,2]},
                                                     "labels":{"shape":[2],"data":[0,0]},"weights":null}},
      {"id":"bad","fn":"no_such_loss","inputs":{}},
      {"id":"shape","fn":"absolute_difference","inputs":{"predictions":{"shape":[2],"data":[1]},
                                                        "labels":{"shape":[1],"data":[0]}}}]})";
    int exitCode = -1;
    const auto doc = QJsonDocument::fromJson(run(cases, &exitCode));
    QCOMPARE(exitCode, 0);
    const QJsonArray results = doc.object()["results"].toArray();
    QCOMPARE(results.size(), 3);
    QCOMPARE(results[0].toObject()["id"].toString(), "mse");
    QCOMPARE(results[0].toObject()["value"].toObject()["data"].toArray()[0].toDouble(), 2.5);
    QCOMPARE(results[0].toObject()["value"].toObject()["shape"].toArray().size(), 0);
    QVERIFY(results[1].toObject()["error"].toString().contains("unknown loss function 'no_such_loss'"));
    QVERIFY(results[2].toObject()["error"].toString().contains("shape [2] needs 2 values"));
}

void TestLossCasesCli::writesNonFiniteAsStrings()
{
    const QByteArray cases = R"({"cases":[{"id":"n","fn":"absolute_difference","args":{"reduction":"NONE"},
      "inputs":{"predictions":{"shape":[3],"data":["NaN","Infinity",1]},"labels":{"shape":[3],"data":[0,0,"-Infinity"]}}}]})";
    int exitCode = -1;
    const QByteArray out = run(cases, &exitCode);
    QCOMPARE(exitCode, 0);
    QVERIFY2(out.contains(R"("data":["NaN","Infinity","Infinity"])"), out.constData());
}

// Found by tests/fuzz (fuzz_loss_cases): 2^32 × 2^32 elements overflowed the element count to 0,
// which matched the empty data and made a tensor whose shape its storage did not hold.
void TestLossCasesCli::hostileShapeIsACaseError()
{
    const QByteArray cases = R"({"cases":[{"id":"h","fn":"softmax_cross_entropy",
      "inputs":{"logits":{"shape":[4294967296,4294967296],"data":[]},"onehot_labels":{"shape":[4294967296,4294967296],"data":[]}}}]})";
    int exitCode = -1;
    const auto doc = QJsonDocument::fromJson(run(cases, &exitCode));
    QCOMPARE(exitCode, 0);
    const QJsonObject result = doc.object()["results"].toArray()[0].toObject();
    QVERIFY2(result["error"].toString().contains("more elements than fit in 64 bits"), qPrintable(result["error"].toString()));
}

void TestLossCasesCli::unreadableFileFails()
{
    QProcess cli;
    cli.start(LOSSLENS_CLI, {"loss", "--cases", "/nonexistent/cases.json"});
    QVERIFY(cli.waitForFinished(60000));
    QVERIFY(cli.exitCode() != 0);
    QVERIFY(cli.readAllStandardError().contains("/nonexistent/cases.json"));
}

void TestLossCasesCli::invalidJsonFails()
{
    int exitCode = -1;
    run("{\"cases\": [", &exitCode);
    QVERIFY(exitCode != 0);
}

QTEST_GUILESS_MAIN(TestLossCasesCli)
#include "tst_loss_cases_cli.moc"
