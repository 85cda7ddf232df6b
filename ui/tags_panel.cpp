#include "ui/tags_panel.h"

#include <QLineEdit>
#include <QMenu>
#include <QRegularExpression>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace losslens::ui {

namespace {

constexpr int kTagRole = Qt::UserRole + 1;

QString roleTitle(Role r)
{
    switch (r) {
    case Role::Component: return QObject::tr("components");
    case Role::Regularization: return QObject::tr("regularization");
    case Role::Total: return QObject::tr("total");
    case Role::Other: return QObject::tr("other");
    }
    return {};
}

} // namespace

TagsPanel::TagsPanel(QWidget* parent) : QWidget(parent), m_filter(new QLineEdit), m_tree(new QTreeWidget)
{
    m_filter->setPlaceholderText(tr("Filter tags (regex)"));
    m_filter->setClearButtonEnabled(true);
    m_filter->setToolTip(tr("Only tags matching this regular expression are plotted"));
    m_tree->setHeaderHidden(true);
    m_tree->setContextMenuPolicy(Qt::CustomContextMenu);
    m_tree->setToolTip(tr("Check the tags to plot; right-click a tag to change its role"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addWidget(m_filter);
    layout->addWidget(m_tree);
    connect(m_filter, &QLineEdit::textChanged, this, [this] {
        rebuild();
        emit changed();
    });
    connect(m_tree, &QTreeWidget::itemChanged, this, [this](QTreeWidgetItem* item) {
        if (m_rebuilding)
            return;
        if (const QString tag = item->data(0, kTagRole).toString(); !tag.isEmpty()) {
            m_checked[tag] = item->checkState(0) == Qt::Checked;
            emit changed();
        }
    });
    // a role or scope node (auto-tristate) changes its leaves one by one; emit once afterwards
    connect(m_tree, &QTreeWidget::itemClicked, this, [this](QTreeWidgetItem* item) {
        if (item->data(0, kTagRole).toString().isEmpty())
            emit changed();
    });
    connect(m_tree, &QTreeWidget::customContextMenuRequested, this, &TagsPanel::showMenu);
}

void TagsPanel::setTags(const QList<std::pair<QString, Role>>& tags)
{
    bool differs = false;
    for (const auto& [tag, role] : tags) {
        if (!m_order.contains(tag)) {
            m_order << tag;
            if (!m_checked.contains(tag))
                m_checked[tag] = role != Role::Other;
            differs = true;
        }
        if (m_roles.value(tag, Role(-1)) != role)
            m_roles[tag] = role, differs = true;
    }
    if (differs)
        rebuild();
}

QStringList TagsPanel::checkedTags() const
{
    const QRegularExpression re(filter(), QRegularExpression::CaseInsensitiveOption);
    QStringList out;
    for (const QString& t : m_order)
        if (m_checked.value(t) && re.match(t).hasMatch())
            out << t;
    return out;
}

void TagsPanel::setChecked(const QString& tag, bool checked)
{
    m_checked[tag] = checked;
    rebuild();
    emit changed();
}

QString TagsPanel::filter() const { return m_filter->text(); }
void TagsPanel::setFilter(const QString& regex) { m_filter->setText(regex); }

void TagsPanel::rebuild()
{
    m_rebuilding = true;
    m_tree->clear();
    const QRegularExpression re(filter(), QRegularExpression::CaseInsensitiveOption);
    for (Role role : {Role::Component, Role::Regularization, Role::Total, Role::Other}) {
        QTreeWidgetItem* roleItem = nullptr;
        QHash<QString, QTreeWidgetItem*> scopes;
        for (const QString& tag : m_order) {
            if (m_roles.value(tag) != role || !re.match(tag).hasMatch())
                continue;
            if (!roleItem) {
                roleItem = new QTreeWidgetItem(m_tree, {roleTitle(role)});
                roleItem->setFlags(roleItem->flags() | Qt::ItemIsUserCheckable | Qt::ItemIsAutoTristate);
                roleItem->setExpanded(role != Role::Other);
            }
            const qsizetype slash = tag.lastIndexOf('/');
            QTreeWidgetItem* parent = roleItem;
            QString label = tag;
            if (slash > 0) {
                const QString scope = tag.left(slash);
                parent = scopes.value(scope);
                if (!parent) {
                    parent = new QTreeWidgetItem(roleItem, {scope + "/"});
                    parent->setFlags(parent->flags() | Qt::ItemIsUserCheckable | Qt::ItemIsAutoTristate);
                    parent->setExpanded(true);
                    scopes[scope] = parent;
                }
                label = tag.mid(slash + 1);
            }
            auto* item = new QTreeWidgetItem(parent, {label});
            item->setData(0, kTagRole, tag);
            item->setToolTip(0, tr("%1 — role: %2 (right-click to change)").arg(tag, roleTitle(role)));
            item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
            item->setCheckState(0, m_checked.value(tag) ? Qt::Checked : Qt::Unchecked);
        }
    }
    m_rebuilding = false;
}

void TagsPanel::showMenu(const QPoint& pos)
{
    const QTreeWidgetItem* item = m_tree->itemAt(pos);
    const QString tag = item ? item->data(0, kTagRole).toString() : QString();
    if (tag.isEmpty())
        return;
    QMenu menu(this);
    QMenu* roles = menu.addMenu(tr("Role of %1").arg(tag));
    for (Role r : {Role::Component, Role::Regularization, Role::Total, Role::Other}) {
        QAction* a = roles->addAction(roleTitle(r), this, [this, tag, r] { emit roleChangeRequested(tag, r); });
        a->setCheckable(true);
        a->setChecked(m_roles.value(tag) == r);
    }
    menu.exec(m_tree->viewport()->mapToGlobal(pos));
}

} // namespace losslens::ui
