#pragma once
// The tags: a tree by role (components, regularization, total, other) and scope ("scene/…"),
// checkable, with a regex filter; a tag's role is changed from its context menu.

#include "core/runs/role.h"

#include <QHash>
#include <QStringList>
#include <QWidget>

QT_FORWARD_DECLARE_CLASS(QLineEdit)
QT_FORWARD_DECLARE_CLASS(QTreeWidget)

namespace losslens::ui {

class TagsPanel : public QWidget {
    Q_OBJECT

public:
    explicit TagsPanel(QWidget* parent = nullptr);

    /// Every tag with its role (as the store says now). New loss tags start checked, others not.
    void setTags(const QList<std::pair<QString, Role>>& tags);
    /// Checked tags that match the filter.
    QStringList checkedTags() const;
    void setChecked(const QString& tag, bool checked);
    QHash<QString, bool> checkStates() const { return m_checked; }
    QString filter() const;
    void setFilter(const QString& regex);
    QTreeWidget* tree() const { return m_tree; }
    Role role(const QString& tag) const { return m_roles.value(tag, Role::Other); }

signals:
    void changed();
    /// The user picked a role for a tag from the context menu.
    void roleChangeRequested(const QString& tag, Role role);

private:
    void rebuild();
    void showMenu(const QPoint& pos);

    QLineEdit* m_filter;
    QTreeWidget* m_tree;
    QStringList m_order;
    QHash<QString, Role> m_roles;
    QHash<QString, bool> m_checked;
    bool m_rebuilding = false;
};

} // namespace losslens::ui
