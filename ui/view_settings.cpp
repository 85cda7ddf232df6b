#include "ui/view_settings.h"

#include <array>

namespace losslens::ui {

namespace {
constexpr std::array kViews{"curves", "breakdown", "share", "balance", "compare"};
constexpr std::array kAxes{"step", "relative", "wall"};
} // namespace

QString viewKey(ViewKind view) { return kViews[std::size_t(view)]; }
QString xAxisKey(XAxisMode mode) { return kAxes[std::size_t(mode)]; }

bool parseView(const QString& key, ViewKind* view)
{
    for (std::size_t i = 0; i < kViews.size(); ++i)
        if (key == QLatin1String(kViews[i]))
            return *view = ViewKind(i), true;
    return false;
}

bool parseXAxis(const QString& key, XAxisMode* mode)
{
    for (std::size_t i = 0; i < kAxes.size(); ++i)
        if (key == QLatin1String(kAxes[i]))
            return *mode = XAxisMode(i), true;
    return false;
}

QJsonObject ViewSettings::toJson() const
{
    return {{"view", viewKey(view)},
            {"smoothing", smoothing},
            {"smoothingKind", smoothingKind == analysis::SmoothingKind::Ema ? "ema" : "time"},
            {"xAxis", xAxisKey(xAxis)},
            {"logY", logY},
            {"ignoreOutliers", ignoreOutliers},
            {"showRaw", showRaw},
            {"colorBy", colorBy == ColorBy::Tag ? "tag" : "run"},
            {"compareDifference", compareDifference},
            {"epochSteps", epochSteps},
            {"dark", dark}};
}

ViewSettings ViewSettings::fromJson(const QJsonObject& json)
{
    ViewSettings s;
    parseView(json["view"].toString(), &s.view);
    s.smoothing = std::clamp(json["smoothing"].toDouble(s.smoothing), 0.0, 0.999);
    s.smoothingKind = json["smoothingKind"].toString() == "time" ? analysis::SmoothingKind::TimeWeighted : analysis::SmoothingKind::Ema;
    parseXAxis(json["xAxis"].toString(), &s.xAxis);
    s.logY = json["logY"].toBool();
    s.ignoreOutliers = json["ignoreOutliers"].toBool();
    s.showRaw = json["showRaw"].toBool(true);
    s.colorBy = json["colorBy"].toString() == "run" ? ColorBy::Run : ColorBy::Tag;
    s.compareDifference = json["compareDifference"].toBool();
    s.epochSteps = std::max(1, json["epochSteps"].toInt(s.epochSteps));
    s.dark = json["dark"].toBool();
    return s;
}

} // namespace losslens::ui
