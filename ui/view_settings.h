#pragma once
// What the user chose to see: the view, the smoothing, the axes, and which runs and tags.

#include "core/analysis/smoothing.h"

#include <QColor>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QStringList>

namespace losslens::ui {

enum class ViewKind { Curves, Breakdown, Share, Balance, Compare };
enum class XAxisMode { Step, Relative, Wall };
enum class ColorBy { Tag, Run };

QString viewKey(ViewKind view);   ///< "curves", "breakdown", "share", "balance", "compare"
bool parseView(const QString& key, ViewKind* view);
QString xAxisKey(XAxisMode mode); ///< "step", "relative", "wall"
bool parseXAxis(const QString& key, XAxisMode* mode);

struct ViewSettings {
    ViewKind view = ViewKind::Curves;
    double smoothing = 0.6; ///< TensorBoard's default
    analysis::SmoothingKind smoothingKind = analysis::SmoothingKind::Ema;
    XAxisMode xAxis = XAxisMode::Step;
    bool logY = false;
    bool ignoreOutliers = false;
    bool showRaw = true; ///< the raw curve drawn faintly behind the smoothed one
    ColorBy colorBy = ColorBy::Tag;
    bool compareDifference = false; ///< Compare: first checked run minus the second
    int epochSteps = 50;            ///< Task balance: steps per epoch for Dynamic Weight Average
    bool dark = false;

    QJsonObject toJson() const;
    static ViewSettings fromJson(const QJsonObject& json);
    bool operator==(const ViewSettings&) const = default;
};

/// Which runs and tags are shown and how runs look.
struct Selection {
    QStringList runs;                 ///< checked runs, in store order
    QStringList tags;                 ///< checked tags
    QHash<QString, QColor> runColors; ///< every run's colour
    QList<QStringList> groups;        ///< checked runs grouped by the grouping regex (singletons when none)
    QStringList groupNames;           ///< one per group
    QString focusRun;                 ///< the run the Breakdown and Task balance views show
    QHash<QString, double> weights;   ///< user weight per component tag (absent: 1)
};

} // namespace losslens::ui
