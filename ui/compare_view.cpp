#include "ui/compare_view.h"

#include <QGridLayout>

#include <cmath>

namespace losslens::ui {

CompareView::CompareView(QWidget* parent) : QWidget(parent), m_grid(new QGridLayout(this))
{
    m_grid->setContentsMargins(0, 0, 0, 0);
    m_grid->setSpacing(2);
}

void CompareView::setPlots(const QList<Plot>& plots, bool keepXRange)
{
    while (m_charts.size() > plots.size())
        delete m_charts.takeLast();
    while (m_charts.size() < plots.size()) {
        auto* chart = new ChartView(this);
        chart->setDark(m_dark);
        connect(chart, &ChartView::xRangeChanged, this, [this, chart](double from, double to) {
            for (ChartView* other : m_charts)
                if (other != chart)
                    other->setXRange(from, to);
            emit xRangeChanged(from, to);
        });
        connect(chart, &ChartView::hovered, this, &CompareView::hovered);
        connect(chart, &ChartView::clicked, this, &CompareView::clicked);
        m_charts.append(chart);
    }
    const int columns = plots.size() <= 1 ? 1 : plots.size() <= 4 ? 2 : 3;
    for (int i = 0; i < m_grid->rowCount(); ++i)
        m_grid->setRowStretch(i, i < (int(m_charts.size()) + columns - 1) / columns ? 1 : 0);
    for (int i = 0; i < 3; ++i)
        m_grid->setColumnStretch(i, i < columns ? 1 : 0);
    for (int i = 0; i < int(m_charts.size()); ++i) {
        m_grid->setRowStretch(i / columns, 1);
        m_charts[i]->setMinimumSize(200, 150);
        m_grid->addWidget(m_charts[i], i / columns, i % columns);
        m_charts[i]->setPlot(plots[i].curves, plots[i].spec, keepXRange);
    }
}

void CompareView::setDark(bool dark)
{
    m_dark = dark;
    for (ChartView* c : m_charts)
        c->setDark(dark);
}

} // namespace losslens::ui
