#pragma once
// The tags: a tree by role (components, regularization, total, other) and scope ("scene/…"),
// checkable, with a regex filter; a tag's role is changed from its context menu. Derived series
// (computed from the logged ones) are listed with their role too, in italics with an ƒ.

#include "core/runs/role.h"

#include <QHash>
#include <QStringList>
#include <QWidget>

QT_FORWARD_DECLARE_CLASS(QLineEdit)
QT_FORWARD_DECLARE_CLASS(QTreeWidget)
QT_FORWARD_DECLARE_CLASS(QTreeWidgetItem)

namespace losslens::ui {

/// A tag as the store has it now.
struct TagInfo {
    QString tag;
    Role role = Role::Other;
    bool derived = false;
    QString definition; ///< a derived series' expression or script, for its tooltip
};

class TagsPanel : public QWidget {
    Q_OBJECT

public:
    explicit TagsPanel(QWidget* parent = nullptr);

    /// Every tag (a tag no longer listed, such as a removed derived series, disappears). New loss
    /// tags and derived series start checked, others not; check states are remembered by name.
    void setTags(const QList<TagInfo>& tags);
    QStringList tags() const { return m_order; }
    /// Checked tags that match the filter.
    QStringList checkedTags() const;
    void setChecked(const QString& tag, bool checked);
    QHash<QString, bool> checkStates() const { return m_checked; }
    QString filter() const;
    void setFilter(const QString& regex);
    QTreeWidget* tree() const { return m_tree; }
    Role role(const QString& tag) const { return m_roles.value(tag, Role::Other); }
    bool isDerived(const QString& tag) const { return m_derived.contains(tag); }
    /// The tree item of `tag` (null when filtered out or unknown).
    QTreeWidgetItem* item(const QString& tag) const;

signals:
    void changed();
    /// The user picked a role for a tag from the context menu.
    void roleChangeRequested(const QString& tag, Role role);
    /// Context menu of a derived series: open its definition, or remove it.
    void editDerivedRequested(const QString& tag);
    void removeDerivedRequested(const QString& tag);

private:
    void rebuild();
    bool hasDerived(Role role) const;
    void showMenu(const QPoint& pos);

    QLineEdit* m_filter;
    QTreeWidget* m_tree;
    QStringList m_order;
    QHash<QString, Role> m_roles;
    QHash<QString, bool> m_checked;
    QHash<QString, QString> m_derived; // derived tag → its definition
    bool m_rebuilding = false;
};

} // namespace losslens::ui
