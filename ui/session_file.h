#pragma once
// A saved session (`.losslens`, JSON): everything needed to see the same charts again.
//   {"format": "losslens-session", "version": 1, "sources": [...], "runs": {"filter", "group",
//    "unchecked": [...], "colors": {run: "#rrggbb"}, "focus"}, "tags": {"filter", "checked": {tag: bool}},
//    "view": {ViewSettings}, "weights": {tag: w}, "roles": {RoleOverrides JSON},
//    "derived": [{"name", "role", "language": "expression" | "script", "source"}],
//    "recipe": {"name", "source"}}   (the last two only when there are some)

#include "core/script/derived_series_model.h"
#include "ui/view_settings.h"

#include <QHash>
#include <QJsonObject>
#include <QStringList>

namespace losslens::ui {

struct SessionState {
    QStringList sources;
    QString runFilter, groupRegex, focusRun;
    QStringList uncheckedRuns;
    QHash<QString, QColor> colors;
    QString tagFilter;
    QHash<QString, bool> tagChecks;
    ViewSettings view;
    QHash<QString, double> weights;
    QString roleOverridesJson; ///< RoleOverrides::toJson()
    /// Derived series, in the order they were defined, and at most one recipe (recipe = true).
    std::vector<script::DerivedDefinition> derived;

    QJsonObject toJson() const;
    /// False (with `error`) when it is not a LossLens session.
    static bool fromJson(const QJsonObject& json, SessionState* state, QString* error);
    bool save(const QString& path, QString* error = nullptr) const;
    static bool load(const QString& path, SessionState* state, QString* error = nullptr);
};

} // namespace losslens::ui
