#include "ui/runs_panel.h"

#include <QColorDialog>
#include <QHeaderView>
#include <QLineEdit>
#include <QPainter>
#include <QRegularExpression>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <array>

namespace losslens::ui {

namespace {

constexpr std::array<QRgb, 10> kRunPalette{0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd,
                                          0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf};
constexpr int kRunRole = Qt::UserRole + 1;

QIcon swatch(const QColor& color)
{
    QPixmap pm(14, 14);
    pm.fill(Qt::transparent);
    QPainter p(&pm);
    p.setPen(color.darker(140));
    p.setBrush(color);
    p.drawRoundedRect(QRectF(0.5, 0.5, 13, 13), 3, 3);
    return QIcon(pm);
}

QRegularExpression regex(const QString& pattern)
{
    return QRegularExpression(pattern, QRegularExpression::CaseInsensitiveOption);
}

} // namespace

RunsPanel::RunsPanel(QWidget* parent) : QWidget(parent), m_filter(new QLineEdit), m_group(new QLineEdit), m_tree(new QTreeWidget)
{
    m_filter->setPlaceholderText(tr("Filter runs (regex)"));
    m_filter->setClearButtonEnabled(true);
    m_filter->setToolTip(tr("Only runs whose name matches this regular expression are listed and plotted"));
    m_group->setPlaceholderText(tr("Group runs by regex, e.g. (.*)-seed\\d+"));
    m_group->setClearButtonEnabled(true);
    m_group->setToolTip(tr("Runs with the same first capture group form a group: Compare draws it as mean line and min–max band"));
    m_tree->setHeaderHidden(true);
    m_tree->setRootIsDecorated(true);
    m_tree->setToolTip(tr("Check the runs to plot; double-click a swatch to change a run's colour"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addWidget(m_filter);
    layout->addWidget(m_group);
    layout->addWidget(m_tree);
    connect(m_filter, &QLineEdit::textChanged, this, [this] {
        rebuild();
        emit changed();
    });
    connect(m_group, &QLineEdit::textChanged, this, [this] {
        rebuild();
        emit changed();
    });
    connect(m_tree, &QTreeWidget::itemChanged, this, [this](QTreeWidgetItem* item) {
        if (m_rebuilding)
            return;
        if (const QString run = item->data(0, kRunRole).toString(); !run.isEmpty())
            m_checked[run] = item->checkState(0) == Qt::Checked;
        else // a group: (un)check its runs
            for (int i = 0; i < item->childCount(); ++i)
                m_checked[item->child(i)->data(0, kRunRole).toString()] = item->checkState(0) == Qt::Checked;
        rebuild();
        emit changed();
    });
    connect(m_tree, &QTreeWidget::itemDoubleClicked, this, &RunsPanel::chooseColor);
    connect(m_tree, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem* item) {
        if (m_rebuilding || !item || item->data(0, kRunRole).toString().isEmpty())
            return;
        m_focus = item->data(0, kRunRole).toString();
        emit focusChanged();
    });
}

void RunsPanel::setRuns(const QStringList& runs, const QStringList& tooltips)
{
    bool added = false;
    for (qsizetype i = 0; i < runs.size(); ++i) {
        if (m_runs.contains(runs[i]))
            continue;
        m_runs << runs[i];
        m_tooltips[runs[i]] = tooltips.value(i);
        if (!m_checked.contains(runs[i]))
            m_checked[runs[i]] = true;
        if (!m_colors.contains(runs[i]))
            m_colors[runs[i]] = QColor::fromRgb(kRunPalette[std::size_t(m_runs.size() - 1) % kRunPalette.size()]);
        added = true;
    }
    if (added)
        rebuild();
}

QStringList RunsPanel::checkedRuns() const
{
    const auto re = regex(filter());
    QStringList out;
    for (const QString& r : m_runs)
        if (m_checked.value(r) && re.match(r).hasMatch())
            out << r;
    return out;
}

void RunsPanel::setChecked(const QString& run, bool checked)
{
    m_checked[run] = checked;
    rebuild();
    emit changed();
}

void RunsPanel::setColor(const QString& run, const QColor& color)
{
    m_colors[run] = color;
    rebuild();
    emit changed();
}

QList<QStringList> RunsPanel::groups(QStringList* names) const
{
    QList<QStringList> out;
    QStringList keys;
    const auto re = regex(groupRegex());
    for (const QString& r : checkedRuns()) {
        QString key = r;
        if (!groupRegex().isEmpty() && re.isValid())
            if (const auto m = re.match(r); m.hasMatch())
                key = m.lastCapturedIndex() >= 1 ? m.captured(1) : m.captured(0);
        const qsizetype at = keys.indexOf(key);
        if (at < 0)
            keys << key, out << QStringList{r};
        else
            out[at] << r;
    }
    if (names)
        *names = keys;
    return out;
}

QString RunsPanel::focusRun() const
{
    const QStringList checked = checkedRuns();
    return checked.contains(m_focus) ? m_focus : checked.value(0);
}

void RunsPanel::setFocusRun(const QString& run)
{
    m_focus = run;
    emit focusChanged();
}

QString RunsPanel::filter() const { return m_filter->text(); }
void RunsPanel::setFilter(const QString& regex) { m_filter->setText(regex); }
QString RunsPanel::groupRegex() const { return m_group->text(); }
void RunsPanel::setGroupRegex(const QString& regex) { m_group->setText(regex); }

void RunsPanel::rebuild()
{
    m_rebuilding = true;
    m_tree->clear();
    const auto re = regex(filter());
    const auto groupRe = regex(groupRegex());
    QHash<QString, QTreeWidgetItem*> groupItems;
    for (const QString& r : m_runs) {
        if (!re.match(r).hasMatch())
            continue;
        QTreeWidgetItem* parent = nullptr;
        if (!groupRegex().isEmpty() && groupRe.isValid())
            if (const auto m = groupRe.match(r); m.hasMatch()) {
                const QString key = m.lastCapturedIndex() >= 1 ? m.captured(1) : m.captured(0);
                parent = groupItems.value(key);
                if (!parent) {
                    parent = new QTreeWidgetItem(m_tree, {key});
                    parent->setFlags(parent->flags() | Qt::ItemIsUserCheckable | Qt::ItemIsAutoTristate);
                    parent->setExpanded(true);
                    groupItems[key] = parent;
                }
            }
        auto* item = parent ? new QTreeWidgetItem(parent, {r}) : new QTreeWidgetItem(m_tree, {r});
        item->setData(0, kRunRole, r);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(0, m_checked.value(r) ? Qt::Checked : Qt::Unchecked);
        item->setIcon(0, swatch(m_colors.value(r)));
        item->setToolTip(0, m_tooltips.value(r).isEmpty() ? r : m_tooltips.value(r));
        if (r == m_focus)
            m_tree->setCurrentItem(item);
    }
    m_rebuilding = false;
}

void RunsPanel::chooseColor(QTreeWidgetItem* item)
{
    const QString run = item->data(0, kRunRole).toString();
    if (run.isEmpty())
        return;
    const QColor c = QColorDialog::getColor(m_colors.value(run), this, tr("Colour of %1").arg(run));
    if (c.isValid())
        setColor(run, c);
}

} // namespace losslens::ui
