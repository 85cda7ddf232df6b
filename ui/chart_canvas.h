#pragma once
// The interactive surface of a ChartView: rubber-band and wheel zoom, pan, hover and click.

#include <QChartView>

namespace losslens::ui {

class ChartView;

class ChartCanvas : public QChartView {
    Q_OBJECT

public:
    ChartCanvas(QChart* chart, ChartView* owner);

protected:
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void leaveEvent(QEvent* event) override;

private:
    double valueX(QPointF pos) const;
    /// Scales the visible x range by `factor` around data x `anchor`.
    void zoomX(double factor, double anchor);
    void panPixels(double dx);

    ChartView* m_owner;
    QPointF m_pressPos;
    QPointF m_lastPanPos;
    bool m_panning = false;
};

} // namespace losslens::ui
