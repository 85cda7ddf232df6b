#include "ui/session_file.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

namespace losslens::ui {

QJsonObject SessionState::toJson() const
{
    QJsonObject colorsJson, checks, weightsJson;
    for (auto it = colors.begin(); it != colors.end(); ++it)
        colorsJson[it.key()] = it.value().name();
    for (auto it = tagChecks.begin(); it != tagChecks.end(); ++it)
        checks[it.key()] = it.value();
    for (auto it = weights.begin(); it != weights.end(); ++it)
        weightsJson[it.key()] = it.value();
    return {{"format", "losslens-session"},
            {"version", 1},
            {"sources", QJsonArray::fromStringList(sources)},
            {"runs", QJsonObject{{"filter", runFilter},
                                 {"group", groupRegex},
                                 {"focus", focusRun},
                                 {"unchecked", QJsonArray::fromStringList(uncheckedRuns)},
                                 {"colors", colorsJson}}},
            {"tags", QJsonObject{{"filter", tagFilter}, {"checked", checks}}},
            {"view", view.toJson()},
            {"weights", weightsJson},
            {"roles", QJsonDocument::fromJson(roleOverridesJson.toUtf8()).object()}};
}

bool SessionState::fromJson(const QJsonObject& json, SessionState* state, QString* error)
{
    if (json["format"].toString() != "losslens-session") {
        if (error)
            *error = QObject::tr("not a LossLens session (no \"format\": \"losslens-session\")");
        return false;
    }
    SessionState s;
    for (const auto& v : json["sources"].toArray())
        s.sources << v.toString();
    const QJsonObject runs = json["runs"].toObject();
    s.runFilter = runs["filter"].toString();
    s.groupRegex = runs["group"].toString();
    s.focusRun = runs["focus"].toString();
    for (const auto& v : runs["unchecked"].toArray())
        s.uncheckedRuns << v.toString();
    const QJsonObject colorsJson = runs["colors"].toObject();
    for (auto it = colorsJson.begin(); it != colorsJson.end(); ++it)
        s.colors[it.key()] = QColor(it.value().toString());
    const QJsonObject tags = json["tags"].toObject();
    s.tagFilter = tags["filter"].toString();
    const QJsonObject checks = tags["checked"].toObject();
    for (auto it = checks.begin(); it != checks.end(); ++it)
        s.tagChecks[it.key()] = it.value().toBool();
    s.view = ViewSettings::fromJson(json["view"].toObject());
    const QJsonObject weightsJson = json["weights"].toObject();
    for (auto it = weightsJson.begin(); it != weightsJson.end(); ++it)
        s.weights[it.key()] = it.value().toDouble(1.0);
    if (json.contains("roles"))
        s.roleOverridesJson = QString::fromUtf8(QJsonDocument(json["roles"].toObject()).toJson(QJsonDocument::Compact));
    *state = std::move(s);
    return true;
}

bool SessionState::save(const QString& path, QString* error) const
{
    QSaveFile f(path);
    const QByteArray bytes = QJsonDocument(toJson()).toJson();
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size() || !f.commit()) {
        if (error)
            *error = f.errorString();
        return false;
    }
    return true;
}

bool SessionState::load(const QString& path, SessionState* state, QString* error)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        if (error)
            *error = f.errorString();
        return false;
    }
    QJsonParseError parse;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &parse);
    if (!doc.isObject()) {
        if (error)
            *error = parse.errorString();
        return false;
    }
    return fromJson(doc.object(), state, error);
}

} // namespace losslens::ui
