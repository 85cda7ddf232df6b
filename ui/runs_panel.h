#pragma once
// The runs: checkable, with an editable colour swatch each, a regex filter, and grouping of runs
// by a regex (e.g. "(.*)-seed\d+" puts the seeds of one config together).

#include <QColor>
#include <QHash>
#include <QStringList>
#include <QWidget>

QT_FORWARD_DECLARE_CLASS(QLineEdit)
QT_FORWARD_DECLARE_CLASS(QTreeWidget)
QT_FORWARD_DECLARE_CLASS(QTreeWidgetItem)

namespace losslens::ui {

class RunsPanel : public QWidget {
    Q_OBJECT

public:
    explicit RunsPanel(QWidget* parent = nullptr);

    /// Adds the runs not listed yet (checked, with the next palette colour); keeps the others' state.
    void setRuns(const QStringList& runs, const QStringList& tooltips = {});
    QStringList runs() const { return m_runs; }
    /// Checked runs that match the filter, in the order they were added.
    QStringList checkedRuns() const;
    void setChecked(const QString& run, bool checked);
    QColor color(const QString& run) const { return m_colors.value(run); }
    QHash<QString, QColor> colors() const { return m_colors; }
    void setColor(const QString& run, const QColor& color);
    /// Checked runs grouped by the grouping regex: the first capture group (else the match)
    /// names the group; runs it does not match are groups of their own.
    QList<QStringList> groups(QStringList* names = nullptr) const;
    /// The current run if it is checked, else the first checked run.
    QString focusRun() const;
    void setFocusRun(const QString& run);

    QString filter() const;
    void setFilter(const QString& regex);
    QString groupRegex() const;
    void setGroupRegex(const QString& regex);
    QTreeWidget* tree() const { return m_tree; }

signals:
    void changed();
    void focusChanged();

private:
    void rebuild();
    void chooseColor(QTreeWidgetItem* item);

    QLineEdit* m_filter;
    QLineEdit* m_group;
    QTreeWidget* m_tree;
    QStringList m_runs;
    QHash<QString, QString> m_tooltips;
    QHash<QString, bool> m_checked;
    QHash<QString, QColor> m_colors;
    QString m_focus;
    bool m_rebuilding = false;
};

} // namespace losslens::ui
