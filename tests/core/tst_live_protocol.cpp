// The live protocol's pure part: parsing client lines, the canonical record shape, replies and
// line framing. Expected canonical lines are written out by hand from the protocol text in
// core/live/protocol.h (the reference here is the spec, not the code).

#include "core/formats/json_lines_reader.h"
#include "core/live/protocol.h"

#include <QTest>

#include <cmath>
#include <limits>

using namespace losslens;
using namespace losslens::live;
using Kind = ParsedLine::Kind;

Q_DECLARE_METATYPE(losslens::live::ParsedLine::Kind)

class TestLiveProtocol : public QObject {
    Q_OBJECT

private slots:
    void parse_data();
    void parse();
    void recordRoundTrip();
    void snapshotLine();
    void replies();
    void framing_data();
    void framing();
    void overLongLine();
    void partialLine();
    void readerUnderstandsRecordedShape();
};

void TestLiveProtocol::parse_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<QByteArray>("helloRun");
    QTest::addColumn<ParsedLine::Kind>("kind");
    QTest::addColumn<QByteArray>("canonical"); // record: its canonical line; error: part of the message

    const QByteArray none;
    // Valid records.
    QTest::newRow("record") << QByteArray(R"({"run":"mtl","step":120,"wall_time":1700000000.25,"scalars":{"loss/scene":0.53,"total_loss":0.753}})")
                            << none << Kind::Record
                            << QByteArray(R"({"run":"mtl","step":120,"wall_time":1700000000.25,"scalars":{"loss/scene":0.53,"total_loss":0.753}})");
    QTest::newRow("key order, roles") << QByteArray(R"({"roles":{"t":"TOTAL"},"scalars":{"t":1},"step":3,"run":"r","wall_time":2})")
                                      << none << Kind::Record
                                      << QByteArray(R"({"run":"r","step":3,"wall_time":2,"scalars":{"t":1},"roles":{"t":"total"}})");
    QTest::newRow("no wall_time: receive time") << QByteArray(R"({"run":"r","step":1,"scalars":{"a":2}})") << none << Kind::Record
                                                << QByteArray(R"({"run":"r","step":1,"wall_time":42.5,"scalars":{"a":2}})");
    QTest::newRow("null wall_time") << QByteArray(R"({"run":"r","step":1,"wall_time":null,"scalars":{"a":2}})") << none
                                    << Kind::Record << QByteArray(R"({"run":"r","step":1,"wall_time":42.5,"scalars":{"a":2}})");
    QTest::newRow("python non-finite") << QByteArray(R"({"run":"r","step":1,"wall_time":1,"scalars":{"a":NaN,"b":Infinity,"c":-Infinity}})")
                                       << none << Kind::Record
                                       << QByteArray(R"({"run":"r","step":1,"wall_time":1,"scalars":{"a":NaN,"b":Infinity,"c":-Infinity}})");
    // -0 is the integer 0 to every JSON reader; -0.0 keeps its sign, and so is how it is recorded
    QTest::newRow("negative zero") << QByteArray(R"({"run":"r","step":1,"wall_time":1,"scalars":{"a":-0.0,"b":-0,"c":-0e0}})") << none
                                   << Kind::Record << QByteArray(R"({"run":"r","step":1,"wall_time":1,"scalars":{"a":-0.0,"b":0,"c":-0.0}})");
    QTest::newRow("run from hello") << QByteArray(R"({"step":7,"wall_time":1,"scalars":{"a":1e-300}})") << QByteArray("h")
                                    << Kind::Record << QByteArray(R"({"run":"h","step":7,"wall_time":1,"scalars":{"a":1e-300}})");
    QTest::newRow("integral float step") << QByteArray(R"({"run":"r","step":5.0,"wall_time":1,"scalars":{"a":0.1}})") << none
                                         << Kind::Record << QByteArray(R"({"run":"r","step":5,"wall_time":1,"scalars":{"a":0.1}})");
    QTest::newRow("escaped tag, unknown key ignored") << QByteArray(R"({"run":"r","step":-2,"wall_time":1,"x":[1],"scalars":{"a\"b\u00e9":1}})")
                                                      << none << Kind::Record
                                                      << QByteArray("{\"run\":\"r\",\"step\":-2,\"wall_time\":1,\"scalars\":{\"a\\\"b\xc3\xa9\":1}}");
    // Other messages.
    QTest::newRow("blank") << QByteArray(" \t ") << none << Kind::Blank << QByteArray();
    QTest::newRow("hello") << QByteArray(R"({"hello":{"run":"x","token":"s","meta":{"lr":0.1}}})") << none << Kind::Hello << QByteArray();
    QTest::newRow("empty hello") << QByteArray(R"({"hello":{}})") << none << Kind::Hello << QByteArray();
    QTest::newRow("sync string") << QByteArray(R"({"sync":"a-1"})") << none << Kind::Sync << QByteArray();
    QTest::newRow("sync int") << QByteArray(R"({"sync":17})") << none << Kind::Sync << QByteArray();
    // Bad input: every row must be an error, never a crash or a partial record.
    QTest::newRow("malformed") << QByteArray(R"({"run":"r","step":1,"scalars":{"a":1})") << none << Kind::Error << QByteArray("malformed JSON");
    QTest::newRow("binary junk") << QByteArray("\xff\xfe\x00\x01garbage", 12) << none << Kind::Error << QByteArray("");
    QTest::newRow("not an object") << QByteArray("[1,2]") << none << Kind::Error << QByteArray("not a JSON object");
    QTest::newRow("missing run") << QByteArray(R"({"step":1,"scalars":{"a":1}})") << none << Kind::Error << QByteArray("missing \"run\"");
    QTest::newRow("empty run") << QByteArray(R"({"run":"","step":1,"scalars":{"a":1}})") << none << Kind::Error << QByteArray("\"run\" must be");
    QTest::newRow("run not string") << QByteArray(R"({"run":5,"step":1,"scalars":{"a":1}})") << none << Kind::Error << QByteArray("\"run\" must be");
    QTest::newRow("missing step") << QByteArray(R"({"run":"r","scalars":{"a":1}})") << none << Kind::Error << QByteArray("missing \"step\"");
    QTest::newRow("string step") << QByteArray(R"({"run":"r","step":"1","scalars":{"a":1}})") << none << Kind::Error << QByteArray("\"step\" must be an integer");
    QTest::newRow("fractional step") << QByteArray(R"({"run":"r","step":1.5,"scalars":{"a":1}})") << none << Kind::Error << QByteArray("\"step\" must be an integer");
    QTest::newRow("NaN step") << QByteArray(R"({"run":"r","step":NaN,"scalars":{"a":1}})") << none << Kind::Error << QByteArray("\"step\" must be an integer");
    QTest::newRow("bad wall_time") << QByteArray(R"({"run":"r","step":1,"wall_time":"now","scalars":{"a":1}})") << none << Kind::Error << QByteArray("wall_time");
    QTest::newRow("missing scalars") << QByteArray(R"({"run":"r","step":1})") << none << Kind::Error << QByteArray("missing \"scalars\"");
    QTest::newRow("scalars array") << QByteArray(R"({"run":"r","step":1,"scalars":[1]})") << none << Kind::Error << QByteArray("\"scalars\" must be an object");
    QTest::newRow("empty scalars") << QByteArray(R"({"run":"r","step":1,"scalars":{}})") << none << Kind::Error << QByteArray("\"scalars\" is empty");
    QTest::newRow("string value") << QByteArray(R"({"run":"r","step":1,"scalars":{"a":"0.5"}})") << none << Kind::Error << QByteArray("not a number");
    QTest::newRow("null value") << QByteArray(R"({"run":"r","step":1,"scalars":{"a":null}})") << none << Kind::Error << QByteArray("not a number");
    QTest::newRow("empty tag") << QByteArray(R"({"run":"r","step":1,"scalars":{"":1}})") << none << Kind::Error << QByteArray("empty");
    QTest::newRow("unknown role") << QByteArray(R"({"run":"r","step":1,"scalars":{"a":1},"roles":{"a":"loss"}})") << none << Kind::Error << QByteArray("a role must be");
    QTest::newRow("roles not object") << QByteArray(R"({"run":"r","step":1,"scalars":{"a":1},"roles":3})") << none << Kind::Error << QByteArray("\"roles\" must be");
    QTest::newRow("hello not object") << QByteArray(R"({"hello":"x"})") << none << Kind::Error << QByteArray("\"hello\" must be");
    QTest::newRow("hello bad version") << QByteArray(R"({"hello":{"version":2}})") << none << Kind::Error << QByteArray("version");
    QTest::newRow("sync object") << QByteArray(R"({"sync":{}})") << none << Kind::Error << QByteArray("\"sync\" must be");
}

void TestLiveProtocol::parse()
{
    QFETCH(QByteArray, line);
    QFETCH(QByteArray, helloRun);
    QFETCH(ParsedLine::Kind, kind);
    QFETCH(QByteArray, canonical);

    LineParser parser;
    std::string out = "kept|";
    const ParsedLine& p = parser.parse(std::string_view(line.constData(), static_cast<std::size_t>(line.size())),
                                       helloRun.toStdString(), 42.5, out);
    QCOMPARE(p.kind, kind);
    if (kind == Kind::Record) {
        QCOMPARE(QByteArray::fromStdString(out), "kept|" + canonical + "\n");
        // The canonical form is a fixed point: parsing it again gives it back.
        std::string again;
        parser.parse(out.substr(5, out.size() - 6), {}, 0.0, again);
        QCOMPARE(QByteArray::fromStdString(again), canonical + "\n");
    } else {
        QCOMPARE(out, std::string("kept|"));
    }
    if (kind == Kind::Error)
        QVERIFY2(QByteArray::fromStdString(p.error).contains(canonical), p.error.c_str());
    if (kind == Kind::Sync)
        QCOMPARE(QByteArray::fromStdString(syncedLine(p.syncId, 3)),
                 line.contains('"') && line.contains("a-1") ? QByteArray("{\"synced\":\"a-1\",\"records\":3}\n")
                                                            : QByteArray("{\"synced\":17,\"records\":3}\n"));
}

void TestLiveProtocol::recordRoundTrip()
{
    const Record in{"run/1", 9, 1.5,
                    {{"loss/a", 0.1, Role::Component},
                     {"w", std::numeric_limits<double>::quiet_NaN(), std::nullopt},
                     {"total_loss", -std::numeric_limits<double>::infinity(), Role::Total}}};
    std::string line;
    appendRecord(line, in);
    QCOMPARE(line, std::string(R"({"run":"run/1","step":9,"wall_time":1.5,"scalars":{"loss/a":0.1,"w":NaN,"total_loss":-Infinity},)"
                               R"("roles":{"loss/a":"component","total_loss":"total"}})"
                               "\n"));
    LineParser parser;
    Record out;
    line.pop_back();
    QCOMPARE(parser.parseRecord(line, out), std::string());
    QCOMPARE(out.run, in.run);
    QCOMPARE(out.step, in.step);
    QCOMPARE(out.wallTime, in.wallTime);
    QCOMPARE(out.scalars.size(), std::size_t{3});
    QCOMPARE(out.scalars[0].value, 0.1);
    QVERIFY(std::isnan(out.scalars[1].value));
    QVERIFY(!out.scalars[1].role);
    QCOMPARE(out.scalars[2].role, std::optional<Role>(Role::Total));
}

void TestLiveProtocol::snapshotLine()
{
    LossCollection losses;
    losses.addLoss("scene/xent", 0.5);
    losses.addRegularization("l2/trunk", 0.25);
    std::string line;
    appendSnapshot(line, "demo", losses.snapshot(4), 10.0);
    // snapshot(): components, regularization, regularization_loss (other), total_loss (total).
    QCOMPARE(line, std::string(R"({"run":"demo","step":4,"wall_time":10,"scalars":{"scene/xent":0.5,"l2/trunk":0.25,)"
                               R"("regularization_loss":0.25,"total_loss":0.75},"roles":{"scene/xent":"component",)"
                               R"("l2/trunk":"regularization","regularization_loss":"other","total_loss":"total"}})"
                               "\n"));
}

void TestLiveProtocol::replies()
{
    Reply r = parseReply(R"({"synced":"x-1","records":12})");
    QCOMPARE(r.kind, Reply::Kind::Synced);
    QCOMPARE(r.syncId, std::string("x-1"));
    QCOMPARE(r.records, std::uint64_t{12});
    r = parseReply(std::string_view(errorLine("bad \"thing\"", 4)).substr(0, errorLine("bad \"thing\"", 4).size() - 1));
    QCOMPARE(r.kind, Reply::Kind::Error);
    QCOMPARE(r.message, std::string("bad \"thing\""));
    QCOMPARE(r.line, std::uint64_t{4});
    r = parseReply(refusedLine("no"));
    QCOMPARE(r.kind, Reply::Kind::Refused);
    QCOMPARE(parseReply("junk").kind, Reply::Kind::Unknown);
    QCOMPARE(helloLine("r", "t", R"({"a":1})"), std::string(R"({"hello":{"run":"r","token":"t","meta":{"a":1},"version":1}})"
                                                            "\n"));
    QCOMPARE(syncLine("s"), std::string("{\"sync\":\"s\"}\n"));
}

void TestLiveProtocol::framing_data()
{
    QTest::addColumn<QList<QByteArray>>("chunks");
    QTest::addColumn<QList<QByteArray>>("lines");
    QTest::addColumn<bool>("partial");
    using L = QList<QByteArray>;
    QTest::newRow("one") << L{"a\n"} << L{"a"} << false;
    QTest::newRow("split") << L{"ab", "c\nd", "e\n"} << L{"abc", "de"} << false;
    QTest::newRow("crlf") << L{"a\r\nb\r", "\n"} << L{"a", "b"} << false;
    QTest::newRow("empty lines") << L{"\n\nx\n"} << L{"", "", "x"} << false;
    QTest::newRow("byte by byte") << L{"x", "y", "\n", "z"} << L{"xy"} << true;
    QTest::newRow("pending") << L{"abc"} << L{} << true;
}

void TestLiveProtocol::framing()
{
    QFETCH(QList<QByteArray>, chunks);
    QFETCH(QList<QByteArray>, lines);
    QFETCH(bool, partial);
    LineFramer framer(8);
    QList<QByteArray> got;
    for (const QByteArray& c : chunks)
        framer.feed(std::string_view(c.constData(), static_cast<std::size_t>(c.size())),
                    [&](std::string_view line, std::uint64_t number, bool overLong) {
                        QVERIFY(!overLong);
                        QCOMPARE(number, static_cast<std::uint64_t>(got.size() + 1));
                        got << QByteArray(line.data(), static_cast<qsizetype>(line.size()));
                    });
    QCOMPARE(got, lines);
    QCOMPARE(framer.hasPartialLine(), partial);
}

void TestLiveProtocol::overLongLine()
{
    LineFramer framer(8);
    QList<QByteArray> got;
    QList<std::uint64_t> overLong;
    const auto handler = [&](std::string_view line, std::uint64_t number, bool tooLong) {
        if (tooLong)
            overLong << number;
        else
            got << QByteArray(line.data(), static_cast<qsizetype>(line.size()));
    };
    framer.feed("12345678\n123456789\nok\n", handler);          // 8 fits, 9 does not
    framer.feed("abcdefgh", handler);                            // 8 so far, still fits
    framer.feed("ijklmnopqrstuvwxyz", handler);                  // now too long: skipped
    QVERIFY(framer.hasPartialLine());
    framer.feed("more\nafter\n12345678\r\n", handler);           // '\r' does not count
    QCOMPARE(got, (QList<QByteArray>{"12345678", "ok", "after", "12345678"}));
    QCOMPARE(overLong, (QList<std::uint64_t>{2, 4}));
    QVERIFY(!framer.hasPartialLine());
}

void TestLiveProtocol::partialLine()
{
    LineFramer framer;
    int lines = 0;
    framer.feed(R"({"run":"r","step":1,"scal)", [&](std::string_view, std::uint64_t, bool) { ++lines; });
    QCOMPARE(lines, 0);
    QVERIFY(framer.hasPartialLine());
    QCOMPARE(framer.linesSeen(), std::uint64_t{1});
}

// What the recorder writes must read back through the JSON-lines reader with every value.
void TestLiveProtocol::readerUnderstandsRecordedShape()
{
    std::string text;
    appendRecord(text, {"a", 1, 5.0, {{"loss/x", 0.5, Role::Component}, {"total_loss", 2.0, Role::Total}}});
    appendRecord(text, {"b", 2, 6.0, {{"loss/x", std::numeric_limits<double>::quiet_NaN(), std::nullopt}}});
    struct Sink : formats::RecordSink {
        std::vector<std::string> tags;
        std::vector<double> values;
        void onTag(std::uint32_t, const formats::TagInfo& info) override
        {
            tags.push_back(std::string(info.run) + ":" + std::string(info.name));
        }
        void onScalar(std::uint32_t, std::int64_t, double, double value) override { values.push_back(value); }
        void onWarning(formats::Warning w) override { QFAIL(w.toString().c_str()); }
    } sink;
    formats::JsonLinesReader reader(sink, "live.jsonl");
    reader.feed(text, true);
    QCOMPARE(sink.tags, (std::vector<std::string>{"a:loss/x", "a:total_loss", "b:loss/x"}));
    QCOMPARE(sink.values.size(), std::size_t{3});
    QCOMPARE(sink.values[0], 0.5);
    QVERIFY(std::isnan(sink.values[2]));
}

QTEST_GUILESS_MAIN(TestLiveProtocol)
#include "tst_live_protocol.moc"
