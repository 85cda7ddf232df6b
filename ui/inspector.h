#pragma once
// The inspector: every visible series at the hovered or pinned step (value, smoothed value, share,
// weight — editable for components) and a sortable, copyable summary per run × loss tag.

#include "ui/plot_builder.h"

#include <QSet>
#include <QTabWidget>

QT_FORWARD_DECLARE_CLASS(QLabel)
QT_FORWARD_DECLARE_CLASS(QTableWidget)

namespace losslens::ui {

class Inspector : public QTabWidget {
    Q_OBJECT

public:
    explicit Inspector(QWidget* parent = nullptr);

    /// Shows the rows at a step; `pinned` says whether a click fixed it.
    void setRows(const QList<InspectorRow>& rows, bool pinned);
    void setSummary(const QList<SummaryRow>& rows);
    /// Tags of derived series: their rows show in italics (set before the rows).
    void setDerivedTags(const QSet<QString>& tags) { m_derived = tags; }
    QTableWidget* atStep() const { return m_atStep; }
    QTableWidget* summary() const { return m_summary; }
    /// The visible table as tab-separated text (what Copy puts on the clipboard).
    QString tableText(const QTableWidget* table) const;
    void copy();

signals:
    void weightChanged(const QString& tag, double weight);

private:
    bool updateSummary(const QList<SummaryRow>& rows);
    QLabel* m_caption;
    QTableWidget* m_atStep;
    QTableWidget* m_summary;
    QSet<QString> m_derived;
    bool m_filling = false;
};

} // namespace losslens::ui
