#pragma once
// Small multiples: one ChartView per loss tag, their x axes linked.

#include "ui/plot_builder.h"

#include <QWidget>

QT_FORWARD_DECLARE_CLASS(QGridLayout)

namespace losslens::ui {

class CompareView : public QWidget {
    Q_OBJECT

public:
    explicit CompareView(QWidget* parent = nullptr);

    void setPlots(const QList<Plot>& plots, bool keepXRange);
    const QList<ChartView*>& charts() const { return m_charts; }
    void setDark(bool dark);

signals:
    /// One chart was zoomed or panned; the others already follow.
    void xRangeChanged(double from, double to);
    void hovered(double x);
    void clicked(double x);

private:
    QGridLayout* m_grid;
    QList<ChartView*> m_charts;
    bool m_dark = false;
};

} // namespace losslens::ui
