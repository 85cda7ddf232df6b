#include "ui/controls_bar.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
#include <QSpinBox>
#include <QTabBar>

#include <cmath>

namespace losslens::ui {

ControlsBar::ControlsBar(QWidget* parent)
    : QWidget(parent), m_tabs(new QTabBar), m_smoothing(new QSlider(Qt::Horizontal)), m_smoothingLabel(new QLabel), m_kind(new QComboBox),
      m_xAxis(new QComboBox), m_logY(new QCheckBox(tr("log y"))), m_outliers(new QCheckBox(tr("ignore outliers"))),
      m_raw(new QCheckBox(tr("raw"))), m_colorBy(new QComboBox), m_difference(new QCheckBox(tr("difference A − B"))), m_epoch(new QSpinBox),
      m_epochLabel(new QLabel(tr("epoch:")))
{
    for (const QString& t : {tr("Curves"), tr("Breakdown"), tr("Shares"), tr("Task balance"), tr("Compare")})
        m_tabs->addTab(t);
    m_tabs->setTabToolTip(0, tr("Every selected component, the regularization and the total, per run"));
    m_tabs->setTabToolTip(1, tr("Components and regularization stacked up to the total; logged vs recomputed total"));
    m_tabs->setTabToolTip(2, tr("The same as shares of the logged total (100 %)"));
    m_tabs->setTabToolTip(3, tr("Each component relative to its first value, and Dynamic Weight Average weights"));
    m_tabs->setTabToolTip(4, tr("One small chart per loss tag with the runs overlaid; groups as mean and min–max band"));
    m_tabs->setUsesScrollButtons(false);
    m_tabs->setExpanding(false);
    m_smoothing->setRange(0, 999);
    m_smoothing->setMinimumWidth(80); // a usable drag range even when the options wrap
    m_smoothing->setMaximumWidth(160);
    m_smoothing->setToolTip(tr("Smoothing weight (0–0.999); TensorBoard's default is 0.6"));
    m_smoothingLabel->setMinimumWidth(40);
    m_kind->addItems({tr("EMA (TensorBoard)"), tr("time-weighted EMA")});
    m_kind->setToolTip(tr("TensorBoard's debiased EMA, or an EMA in x that does not change with point density"));
    m_xAxis->addItems({tr("step"), tr("relative"), tr("wall")});
    m_xAxis->setToolTip(tr("x axis: step, hours since the run started, or wall-clock time"));
    m_logY->setToolTip(tr("Logarithmic y axis"));
    m_outliers->setToolTip(tr("Fit the y axis to the 5th–95th percentile of the visible data"));
    m_raw->setToolTip(tr("Draw the unsmoothed curve faintly behind the smoothed one"));
    m_colorBy->addItems({tr("colour by tag"), tr("colour by run")});
    m_difference->setToolTip(tr("Compare: plot the first checked run minus the second"));
    m_epoch->setRange(1, 1000000);
    m_epoch->setSuffix(tr(" steps"));
    m_epoch->setToolTip(tr("Steps per epoch for the Dynamic Weight Average weights"));

    m_rows = new QBoxLayout(QBoxLayout::LeftToRight, this);
    m_rows->setContentsMargins(4, 2, 4, 2);
    m_views = new QHBoxLayout;
    m_views->addWidget(m_tabs);
    m_views->addStretch(1);
    m_options = new QHBoxLayout;
    m_options->addStretch(1);
    m_options->addWidget(new QLabel(tr("smoothing")));
    for (QWidget* w : std::initializer_list<QWidget*>{m_smoothing, m_smoothingLabel, m_kind, new QLabel(tr("x:")), m_xAxis, m_logY, m_outliers,
                                                     m_raw, m_colorBy, m_difference, m_epochLabel, m_epoch})
        m_options->addWidget(w);
    m_rows->addLayout(m_views);
    m_rows->addLayout(m_options);

    setSettings(m_settings);
    connect(m_tabs, &QTabBar::currentChanged, this, &ControlsBar::readWidgets);
    connect(m_smoothing, &QSlider::valueChanged, this, &ControlsBar::readWidgets);
    for (QComboBox* c : {m_kind, m_xAxis, m_colorBy})
        connect(c, &QComboBox::currentIndexChanged, this, &ControlsBar::readWidgets);
    for (QCheckBox* c : {m_logY, m_outliers, m_raw, m_difference})
        connect(c, &QCheckBox::toggled, this, &ControlsBar::readWidgets);
    connect(m_epoch, &QSpinBox::valueChanged, this, &ControlsBar::readWidgets);
}

void ControlsBar::setSettings(const ViewSettings& s)
{
    m_updating = true;
    m_tabs->setCurrentIndex(int(s.view));
    m_smoothing->setValue(int(std::lround(s.smoothing * 1000)));
    m_kind->setCurrentIndex(s.smoothingKind == analysis::SmoothingKind::Ema ? 0 : 1);
    m_xAxis->setCurrentIndex(int(s.xAxis));
    m_logY->setChecked(s.logY);
    m_outliers->setChecked(s.ignoreOutliers);
    m_raw->setChecked(s.showRaw);
    m_colorBy->setCurrentIndex(int(s.colorBy));
    m_difference->setChecked(s.compareDifference);
    m_epoch->setValue(s.epochSteps);
    m_updating = false;
    const bool changed = !(s == m_settings);
    m_settings = s;
    m_smoothingLabel->setText(QString::number(s.smoothing, 'f', 3));
    showRelevant();
    if (changed)
        emit settingsChanged();
}

void ControlsBar::readWidgets()
{
    if (m_updating)
        return;
    ViewSettings s = m_settings;
    s.view = ViewKind(m_tabs->currentIndex());
    s.smoothing = m_smoothing->value() / 1000.0;
    s.smoothingKind = m_kind->currentIndex() == 0 ? analysis::SmoothingKind::Ema : analysis::SmoothingKind::TimeWeighted;
    s.xAxis = XAxisMode(m_xAxis->currentIndex());
    s.logY = m_logY->isChecked();
    s.ignoreOutliers = m_outliers->isChecked();
    s.showRaw = m_raw->isChecked();
    s.colorBy = ColorBy(m_colorBy->currentIndex());
    s.compareDifference = m_difference->isChecked();
    s.epochSteps = m_epoch->value();
    setSettings(s);
}

void ControlsBar::showRelevant()
{
    const ViewKind v = m_settings.view;
    m_difference->setVisible(v == ViewKind::Compare);
    m_epoch->setVisible(v == ViewKind::Balance);
    m_epochLabel->setVisible(v == ViewKind::Balance);
    m_colorBy->setVisible(v == ViewKind::Curves);
    m_raw->setVisible(v == ViewKind::Curves);
    m_outliers->setVisible(v == ViewKind::Curves);
    fitRows();
}

bool ControlsBar::twoRows() const { return m_rows->direction() == QBoxLayout::TopToBottom; }

QSize ControlsBar::minimumSizeHint() const
{
    // As narrow as the wider row: below one row's width the options wrap under the tabs.
    const QMargins m = m_rows->contentsMargins();
    const QSize views = m_views->minimumSize(), options = m_options->minimumSize();
    const int height = twoRows() ? views.height() + m_rows->spacing() + options.height() : std::max(views.height(), options.height());
    return {std::max(views.width(), options.width()) + m.left() + m.right(), height + m.top() + m.bottom()};
}

void ControlsBar::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    fitRows();
}

void ControlsBar::fitRows()
{
    const QMargins m = m_rows->contentsMargins();
    const int oneRow = m_views->minimumSize().width() + m_rows->spacing() + m_options->minimumSize().width() + m.left() + m.right();
    const auto direction = width() >= oneRow ? QBoxLayout::LeftToRight : QBoxLayout::TopToBottom;
    if (direction != m_rows->direction()) {
        m_rows->setDirection(direction);
        updateGeometry();
    }
}

} // namespace losslens::ui
