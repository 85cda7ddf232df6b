#include "ui/inspector.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

#include <cmath>

namespace losslens::ui {

namespace {

constexpr int kWeightColumn = 6;

QString number(double v) { return std::isfinite(v) ? QString::number(v, 'g', 6) : std::isnan(v) ? QStringLiteral("NaN") : v > 0 ? "+Inf" : "−Inf"; }
QString percent(double v) { return std::isfinite(v) ? QString::number(v * 100, 'f', 1) + " %" : QString(); }

// Sorts numerically by Qt::UserRole.
class NumberItem : public QTableWidgetItem {
public:
    NumberItem(const QString& text, double v) : QTableWidgetItem(text)
    {
        setData(Qt::UserRole, v);
        setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    }
    bool operator<(const QTableWidgetItem& other) const override
    {
        return data(Qt::UserRole).toDouble() < other.data(Qt::UserRole).toDouble();
    }
};

/// The tag cell; a derived series' in italics, as in the tags panel.
QTableWidgetItem* tagItem(const QString& tag, bool derived)
{
    auto* item = new QTableWidgetItem(tag);
    if (derived) {
        QFont font = item->font();
        font.setItalic(true);
        item->setFont(font);
        item->setToolTip(Inspector::tr("%1 is a derived series (View ▸ Script Editor)").arg(tag));
    }
    return item;
}

QTableWidget* makeTable(const QStringList& headers)
{
    auto* t = new QTableWidget(0, int(headers.size()));
    t->setHorizontalHeaderLabels(headers);
    t->verticalHeader()->hide();
    // sized when rows are made, not on every change of a number: a live summary changes 25
    // times a second, and measuring every cell each time took longer than drawing the plot
    t->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    t->setSelectionBehavior(QAbstractItemView::SelectRows);
    t->setAlternatingRowColors(true);
    return t;
}

} // namespace

Inspector::Inspector(QWidget* parent)
    : QTabWidget(parent), m_caption(new QLabel(tr("Hover a chart to inspect a step; click to pin it."))),
      m_atStep(makeTable({tr("run"), tr("tag"), tr("step"), tr("value"), tr("smoothed"), tr("share"), tr("weight")})),
      m_summary(makeTable({tr("run"), tr("tag"), tr("role"), tr("last"), tr("best"), tr("best at step"), tr("mean of last 10 %")}))
{
    auto* page = new QWidget;
    auto* layout = new QVBoxLayout(page);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addWidget(m_caption);
    layout->addWidget(m_atStep);
    m_atStep->setToolTip(tr("Double-click a component's weight to change it: the recomputed total follows"));
    m_atStep->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed);
    m_summary->setSortingEnabled(true);
    m_summary->setEditTriggers(QAbstractItemView::NoEditTriggers);
    addTab(page, tr("At step"));
    addTab(m_summary, tr("Summary"));
    auto* copyAction = new QAction(tr("Copy"), this);
    copyAction->setShortcut(QKeySequence::Copy);
    copyAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(copyAction, &QAction::triggered, this, &Inspector::copy);
    addAction(copyAction);
    for (QTableWidget* t : {m_atStep, m_summary}) {
        t->setContextMenuPolicy(Qt::ActionsContextMenu);
        t->addAction(copyAction);
    }
    connect(m_atStep, &QTableWidget::itemChanged, this, [this](QTableWidgetItem* item) {
        if (m_filling || item->column() != kWeightColumn)
            return;
        bool ok = false;
        const double w = item->text().toDouble(&ok);
        if (ok && std::isfinite(w))
            emit weightChanged(m_atStep->item(item->row(), 1)->text(), w);
    });
}

void Inspector::setRows(const QList<InspectorRow>& rows, bool pinned)
{
    if (QWidget* f = QApplication::focusWidget(); f && f != m_atStep && m_atStep->isAncestorOf(f))
        return; // do not pull the cell from under the user's edit
    m_filling = true;
    m_atStep->setRowCount(int(rows.size()));
    for (int i = 0; i < int(rows.size()); ++i) {
        const InspectorRow& r = rows[i];
        auto* run = new QTableWidgetItem(r.run);
        run->setForeground(r.color);
        const QList<QTableWidgetItem*> cells{run, tagItem(r.tag, m_derived.contains(r.tag)), new NumberItem(QString::number(r.step), double(r.step)),
                                             new NumberItem(number(r.value), r.value), new NumberItem(number(r.smoothed), r.smoothed),
                                             new NumberItem(percent(r.share), r.share), new NumberItem(number(r.weight), r.weight)};
        for (int c = 0; c < int(cells.size()); ++c) {
            if (c != kWeightColumn || r.role != Role::Component)
                cells[c]->setFlags(cells[c]->flags() & ~Qt::ItemIsEditable);
            m_atStep->setItem(i, c, cells[c]);
        }
    }
    m_caption->setText(rows.isEmpty() ? tr("Hover a chart to inspect a step; click to pin it.")
                                      : (pinned ? tr("Pinned at step %1 (click elsewhere to move, Esc to unpin)") : tr("At step %1"))
                                            .arg(QLocale().toString(qlonglong(rows.front().step))));
    m_atStep->resizeColumnsToContents();
    m_filling = false;
}

void Inspector::setSummary(const QList<SummaryRow>& rows)
{
    m_summary->setSortingEnabled(false);
    if (!updateSummary(rows)) {
        m_summary->setRowCount(int(rows.size()));
        for (int i = 0; i < int(rows.size()); ++i) {
            const SummaryRow& r = rows[i];
            m_summary->setItem(i, 0, new QTableWidgetItem(r.run));
            m_summary->setItem(i, 1, tagItem(r.tag, m_derived.contains(r.tag)));
            m_summary->setItem(i, 2, new QTableWidgetItem(QString::fromUtf8(roleName(r.role).data(), qsizetype(roleName(r.role).size()))));
            m_summary->setItem(i, 3, new NumberItem(number(r.stats.last), r.stats.last));
            m_summary->setItem(i, 4, new NumberItem(number(r.stats.best), r.stats.best));
            m_summary->setItem(i, 5, new NumberItem(QString::number(r.stats.bestStep), double(r.stats.bestStep)));
            m_summary->setItem(i, 6, new NumberItem(number(r.stats.meanLast10), r.stats.meanLast10));
        }
        m_summary->resizeColumnsToContents();
    }
    m_summary->setSortingEnabled(true);
}

// The same runs, tags and roles as shown (a live plot growing, 25 times a second): only the
// numbers change, in the rows' current (sorted) places, and the selection stays.
bool Inspector::updateSummary(const QList<SummaryRow>& rows)
{
    if (m_summary->rowCount() != rows.size())
        return false;
    QHash<QString, int> at; // "run\ntag" → table row
    for (int i = 0; i < m_summary->rowCount(); ++i)
        at.insert(m_summary->item(i, 0)->text() + '\n' + m_summary->item(i, 1)->text(), i);
    for (const SummaryRow& r : rows) {
        const int i = at.value(r.run + '\n' + r.tag, -1);
        if (i < 0 || m_summary->item(i, 2)->text() != QString::fromUtf8(roleName(r.role).data(), qsizetype(roleName(r.role).size())))
            return false;
    }
    const auto put = [this](int row, int column, const QString& text, double value) {
        QTableWidgetItem* item = m_summary->item(row, column);
        if (item->data(Qt::UserRole).toDouble() != value || item->text() != text) // NaN ≠ NaN: rewritten, harmlessly
            item->setText(text), item->setData(Qt::UserRole, value);
    };
    for (const SummaryRow& r : rows) {
        const int i = at.value(r.run + '\n' + r.tag);
        put(i, 3, number(r.stats.last), r.stats.last);
        put(i, 4, number(r.stats.best), r.stats.best);
        put(i, 5, QString::number(r.stats.bestStep), double(r.stats.bestStep));
        put(i, 6, number(r.stats.meanLast10), r.stats.meanLast10);
    }
    return true;
}

QString Inspector::tableText(const QTableWidget* table) const
{
    QStringList lines;
    QStringList header;
    for (int c = 0; c < table->columnCount(); ++c)
        header << table->horizontalHeaderItem(c)->text();
    lines << header.join('\t');
    const bool selectionOnly = !table->selectedItems().isEmpty();
    for (int r = 0; r < table->rowCount(); ++r) {
        if (selectionOnly && !table->item(r, 0)->isSelected())
            continue;
        QStringList cells;
        for (int c = 0; c < table->columnCount(); ++c)
            cells << (table->item(r, c) ? table->item(r, c)->text() : QString());
        lines << cells.join('\t');
    }
    return lines.join('\n') + '\n';
}

void Inspector::copy()
{
    QApplication::clipboard()->setText(tableText(currentIndex() == 0 ? m_atStep : m_summary));
}

} // namespace losslens::ui
