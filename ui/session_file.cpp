#include "ui/session_file.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

namespace losslens::ui {

namespace {

QString languageKey(script::DerivedLanguage language)
{
    return language == script::DerivedLanguage::Script ? QStringLiteral("script") : QStringLiteral("expression");
}

QJsonObject derivedJson(const script::DerivedDefinition& d)
{
    QJsonObject json{{"name", QString::fromStdString(d.spec.name)}, {"source", QString::fromStdString(d.spec.source)}};
    if (!d.recipe) {
        json["role"] = QString::fromUtf8(roleName(d.spec.role).data(), qsizetype(roleName(d.spec.role).size()));
        json["language"] = languageKey(d.spec.language);
    }
    return json;
}

/// A definition from the session, or nullopt when it is not one (a hand-edited or damaged file).
std::optional<script::DerivedDefinition> derivedFrom(const QJsonObject& json, bool recipe)
{
    const std::string name = json["name"].toString().toStdString(), source = json["source"].toString().toStdString();
    if (recipe)
        return script::DerivedDefinition::makeRecipe(name, source);
    const QString language = json["language"].toString();
    if (language != "expression" && language != "script")
        return std::nullopt;
    const Role role = parseRole(json["role"].toString().toStdString()).value_or(Role::Other);
    return script::DerivedDefinition{
        {name, source, role, language == "script" ? script::DerivedLanguage::Script : script::DerivedLanguage::Expression}, false};
}

/// `json` parsed with every U+FEFF inside a string escaped. Qt 6.4's parser drops a U+FEFF that
/// starts a string without escapes, and then keeps the object's keys out of order so lookups miss
/// them: a tag named so lost its role override on the next load. JSON allows U+FEFF outside
/// strings only as a leading byte order mark, which stays as it is (Qt skips it).
QJsonDocument parseJson(QByteArray json, QJsonParseError* error = nullptr)
{
    const QByteArray bom("\xEF\xBB\xBF"), escaped("\\ufeff");
    for (qsizetype at = json.indexOf(bom, json.startsWith(bom) ? bom.size() : 0); at >= 0; at = json.indexOf(bom, at)) {
        qsizetype backslashes = 0;
        while (at - backslashes > 0 && json[at - backslashes - 1] == '\\')
            ++backslashes;
        if (backslashes % 2 == 1) { // after a backslash: an invalid escape, left for the parser to refuse
            at += bom.size();
            continue;
        }
        json.replace(at, bom.size(), escaped);
        at += escaped.size();
    }
    return QJsonDocument::fromJson(json, error);
}

/// Keeps definitions that validate, one per name, and the first recipe only.
void addDerived(std::vector<script::DerivedDefinition>& out, std::optional<script::DerivedDefinition> d)
{
    if (!d || d->spec.name.empty() || d->spec.source.find_first_not_of(" \t\r\n") == std::string::npos)
        return;
    for (const auto& existing : out)
        if (existing.spec.name == d->spec.name || (existing.recipe && d->recipe))
            return;
    out.push_back(std::move(*d));
}

} // namespace

QJsonObject SessionState::toJson() const
{
    QJsonObject colorsJson, checks, weightsJson;
    for (auto it = colors.begin(); it != colors.end(); ++it)
        colorsJson[it.key()] = it.value().name();
    for (auto it = tagChecks.begin(); it != tagChecks.end(); ++it)
        checks[it.key()] = it.value();
    for (auto it = weights.begin(); it != weights.end(); ++it)
        weightsJson[it.key()] = it.value();
    QJsonObject json{{"format", "losslens-session"},
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
            {"roles", parseJson(roleOverridesJson.toUtf8()).object()}};
    QJsonArray derivedArray;
    for (const auto& d : derived) {
        if (d.recipe)
            json["recipe"] = derivedJson(d);
        else
            derivedArray.append(derivedJson(d));
    }
    if (!derivedArray.isEmpty())
        json["derived"] = derivedArray;
    return json;
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
    for (const auto& v : json["derived"].toArray())
        addDerived(s.derived, derivedFrom(v.toObject(), false));
    if (json["recipe"].isObject())
        addDerived(s.derived, derivedFrom(json["recipe"].toObject(), true));
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
    const QJsonDocument doc = parseJson(f.readAll(), &parse);
    if (!doc.isObject()) {
        if (error)
            *error = parse.errorString();
        return false;
    }
    return fromJson(doc.object(), state, error);
}

} // namespace losslens::ui
