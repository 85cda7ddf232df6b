#include "ui/tags_panel.h"

#include <QLineEdit>
#include <QMenu>
#include <QPainter>
#include <QRegularExpression>
#include <QTreeWidget>
#include <QTreeWidgetItemIterator>
#include <QVBoxLayout>

#include <algorithm>

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

/// An "ƒ" in the item's colour: derived at a glance, without a resource file.
QIcon derivedIcon(const QColor& color)
{
    QPixmap pixmap(32, 32);
    pixmap.setDevicePixelRatio(2.0);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    QFont font(QStringLiteral("serif"));
    font.setPixelSize(15);
    font.setItalic(true);
    painter.setFont(font);
    painter.setPen(color);
    painter.drawText(QRectF(0, 0, 16, 16), Qt::AlignCenter, QStringLiteral("ƒ"));
    return QIcon(pixmap);
}

/// Italics and an ƒ: a derived series is computed here, not read from the log.
void markDerived(QTreeWidgetItem& item, const QString& tag, const QString& definition)
{
    QFont font = item.font(0);
    font.setItalic(true);
    item.setFont(0, font);
    item.setIcon(0, derivedIcon(item.treeWidget()->palette().color(QPalette::Text)));
    item.setToolTip(0, QObject::tr("%1 — derived: %2\n(right-click to edit, remove or change its role)").arg(tag, definition.left(200)));
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

void TagsPanel::setTags(const QList<TagInfo>& tags)
{
    QStringList order;
    QHash<QString, Role> roles;
    QHash<QString, QString> derived;
    for (const TagInfo& t : tags) {
        order << t.tag;
        roles[t.tag] = t.role;
        if (t.derived)
            derived[t.tag] = t.definition;
        if (!m_checked.contains(t.tag))
            m_checked[t.tag] = t.role != Role::Other || t.derived;
    }
    if (order == m_order && roles == m_roles && derived == m_derived)
        return;
    m_order = std::move(order), m_roles = std::move(roles), m_derived = std::move(derived);
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
                roleItem->setExpanded(role != Role::Other || hasDerived(role)); // metrics stay folded, derived series not
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
            if (m_derived.contains(tag))
                markDerived(*item, tag, m_derived.value(tag));
            item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
            item->setCheckState(0, m_checked.value(tag) ? Qt::Checked : Qt::Unchecked);
        }
    }
    m_rebuilding = false;
}

bool TagsPanel::hasDerived(Role role) const
{
    return std::any_of(m_derived.keyBegin(), m_derived.keyEnd(), [&](const QString& tag) { return m_roles.value(tag) == role; });
}

QTreeWidgetItem* TagsPanel::item(const QString& tag) const
{
    for (QTreeWidgetItemIterator it(m_tree); *it; ++it)
        if ((*it)->data(0, kTagRole).toString() == tag)
            return *it;
    return nullptr;
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
    if (isDerived(tag)) {
        menu.addSeparator();
        menu.addAction(tr("Edit %1 in the Script Editor").arg(tag), this, [this, tag] { emit editDerivedRequested(tag); });
        menu.addAction(tr("Remove derived series %1").arg(tag), this, [this, tag] { emit removeDerivedRequested(tag); });
    }
    menu.exec(m_tree->viewport()->mapToGlobal(pos));
}

} // namespace losslens::ui
