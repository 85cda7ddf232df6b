#include "ui/chart_view.h"

#include "ui/chart_canvas.h"
#include "ui/curve_layer.h"

#include <QAreaSeries>
#include <QChart>
#include <QCoreApplication>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QGraphicsLineItem>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QScatterSeries>
#include <QScopedValueRollback>
#include <QSet>
#include <QValueAxis>
#include <QVBoxLayout>

#include <cmath>
#include <limits>

namespace losslens::ui {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// A 1, 2 or 5 × 10ⁿ spacing giving about `ticks` ticks over the range: round tick labels.
// Call before setRange: Qt Charts creates the tick items for the old interval first, and a
// 0.2 interval on a 10⁶-wide range is five million items.
void niceTicks(QValueAxis* axis, int ticks, double lo, double hi)
{
    const double span = hi - lo;
    if (!(span > 0) || !std::isfinite(span))
        return;
    const double raw = span / ticks, mag = std::pow(10.0, std::floor(std::log10(raw)));
    const double step = raw / mag < 1.5 ? mag : raw / mag < 3.5 ? 2 * mag : raw / mag < 7.5 ? 5 * mag : 10 * mag;
    axis->setTickType(QValueAxis::TicksDynamic);
    axis->setTickAnchor(0.0);
    axis->setTickInterval(step);
}

bool drawable(double y, bool logY) { return std::isfinite(y) && (!logY || y > 0); }


} // namespace

ChartView::ChartView(QWidget* parent)
    : QWidget(parent), m_chart(new QChart), m_canvas(new ChartCanvas(m_chart, this)), m_crosshair(new QGraphicsLineItem(m_chart)),
      m_layer(new CurveLayer(
          m_chart, [this] { return mapping(); }, [this] { emit linesStale(); })),
      m_crosshairX(std::nan(""))
{
    m_layer->setZValue(50); // above the areas, below the crosshair
    m_canvas->setRenderHint(QPainter::Antialiasing);
    m_chart->legend()->setAlignment(Qt::AlignRight);
    m_chart->legend()->setMarkerShape(QLegend::MarkerShapeFromSeries); // a line's marker shows its dashes
    m_chart->setMargins(QMargins(4, 4, 4, 4));
    m_crosshair->setPen(QPen(QColor(128, 128, 128, 160), 1, Qt::DashLine));
    m_crosshair->setZValue(100);
    m_crosshair->hide();
    ensureAxes({});
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_canvas);
    connect(m_chart, &QChart::plotAreaChanged, this, [this] {
        m_layer->areaChanged();
        setCrosshair(m_crosshairX);
        if (const int columns = plotColumns(); columns != m_columns)
            m_columns = columns, emit plotColumnsChanged(columns);
    });
}

ChartView::~ChartView() = default;

QAbstractAxis* ChartView::xAxis() const { return m_chart->axes(Qt::Horizontal).value(0); }
QAbstractAxis* ChartView::yAxis() const { return m_chart->axes(Qt::Vertical).value(0); }

// Swaps the axis types when the spec asks for others; the series go with them.
void ChartView::ensureAxes(const PlotSpec& spec)
{
    const bool wantTime = spec.xKind == XAxisKind::DateTime;
    QAbstractAxis* x = xAxis();
    QAbstractAxis* y = yAxis();
    const bool xOk = x && (x->type() == QAbstractAxis::AxisTypeDateTime) == wantTime;
    const bool yOk = y && (y->type() == QAbstractAxis::AxisTypeLogValue) == spec.logY;
    if (xOk && yOk)
        return;
    m_chart->removeAllSeries();
    m_lines.clear(), m_others.clear();
    m_gaps = nullptr;
    for (QAbstractAxis* a : m_chart->axes()) {
        m_chart->removeAxis(a);
        delete a;
    }
    if (wantTime) {
        auto* t = new QDateTimeAxis;
        t->setFormat("MM-dd hh:mm");
        x = t;
    } else {
        auto* v = new QValueAxis;
        v->setLabelFormat("%.6g");
        connect(v, &QValueAxis::rangeChanged, this, [v](double lo, double hi) { niceTicks(v, 6, lo, hi); });
        x = v;
    }
    if (spec.logY) {
        auto* l = new QLogValueAxis;
        l->setLabelFormat("%.3g");
        l->setMinorTickCount(-1);
        y = l;
    } else {
        auto* v = new QValueAxis;
        connect(v, &QValueAxis::rangeChanged, this, [v](double lo, double hi) { niceTicks(v, 5, lo, hi); });
        y = v;
    }
    m_chart->addAxis(x, Qt::AlignBottom);
    m_chart->addAxis(y, Qt::AlignLeft);
    const auto changed = [this] {
        if (!m_settingRange)
            userChangedX();
        m_layer->update();
        setCrosshair(m_crosshairX);
    };
    if (auto* v = qobject_cast<QValueAxis*>(x))
        connect(v, &QValueAxis::rangeChanged, this, changed);
    else if (auto* t = qobject_cast<QDateTimeAxis*>(x))
        connect(t, &QDateTimeAxis::rangeChanged, this, changed);
}

QLineSeries* ChartView::takeLine(qsizetype& next)
{
    if (next < m_lines.size())
        return m_lines[next++];
    auto* s = new QLineSeries;
    m_chart->addSeries(s);
    s->attachAxis(xAxis());
    s->attachAxis(yAxis());
    m_lines.append(s);
    ++next;
    return s;
}

// Non-finite values of a line curve: a marker each (on log y, non-positive ones are only gaps).
void ChartView::addGaps(const Curve& c, QList<double>& gapXs) const
{
    for (const QPointF& p : c.points)
        if (!std::isfinite(p.y()))
            gapXs.append(p.x());
}

PlotMapping ChartView::mapping() const
{
    const auto [x0, x1] = xRange();
    const auto [y0, y1] = yRange();
    return {m_chart->plotArea(), x0, x1, y0, y1, yAxis() && yAxis()->type() == QAbstractAxis::AxisTypeLogValue};
}

void ChartView::setPlot(const QList<Curve>& curves, const PlotSpec& spec, bool keepXRange, const PrerenderedCurves& prerendered)
{
    const auto keptX = xRange();
    const QScopedValueRollback<bool> quiet(m_settingRange, true); // our own changes are not the user's zoom
    ensureAxes(spec);
    const bool hasAreas = std::any_of(curves.begin(), curves.end(), [](const Curve& c) { return c.kind == CurveKind::Area; });
    if (hasAreas || !m_others.isEmpty()) { // areas must be drawn under lines: rebuild in order
        m_chart->removeAllSeries();
        m_lines.clear(), m_others.clear();
        m_gaps = nullptr;
    }
    m_curves = curves;
    m_spec = spec;
    m_chart->setTitle(spec.title);
    m_chart->legend()->setAlignment(spec.legendAlignment);
    xAxis()->setTitleText(spec.xTitle);
    yAxis()->setTitleText(spec.yTitle);
    if (auto* v = qobject_cast<QValueAxis*>(yAxis()))
        v->setLabelFormat(spec.yLabelFormat);

    qsizetype next = 0;
    QList<Curve> lines;
    QSet<QString> inLegend;
    QList<double> gapXs;
    const auto showInLegend = [&](QAbstractSeries* s, const QString& legend) {
        const bool show = !legend.isEmpty() && !inLegend.contains(legend);
        inLegend.insert(legend);
        for (QLegendMarker* m : m_chart->legend()->markers(s))
            m->setVisible(show);
    };
    for (const Curve& c : curves) {
        if (c.kind == CurveKind::Area) {
            auto* upper = new QLineSeries, *lower = new QLineSeries;
            QList<QPointF> up, lo;
            for (qsizetype i = 0; i < c.points.size(); ++i) {
                const double base = c.lower.isEmpty() ? (spec.logY ? 1e-300 : 0.0) : c.lower[i].y();
                if (drawable(c.points[i].y(), spec.logY) && std::isfinite(base))
                    up.append(c.points[i]), lo.append(QPointF(c.points[i].x(), base));
            }
            upper->replace(up);
            lower->replace(lo);
            auto* area = new QAreaSeries(upper, lower);
            upper->setParent(area), lower->setParent(area);
            area->setName(c.legend);
            QColor fill = c.color;
            fill.setAlphaF(0.75f);
            area->setBrush(fill);
            area->setPen(QPen(c.color.darker(130), 0.8, c.style));
            m_chart->addSeries(area);
            area->attachAxis(xAxis());
            area->attachAxis(yAxis());
            m_others.append(area);
            showInLegend(area, c.legend);
            continue;
        }
        addGaps(c, gapXs);
        lines.append(c);
        if (!c.legend.isEmpty() && !inLegend.contains(c.legend)) { // an empty series carries the legend
            QLineSeries* s = takeLine(next);
            s->setName(c.legend);
            s->setPen(QPen(c.color, c.width, c.style));
            showInLegend(s, c.legend);
        }
    }
    for (const auto& [label, style] : spec.lineStyleKey)
        if (!inLegend.contains(label)) {
            QLineSeries* s = takeLine(next);
            s->setName(label);
            s->setPen(QPen(m_chart->legend()->labelColor(), 1.5, style)); // the theme's text colour
            showInLegend(s, label);
        }
    while (m_lines.size() > next) { // series no longer needed
        QLineSeries* s = m_lines.takeLast();
        m_chart->removeSeries(s);
        delete s;
    }
    m_layer->setCurves(std::move(lines));
    const FittedRanges fitted = fitAxes(keepXRange);
    if (keepXRange)
        setXRange(keptX.first, keptX.second);
    // new legend markers only show once the legend is laid out (a posted event): do it now, so a
    // grab or render right after setPlot has its legend
    QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
    if (!prerendered.image.isNull() && prerendered.ranges == fitted) { // drawn for the area it was built for
        PlotMapping drawnFor = mapping();
        drawnFor.area.setSize(prerendered.area);
        m_layer->setPrerendered(prerendered.image, drawnFor, prerendered.scale);
    }

    // NaN/Inf: a marker at the bottom of the plot, never a broken axis
    if (!gapXs.isEmpty()) {
        if (!m_gaps) {
            m_gaps = new QScatterSeries;
            m_gaps->setMarkerShape(QScatterSeries::MarkerShapeTriangle);
            m_gaps->setMarkerSize(9);
            m_gaps->setColor(QColor(0xd6, 0x27, 0x28));
            m_gaps->setBorderColor(Qt::transparent);
            m_gaps->setName(tr("NaN/Inf"));
            m_chart->addSeries(m_gaps);
            m_gaps->attachAxis(xAxis());
            m_gaps->attachAxis(yAxis());
        }
        const auto [y0, y1] = yRange();
        const double y = spec.logY ? y0 * std::pow(y1 / y0, 0.02) : y0 + (y1 - y0) * 0.02;
        QList<QPointF> marks;
        for (double x : gapXs)
            marks.append(QPointF(x, y));
        m_gaps->replace(marks);
    } else if (m_gaps) {
        m_chart->removeSeries(m_gaps);
        delete m_gaps;
        m_gaps = nullptr;
    }
}

FittedRanges ChartView::fitRanges(const QList<Curve>& curves, const PlotSpec& spec, std::optional<std::pair<double, double>> visibleX)
{
    double x0 = kInf, x1 = -kInf;
    for (const Curve& c : curves)
        for (const QPointF& p : c.points)
            if (drawable(p.y(), spec.logY))
                x0 = std::min(x0, p.x()), x1 = std::max(x1, p.x());
    if (x0 > x1)
        x0 = 0, x1 = 1;
    if (x1 == x0)
        x1 = x0 + 1;
    // Not a structured binding: clang before 16 cannot capture one in a lambda.
    const std::pair<double, double> visible = visibleX.value_or(std::pair{x0, x1});
    const double vx0 = visible.first, vx1 = visible.second;
    double y0 = kInf, y1 = -kInf;
    const auto take = [&](const QList<QPointF>& pts) {
        for (const QPointF& p : pts)
            if (p.x() >= vx0 && p.x() <= vx1 && drawable(p.y(), spec.logY))
                y0 = std::min(y0, p.y()), y1 = std::max(y1, p.y());
    };
    for (const Curve& c : curves)
        take(c.points), take(c.lower);
    if (spec.yRange && std::isfinite(spec.yRange->first) && spec.yRange->second > spec.yRange->first)
        y0 = spec.yRange->first, y1 = spec.yRange->second;
    if (y0 > y1)
        y0 = spec.logY ? 0.1 : 0.0, y1 = 1.0;
    if (spec.logY) {
        y0 /= 1.25, y1 *= 1.25;
    } else {
        const double pad = (y1 - y0) * 0.05 + (y1 == y0 ? std::max(1e-12, std::abs(y0) * 0.05) : 0.0);
        y0 = y0 >= 0 && y0 - pad < 0 ? 0.0 : y0 - pad; // losses are ≥ 0: no axis below zero for padding's sake
        y1 += pad;
    }
    return {{x0, x1}, vx0, vx1, y0, y1};
}

PrerenderedCurves ChartView::prerender(const QList<Curve>& curves, const PlotSpec& spec, std::optional<std::pair<double, double>> visibleX,
                                       QSizeF area, qreal scale)
{
    QList<Curve> lines;
    for (const Curve& c : curves)
        if (c.kind == CurveKind::Line)
            lines.append(c);
    if (!CurveLayer::dense(lines, area.width()) || area.isEmpty())
        return {};
    const FittedRanges r = fitRanges(curves, spec, visibleX);
    const QImage image = CurveLayer::rasterize(lines, {QRectF(QPointF(), area), r.x0, r.x1, r.y0, r.y1, spec.logY}, scale, CurveLayer::Threads::All);
    return {image, area, scale, r};
}

QSizeF ChartView::plotAreaSize() const { return m_chart->plotArea().size(); }

FittedRanges ChartView::fitAxes(bool keepX)
{
    const FittedRanges r = fitRanges(m_curves, m_spec, keepX ? std::optional(xRange()) : std::nullopt);
    m_dataX = r.dataX;
    const QScopedValueRollback<bool> quiet(m_settingRange, true);
    setXRange(r.x0, r.x1);
    if (auto* v = qobject_cast<QValueAxis*>(yAxis()))
        niceTicks(v, 5, r.y0, r.y1);
    yAxis()->setRange(r.y0, r.y1);
    m_layer->update();
    return r;
}

QStringList ChartView::curveNames() const
{
    QStringList names;
    for (const Curve& c : m_curves)
        names << c.name;
    return names;
}

qsizetype ChartView::drawnPointCount(const QString& name) const
{
    qsizetype n = m_layer->pointCount(name);
    for (const Curve& c : m_curves)
        if (c.name == name && c.kind == CurveKind::Area)
            n = std::max<qsizetype>(n, 0) + c.points.size();
    return n;
}

qsizetype ChartView::gapMarkerCount() const { return m_gaps ? m_gaps->count() : 0; }

QStringList ChartView::legendEntries() const
{
    QStringList out;
    for (QLegendMarker* m : m_chart->legend()->markers())
        if (m->isVisible())
            out << m->label();

    return out;
}

std::pair<double, double> ChartView::xRange() const
{
    const QAbstractAxis* x = xAxis();
    if (auto* v = qobject_cast<const QValueAxis*>(x))
        return {v->min(), v->max()};
    if (auto* t = qobject_cast<const QDateTimeAxis*>(x))
        return {double(t->min().toMSecsSinceEpoch()), double(t->max().toMSecsSinceEpoch())};
    return {0, 1};
}

std::pair<double, double> ChartView::yRange() const
{
    const QAbstractAxis* y = yAxis();
    if (auto* v = qobject_cast<const QValueAxis*>(y))
        return {v->min(), v->max()};
    if (auto* l = qobject_cast<const QLogValueAxis*>(y))
        return {l->min(), l->max()};
    return {0, 1};
}

void ChartView::setXRange(double from, double to)
{
    const bool was = m_settingRange;
    m_settingRange = true;
    if (xAxis()->type() == QAbstractAxis::AxisTypeDateTime)
        xAxis()->setRange(QDateTime::fromMSecsSinceEpoch(qint64(from)), QDateTime::fromMSecsSinceEpoch(qint64(to)));
    else {
        if (auto* v = qobject_cast<QValueAxis*>(xAxis()))
            niceTicks(v, 6, from, to);
        xAxis()->setRange(from, to);
    }
    m_settingRange = was;
}

void ChartView::resetZoom()
{
    fitAxes(false);
    userChangedX();
}

void ChartView::userChangedX()
{
    const auto [from, to] = xRange();
    emit xRangeChanged(from, to);
}

int ChartView::plotColumns() const
{
    const int w = int(m_chart->plotArea().width());
    return w > 10 ? w : std::max(100, width() - 150);
}

void ChartView::setCrosshair(double x)
{
    m_crosshairX = x;
    const auto [from, to] = xRange();
    if (!std::isfinite(x) || x < from || x > to || m_curves.isEmpty()) {
        m_crosshair->hide();
        return;
    }
    const QRectF area = m_chart->plotArea();
    const double px = area.left() + (x - from) / (to - from) * area.width();
    m_crosshair->setLine(px, area.top(), px, area.bottom());
    m_crosshair->show();
}

void ChartView::setDark(bool dark)
{
    m_chart->setTheme(dark ? QChart::ChartThemeDark : QChart::ChartThemeLight);
    setPlot(QList<Curve>(m_curves), PlotSpec(m_spec), true); // the theme resets series pens
}

void ChartView::render(QPainter* painter, const QRectF& target)
{
    m_crosshair->hide();
    m_canvas->render(painter, target, m_canvas->viewport()->rect());
    setCrosshair(m_crosshairX);
}

} // namespace losslens::ui
