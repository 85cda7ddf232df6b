// The script editor dock, offscreen: errors appear at their line and column while typing (checked
// on the worker thread), a hanging script never blocks the window or the next check, the examples
// load, and "Add series" hands the definition to whoever docks the editor.

#include "core/script/script_examples.h"
#include "ui/script_editor.h"

#include <QAbstractTextDocumentLayout>
#include <QLabel>
#include <QMenu>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTextBlock>
#include <QtTest>

using namespace losslens;
using namespace losslens::script;
using namespace losslens::ui;
using namespace std::chrono_literals;

class TestScriptEditor : public QObject {
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void examplesMenuHasEveryExample();
    void errorsAppearAtLineAndColumn();
    void fixingTheErrorClearsIt();
    void hangingScriptDoesNotBlock();
    void everyExampleChecksClean();
    void addRequestsADerivedSeries();
    void addRequestsARecipe();
    void highlightsKeywordsAndHelpers();

private:
    std::unique_ptr<ScriptWorker> m_worker;
    std::unique_ptr<ScriptEditor> m_editor;
};

void TestScriptEditor::init()
{
    m_worker = std::make_unique<ScriptWorker>(ScriptLimits{.timeout = 10000ms});
    m_editor = std::make_unique<ScriptEditor>(nullptr, m_worker.get());
    m_editor->setCheckDelay(10);
    m_editor->show();
}

void TestScriptEditor::cleanup()
{
    m_editor.reset();
    m_worker.reset();
}

void TestScriptEditor::examplesMenuHasEveryExample()
{
    const auto actions = m_editor->examplesMenu()->actions();
    QCOMPARE(actions.size(), 5);
    QStringList ids;
    for (QAction* a : actions)
        ids << a->data().toString();
    QCOMPARE(ids, (QStringList{"focal", "dice", "uncertainty", "dwa", "remainder"}));
    actions.at(1)->trigger();
    QCOMPARE(m_editor->kind(), SourceKind::Loss);
    QVERIFY(m_editor->source().contains("function loss(inputs, args)"));
}

void TestScriptEditor::errorsAppearAtLineAndColumn()
{
    m_editor->setKind(SourceKind::Loss);
    QTest::keyClicks(m_editor->textEdit(), "function loss(i) {");
    QTest::keyClick(m_editor->textEdit(), Qt::Key_Return);
    QTest::keyClicks(m_editor->textEdit(), "  return (;");
    QTRY_VERIFY(m_editor->checked());
    QCOMPARE(m_editor->diagnostics().size(), 1);
    const ScriptDiagnostic d = m_editor->diagnostics().front();
    QCOMPARE(d.kind, ScriptErrorKind::Syntax);
    QCOMPARE(d.line, 2);
    QVERIFY(d.column > 0);
    const auto marks = m_editor->textEdit()->extraSelections();
    QCOMPARE(marks.size(), 1);
    QCOMPARE(marks.front().cursor.block().blockNumber(), 1);
    QCOMPARE(marks.front().format.underlineStyle(), QTextCharFormat::WaveUnderline);
    const auto* status = m_editor->findChildren<QLabel*>().back();
    QVERIFY2(status->text().startsWith("line 2, column"), qPrintable(status->text()));
}

void TestScriptEditor::fixingTheErrorClearsIt()
{
    m_editor->setKind(SourceKind::Loss);
    m_editor->setSource("function loss(i) {\n  return log(missingThing);\n");
    QTRY_VERIFY(m_editor->checked());
    QCOMPARE(m_editor->diagnostics().size(), 1);
    m_editor->setSource("function loss(i) {\n  return log(i.x);\n}");
    QTRY_VERIFY(m_editor->checked());
    QVERIFY(m_editor->diagnostics().isEmpty());
    QVERIFY(m_editor->textEdit()->extraSelections().isEmpty());
}

void TestScriptEditor::hangingScriptDoesNotBlock()
{
    m_editor->setKind(SourceKind::Loss);
    m_editor->setSource("for (;;) {}\nfunction loss() { return 1; }");
    QTest::qWait(100); // the worker is now inside the endless loop (10 s limit)
    QElapsedTimer timer;
    timer.start();
    m_editor->setSource("function loss() { return 1; }");
    QTRY_VERIFY_WITH_TIMEOUT(m_editor->checked(), 3000);
    QVERIFY(m_editor->diagnostics().isEmpty());
    QVERIFY2(timer.elapsed() < 3000, "the newer check must cancel the hanging one");
}

void TestScriptEditor::everyExampleChecksClean()
{
    for (const auto& example : scriptExamples()) {
        QVERIFY(m_editor->loadExample(QString::fromStdString(example.id)));
        QTRY_VERIFY(m_editor->checked());
        QVERIFY2(m_editor->diagnostics().isEmpty(), qPrintable(QString::fromStdString(example.id) + ": " + m_editor->statusText()));
    }
    QVERIFY(!m_editor->loadExample("nope"));
}

void TestScriptEditor::addRequestsADerivedSeries()
{
    QSignalSpy requested(m_editor.get(), &ScriptEditor::derivedSeriesRequested);
    QVERIFY(m_editor->loadExample("remainder"));
    auto* add = m_editor->findChild<QPushButton*>();
    QTRY_VERIFY(add->isEnabled());
    QTest::mouseClick(add, Qt::LeftButton);
    QCOMPARE(requested.count(), 1);
    QCOMPARE(requested.first().at(0).toString(), QString("unexplained"));
    QCOMPARE(requested.first().at(1).toString(), QString::fromStdString(scriptExample("remainder").source));
    QCOMPARE(requested.first().at(2).value<Role>(), Role::Other);
    QCOMPARE(requested.first().at(3).value<DerivedLanguage>(), DerivedLanguage::Expression);

    m_editor->setSource("total_loss - (loss_cls +"); // broken: no request
    QTRY_VERIFY(m_editor->checked());
    QVERIFY(!add->isEnabled());
    m_editor->requestAdd();
    QCOMPARE(requested.count(), 1);
}

void TestScriptEditor::addRequestsARecipe()
{
    QSignalSpy requested(m_editor.get(), &ScriptEditor::recipeRequested);
    QVERIFY(m_editor->loadExample("dwa"));
    QTRY_VERIFY(m_editor->checked());
    m_editor->requestAdd();
    QCOMPARE(requested.count(), 1);
    QCOMPARE(requested.first().at(0).toString(), QString("total (dwa)"));
}

void TestScriptEditor::highlightsKeywordsAndHelpers()
{
    m_editor->setSource("function loss(i) { return sigmoid(i.x); } // note");
    const QTextBlock block = m_editor->textEdit()->document()->firstBlock();
    const auto formats = block.layout()->formats();
    const auto formatAt = [&](int position) {
        for (const auto& range : formats)
            if (position >= range.start && position < range.start + range.length)
                return range.format;
        return QTextCharFormat();
    };
    QCOMPARE(formatAt(0).fontWeight(), int(QFont::Bold));                    // function
    QVERIFY(formatAt(26).foreground().color() != formatAt(0).foreground().color()); // sigmoid, a helper
    QVERIFY(formatAt(26).foreground().style() != Qt::NoBrush);
    QVERIFY(formatAt(45).fontItalic());                                          // the comment
}

QTEST_MAIN(TestScriptEditor)
#include "tst_script_editor.moc"
