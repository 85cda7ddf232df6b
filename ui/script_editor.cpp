#include "ui/script_editor.h"

#include "core/script/helper_library.h"
#include "core/script/script_examples.h"

#include <QComboBox>
#include <algorithm>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSyntaxHighlighter>
#include <QTextBlock>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace losslens::ui {

namespace {

using script::SourceKind;

/// JavaScript highlighting: keywords, the helper library, numbers, strings and comments.
class JsHighlighter : public QSyntaxHighlighter {
public:
    explicit JsHighlighter(QTextDocument* document) : QSyntaxHighlighter(document)
    {
        QTextCharFormat keyword, helper, number, string;
        keyword.setForeground(QColor(0x00, 0x33, 0x99));
        keyword.setFontWeight(QFont::Bold);
        helper.setForeground(QColor(0x00, 0x80, 0x80));
        number.setForeground(QColor(0x99, 0x33, 0x00));
        string.setForeground(QColor(0x00, 0x80, 0x00));
        m_comment.setForeground(QColor(0x80, 0x80, 0x80));
        m_comment.setFontItalic(true);
        m_rules.append({QRegularExpression(QStringLiteral(
                            R"(\b(function|return|const|let|var|if|else|for|while|do|of|in|new|break|continue|)"
                            R"(true|false|null|undefined|this|typeof|throw|try|catch|finally)\b)")),
                        keyword});
        m_rules.append({QRegularExpression(QStringLiteral("\\b(%1|Math)\\b").arg(script::HelperLibrary::names().join('|'))), helper});
        m_rules.append({QRegularExpression(QStringLiteral(R"(\b\d+(\.\d*)?([eE][-+]?\d+)?\b)")), number});
        m_rules.append({QRegularExpression(QStringLiteral(R"("([^"\\]|\\.)*"|'([^'\\]|\\.)*'|`[^`]*`)")), string});
    }

protected:
    void highlightBlock(const QString& text) override
    {
        for (const auto& [pattern, format] : m_rules)
            for (auto it = pattern.globalMatch(text); it.hasNext();) {
                const auto m = it.next();
                setFormat(static_cast<int>(m.capturedStart()), static_cast<int>(m.capturedLength()), format);
            }
        // Comments last: they win over anything inside them. Block state 1 = inside /* */.
        qsizetype start = previousBlockState() == 1 ? 0 : -1;
        setCurrentBlockState(0);
        for (qsizetype i = 0; i < text.size(); ++i) {
            if (start < 0 && text.mid(i, 2) == QLatin1String("//")) {
                setFormat(static_cast<int>(i), static_cast<int>(text.size() - i), m_comment);
                return;
            }
            if (start < 0 && text.mid(i, 2) == QLatin1String("/*"))
                start = i++;
            else if (start >= 0 && text.mid(i, 2) == QLatin1String("*/")) {
                setFormat(static_cast<int>(start), static_cast<int>(i + 2 - start), m_comment);
                start = -1;
                ++i;
            }
        }
        if (start >= 0) {
            setFormat(static_cast<int>(start), static_cast<int>(text.size() - start), m_comment);
            setCurrentBlockState(1);
        }
    }

private:
    struct Rule {
        QRegularExpression pattern;
        QTextCharFormat format;
    };
    QList<Rule> m_rules;
    QTextCharFormat m_comment;
};

QString kindLabel(SourceKind kind)
{
    switch (kind) {
    case SourceKind::Loss: return ScriptEditor::tr("Loss script");
    case SourceKind::DerivedExpression: return ScriptEditor::tr("Derived series (expression)");
    case SourceKind::DerivedScript: return ScriptEditor::tr("Derived series (script)");
    case SourceKind::Recipe: return ScriptEditor::tr("Recipe (total)");
    }
    return {};
}

} // namespace

ScriptEditor::ScriptEditor(QWidget* parent, script::ScriptWorker* worker)
    : QDockWidget(tr("Script Editor"), parent), m_worker(worker ? worker : new script::ScriptWorker({}, this))
{
    setObjectName(QStringLiteral("scriptEditor"));
    auto* body = new QWidget(this);
    m_kind = new QComboBox(body);
    for (SourceKind k : {SourceKind::Loss, SourceKind::DerivedExpression, SourceKind::DerivedScript, SourceKind::Recipe})
        m_kind->addItem(kindLabel(k), QVariant::fromValue(static_cast<int>(k)));
    auto* examplesButton = new QToolButton(body);
    examplesButton->setText(tr("Examples"));
    examplesButton->setPopupMode(QToolButton::InstantPopup);
    m_examples = new QMenu(examplesButton);
    examplesButton->setMenu(m_examples);
    m_name = new QLineEdit(QStringLiteral("derived"), body);
    m_name->setPlaceholderText(tr("series name"));
    m_role = new QComboBox(body);
    for (Role r : {Role::Other, Role::Component, Role::Regularization, Role::Total})
        m_role->addItem(QString::fromUtf8(roleName(r).data()), QVariant::fromValue(static_cast<int>(r)));
    m_add = new QPushButton(tr("Add series"), body);
    m_remove = new QPushButton(tr("Remove"), body);
    m_remove->setToolTip(tr("Remove this derived series from every run"));
    m_text = new QPlainTextEdit(body);
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
    new JsHighlighter(m_text->document());
    m_status = new QLabel(body);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    // Two short rows: the dock stays narrow beside the chart.
    auto* what = new QHBoxLayout;
    what->addWidget(m_kind);
    what->addWidget(examplesButton);
    what->addStretch();
    auto* series = new QHBoxLayout;
    series->addWidget(m_name, 1);
    series->addWidget(m_role);
    series->addWidget(m_add);
    series->addWidget(m_remove);
    auto* layout = new QVBoxLayout(body);
    layout->addLayout(what);
    layout->addLayout(series);
    layout->addWidget(m_text, 1);
    layout->addWidget(m_status);
    setWidget(body);

    m_debounce = new QTimer(this);
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(300);
    buildExamplesMenu();
    connect(m_debounce, &QTimer::timeout, this, &ScriptEditor::startCheck);
    connect(m_text, &QPlainTextEdit::textChanged, this, &ScriptEditor::scheduleCheck);
    connect(m_kind, &QComboBox::currentIndexChanged, this, [this] {
        scheduleCheck();
        updateAddButton();
    });
    connect(m_add, &QPushButton::clicked, this, &ScriptEditor::requestAdd);
    connect(m_remove, &QPushButton::clicked, this, [this] { emit removeRequested(seriesName()); });
    connect(m_name, &QLineEdit::textChanged, this, &ScriptEditor::updateAddButton);
    connect(m_worker, &script::ScriptWorker::checked, this, &ScriptEditor::showDiagnostics);
    updateAddButton();
}

ScriptEditor::~ScriptEditor() = default;

// The position first, as compilers print it.
QString ScriptEditor::describe(const script::ScriptDiagnostic& d)
{
    QString where;
    if (d.line > 0)
        where = d.column > 0 ? tr("line %1, column %2: ").arg(d.line).arg(d.column) : tr("line %1: ").arg(d.line);
    return where + d.message;
}

void ScriptEditor::buildExamplesMenu()
{
    for (const auto& example : script::scriptExamples()) {
        QAction* action = m_examples->addAction(QString::fromStdString(example.title));
        action->setData(QString::fromStdString(example.id));
        connect(action, &QAction::triggered, this, [this, id = QString::fromStdString(example.id)] { loadExample(id); });
    }
}

bool ScriptEditor::loadExample(const QString& id)
{
    for (const auto& example : script::scriptExamples())
        if (QString::fromStdString(example.id) == id) {
            setKind(example.kind);
            setSource(QString::fromStdString(example.source));
            if (example.kind != SourceKind::Loss)
                setSeriesName(QString::fromStdString(example.kind == SourceKind::Recipe ? "total (" + example.id + ")" : "unexplained"));
            return true;
        }
    return false;
}

void ScriptEditor::setKind(SourceKind kind) { m_kind->setCurrentIndex(m_kind->findData(static_cast<int>(kind))); }

SourceKind ScriptEditor::kind() const { return static_cast<SourceKind>(m_kind->currentData().toInt()); }

void ScriptEditor::setSource(const QString& text) { m_text->setPlainText(text); }

QString ScriptEditor::source() const { return m_text->toPlainText(); }

void ScriptEditor::setSeriesName(const QString& name) { m_name->setText(name); }

QString ScriptEditor::seriesName() const { return m_name->text().trimmed(); }

Role ScriptEditor::role() const { return static_cast<Role>(m_role->currentData().toInt()); }

void ScriptEditor::setRole(Role role) { m_role->setCurrentIndex(m_role->findData(static_cast<int>(role))); }

void ScriptEditor::showDefinition(const script::DerivedDefinition& definition)
{
    const bool expression = definition.spec.language == script::DerivedLanguage::Expression;
    setKind(definition.recipe ? SourceKind::Recipe : expression ? SourceKind::DerivedExpression : SourceKind::DerivedScript);
    setSource(QString::fromStdString(definition.spec.source));
    setSeriesName(QString::fromStdString(definition.spec.name));
    setRole(definition.spec.role);
}

void ScriptEditor::setDefinedNames(const QStringList& names)
{
    m_defined = names;
    updateAddButton();
}

void ScriptEditor::showEvaluationProblem(const QString& name, const QString& source, const QString& run,
                                        const script::ScriptDiagnostic& problem)
{
    m_evaluation = EvaluationProblem{name, source, run, problem};
    m_evaluating.clear();
    showEvaluation();
}

void ScriptEditor::evaluationFinished()
{
    if (!m_evaluating.isEmpty())
        m_status->setText(tr("'%1' is computed for every run and follows them as they grow.").arg(std::exchange(m_evaluating, {})));
}

bool ScriptEditor::showEvaluation()
{
    if (!m_evaluation)
        return false;
    const auto& [name, source, run, problem] = *m_evaluation;
    if (name == seriesName() && source == this->source())
        markProblems({problem});
    m_status->setText(tr("'%1' on run %2: %3").arg(name, run, describe(problem)));
    return true;
}

QString ScriptEditor::statusText() const { return m_status->text(); }

void ScriptEditor::setCheckDelay(int milliseconds) { m_debounce->setInterval(milliseconds); }

void ScriptEditor::scheduleCheck()
{
    m_status->setText(tr("Checking…"));
    m_upToDate = false;
    updateAddButton();
    m_debounce->start();
}

void ScriptEditor::startCheck()
{
    // The worker cancels a check still running: a long top level never delays the newest text.
    m_pending = m_worker->check(kind(), source());
}

void ScriptEditor::showDiagnostics(quint64 request, const QList<script::ScriptDiagnostic>& problems)
{
    if (request != m_pending)
        return;
    m_diagnostics = problems;
    m_upToDate = true;
    markProblems(problems);
    QStringList lines;
    for (const auto& d : problems)
        lines.append(describe(d));
    // A clean check does not hide what evaluating this very text found.
    const bool evaluationShown = problems.isEmpty() && m_evaluation && m_evaluation->source == source() && showEvaluation();
    if (!evaluationShown)
        m_status->setText(problems.isEmpty() ? tr("No problems found.") : lines.join('\n'));
    updateAddButton();
    emit diagnosticsChanged(problems);
}

void ScriptEditor::markProblems(const QList<script::ScriptDiagnostic>& problems)
{
    QList<QTextEdit::ExtraSelection> marks;
    for (const auto& d : problems) {
        if (d.line <= 0)
            continue;
        const QTextBlock block = m_text->document()->findBlockByNumber(d.line - 1);
        if (!block.isValid())
            continue;
        QTextEdit::ExtraSelection mark;
        mark.cursor = QTextCursor(block);
        const int column = std::clamp(d.column - 1, 0, std::max(0, block.length() - 1));
        mark.cursor.setPosition(block.position() + column);
        mark.cursor.movePosition(d.column > 0 ? QTextCursor::EndOfWord : QTextCursor::EndOfBlock, QTextCursor::KeepAnchor);
        if (!mark.cursor.hasSelection())
            mark.cursor.movePosition(QTextCursor::NextCharacter, QTextCursor::KeepAnchor);
        mark.format.setUnderlineStyle(QTextCharFormat::WaveUnderline);
        mark.format.setUnderlineColor(Qt::red);
        mark.format.setToolTip(describe(d));
        marks.append(mark);
    }
    m_text->setExtraSelections(marks);
}

void ScriptEditor::updateAddButton()
{
    const bool series = kind() != SourceKind::Loss;
    m_name->setEnabled(series);
    m_role->setEnabled(kind() == SourceKind::DerivedExpression || kind() == SourceKind::DerivedScript);
    m_add->setEnabled(series && m_upToDate && m_diagnostics.isEmpty());
    const bool defined = series && m_defined.contains(seriesName());
    m_add->setText(defined ? tr("Update series") : tr("Add series"));
    m_remove->setEnabled(defined);
    m_add->setToolTip(series ? tr("Compute the series for every run; it follows the runs as they grow") : tr("Loss scripts run in training code or losslens-cli"));
}

void ScriptEditor::requestAdd()
{
    if (!m_upToDate || !m_diagnostics.isEmpty() || seriesName().isEmpty())
        return;
    if (kind() != SourceKind::Loss) { // before asking: a problem may be reported while we ask
        m_evaluation.reset();
        m_evaluating = seriesName();
        m_status->setText(tr("Evaluating '%1' on every run…").arg(seriesName()));
    }
    switch (kind()) {
    case SourceKind::DerivedExpression: emit derivedSeriesRequested(seriesName(), source(), role(), script::DerivedLanguage::Expression); break;
    case SourceKind::DerivedScript: emit derivedSeriesRequested(seriesName(), source(), role(), script::DerivedLanguage::Script); break;
    case SourceKind::Recipe: emit recipeRequested(seriesName(), source()); break;
    case SourceKind::Loss: break;
    }
}

} // namespace losslens::ui
