#pragma once
// The script editor dock: write a loss, a derived series or a recipe with JavaScript highlighting,
// see errors at their line and column as you type (checked on ScriptWorker's thread, debounced),
// start from an example, and ask for the result to be added. It computes nothing itself: the main
// window connects derivedSeriesRequested / recipeRequested to the store and the charts.

#include "core/script/derived_series_model.h"

#include <QDockWidget>
#include <QList>

#include <optional>

QT_FORWARD_DECLARE_CLASS(QComboBox)
QT_FORWARD_DECLARE_CLASS(QLabel)
QT_FORWARD_DECLARE_CLASS(QLineEdit)
QT_FORWARD_DECLARE_CLASS(QMenu)
QT_FORWARD_DECLARE_CLASS(QPlainTextEdit)
QT_FORWARD_DECLARE_CLASS(QPushButton)
QT_FORWARD_DECLARE_CLASS(QTimer)

namespace losslens::ui {

class ScriptEditor : public QDockWidget {
    Q_OBJECT

public:
    /// `worker` runs the checks (and may be shared with the main window's evaluations); a private
    /// one is made when null.
    explicit ScriptEditor(QWidget* parent = nullptr, script::ScriptWorker* worker = nullptr);
    ~ScriptEditor() override;

    void setKind(script::SourceKind kind);
    script::SourceKind kind() const;
    void setSource(const QString& text);
    QString source() const;
    /// Name and role of the series "Add" requests (derived series and recipes).
    void setSeriesName(const QString& name);
    QString seriesName() const;
    void setRole(Role role);
    Role role() const;
    /// Shows a definition to edit: kind, source, name and role.
    void showDefinition(const script::DerivedDefinition& definition);
    /// The names already defined: "Add" becomes "Update" for them, and "Remove" is offered.
    void setDefinedNames(const QStringList& names);
    /// Evaluating `name` (defined by `source`) failed on `run`: shown in the status line, and
    /// marked at its line and column while the editor holds that definition (also after a check).
    void showEvaluationProblem(const QString& name, const QString& source, const QString& run, const script::ScriptDiagnostic& problem);
    /// Every evaluation asked for is done: says so, unless a problem was shown meanwhile.
    void evaluationFinished();
    /// The status line: "No problems found.", the problems, or what was last evaluated.
    QString statusText() const;
    /// "line 2, column 10: message" (the position as far as it is known).
    static QString describe(const script::ScriptDiagnostic& problem);

    /// Loads an example by id ("focal", "dice", "uncertainty", "dwa", "remainder"); false if unknown.
    bool loadExample(const QString& id);
    QMenu* examplesMenu() const { return m_examples; }
    /// True when the last completed check is of the current text.
    bool checked() const { return m_upToDate; }
    /// The problems of the last completed check (empty: the source is fine).
    const QList<script::ScriptDiagnostic>& diagnostics() const { return m_diagnostics; }
    /// Milliseconds of typing pause before a check (default 300).
    void setCheckDelay(int milliseconds);
    script::ScriptWorker& worker() const { return *m_worker; }
    QPlainTextEdit* textEdit() const { return m_text; }

public slots:
    /// Emits derivedSeriesRequested or recipeRequested for the current source (when it checks out).
    void requestAdd();

signals:
    /// A derived series to add to the current run(s): evaluate with ScriptWorker::evaluateDerived.
    void derivedSeriesRequested(const QString& name, const QString& source, losslens::Role role,
                                losslens::script::DerivedLanguage language);
    /// A recipe for the total: evaluate with ScriptWorker::evaluateRecipe.
    void recipeRequested(const QString& name, const QString& source);
    /// "Remove" on a defined series.
    void removeRequested(const QString& name);
    /// After each completed check.
    void diagnosticsChanged(const QList<losslens::script::ScriptDiagnostic>& problems);

private:
    void buildExamplesMenu();
    void scheduleCheck();
    void startCheck();
    void showDiagnostics(quint64 request, const QList<script::ScriptDiagnostic>& problems);
    void markProblems(const QList<script::ScriptDiagnostic>& problems);
    /// Shows m_evaluation (status line; marks when the editor holds that definition).
    bool showEvaluation();
    void updateAddButton();

    script::ScriptWorker* m_worker;
    QComboBox* m_kind;
    QLineEdit* m_name;
    QComboBox* m_role;
    QPushButton* m_add;
    QPushButton* m_remove;
    QPlainTextEdit* m_text;
    QLabel* m_status;
    QMenu* m_examples;
    QTimer* m_debounce;
    quint64 m_pending = 0; // the check whose answer counts; older answers are dropped
    bool m_upToDate = false; // m_diagnostics describe the text as it is now
    QList<script::ScriptDiagnostic> m_diagnostics;
    QStringList m_defined;
    struct EvaluationProblem {
        QString name, source, run;
        script::ScriptDiagnostic problem;
    };
    std::optional<EvaluationProblem> m_evaluation; // the last evaluation failure
    QString m_evaluating; // the series "Add" asked for, until it is computed or fails
};

} // namespace losslens::ui
