#include "ui/chart_canvas.h"

#include "ui/chart_view.h"

#include <QChart>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QWheelEvent>

#include <cmath>

namespace losslens::ui {

ChartCanvas::ChartCanvas(QChart* chart, ChartView* owner) : QChartView(chart, owner), m_owner(owner)
{
    setRubberBand(QChartView::HorizontalRubberBand);
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setToolTip(tr("Drag to zoom · wheel zooms · Shift+drag or middle button pans · double-click or right-click resets · click pins a step"));
}

double ChartCanvas::valueX(QPointF pos) const { return chart()->mapToValue(pos).x(); }

void ChartCanvas::zoomX(double factor, double anchor)
{
    const auto [from, to] = m_owner->xRange();
    if (!(to > from))
        return;
    const double lo = anchor - (anchor - from) * factor, hi = anchor + (to - anchor) * factor;
    if (hi - lo < 1e-9)
        return;
    m_owner->setXRange(lo, hi);
    m_owner->userChangedX();
}

void ChartCanvas::panPixels(double dx)
{
    const auto [from, to] = m_owner->xRange();
    const double perPixel = (to - from) / std::max(1.0, chart()->plotArea().width());
    m_owner->setXRange(from - dx * perPixel, to - dx * perPixel);
    m_owner->userChangedX();
}

void ChartCanvas::mousePressEvent(QMouseEvent* event)
{
    m_pressPos = event->position();
    if (event->button() == Qt::MiddleButton || (event->button() == Qt::LeftButton && event->modifiers() & Qt::ShiftModifier)) {
        m_panning = true;
        m_lastPanPos = event->position();
        setCursor(Qt::ClosedHandCursor);
        event->accept();
        return;
    }
    if (event->button() == Qt::RightButton) {
        event->accept();
        return;
    }
    QChartView::mousePressEvent(event);
}

void ChartCanvas::mouseMoveEvent(QMouseEvent* event)
{
    if (m_panning) {
        panPixels(event->position().x() - m_lastPanPos.x());
        m_lastPanPos = event->position();
        event->accept();
        return;
    }
    if (chart()->plotArea().contains(event->position()))
        emit m_owner->hovered(valueX(event->position()));
    QChartView::mouseMoveEvent(event);
}

void ChartCanvas::mouseReleaseEvent(QMouseEvent* event)
{
    if (m_panning) {
        m_panning = false;
        unsetCursor();
        event->accept();
        return;
    }
    if (event->button() == Qt::RightButton) { // QChartView would zoom out one step; reset instead
        m_owner->resetZoom();
        event->accept();
        return;
    }
    const bool click = (event->position() - m_pressPos).manhattanLength() < 4;
    if (click && event->button() == Qt::LeftButton) {
        emit m_owner->clicked(valueX(event->position()));
        event->accept();
        return;
    }
    const auto before = m_owner->xRange();
    QChartView::mouseReleaseEvent(event); // finishes a rubber band
    if (m_owner->xRange() != before)
        m_owner->userChangedX();
}

void ChartCanvas::mouseDoubleClickEvent(QMouseEvent* event)
{
    m_owner->resetZoom();
    event->accept();
}

void ChartCanvas::wheelEvent(QWheelEvent* event)
{
    const double steps = event->angleDelta().y() / 120.0;
    if (steps != 0)
        zoomX(std::pow(0.8, steps), valueX(event->position()));
    event->accept();
}

void ChartCanvas::keyPressEvent(QKeyEvent* event)
{
    const auto [from, to] = m_owner->xRange();
    switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal: zoomX(0.8, (from + to) / 2); break;
    case Qt::Key_Minus: zoomX(1.25, (from + to) / 2); break;
    case Qt::Key_Left: panPixels(40); break;
    case Qt::Key_Right: panPixels(-40); break;
    case Qt::Key_Home: m_owner->resetZoom(); break;
    default: QChartView::keyPressEvent(event); return;
    }
    event->accept();
}

void ChartCanvas::leaveEvent(QEvent* event)
{
    emit m_owner->hovered(std::nan(""));
    QChartView::leaveEvent(event);
}

} // namespace losslens::ui
