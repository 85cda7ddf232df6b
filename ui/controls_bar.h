#pragma once
// The view switcher and the plot controls above the chart. Holds the settings, nothing else.
// One row when there is room, else two (views above options), so docks beside the chart (the
// script editor) never force the window wider than the screen.

#include "ui/view_settings.h"

#include <QWidget>

QT_FORWARD_DECLARE_CLASS(QBoxLayout)
QT_FORWARD_DECLARE_CLASS(QCheckBox)
QT_FORWARD_DECLARE_CLASS(QComboBox)
QT_FORWARD_DECLARE_CLASS(QLabel)
QT_FORWARD_DECLARE_CLASS(QSlider)
QT_FORWARD_DECLARE_CLASS(QSpinBox)
QT_FORWARD_DECLARE_CLASS(QTabBar)

namespace losslens::ui {

class ControlsBar : public QWidget {
    Q_OBJECT

public:
    explicit ControlsBar(QWidget* parent = nullptr);

    ViewSettings settings() const { return m_settings; }
    void setSettings(const ViewSettings& settings);
    QSlider* smoothingSlider() const { return m_smoothing; }
    QTabBar* viewTabs() const { return m_tabs; }

    QSize minimumSizeHint() const override;
    /// True when the options sit below the view tabs.
    bool twoRows() const;

signals:
    void settingsChanged();

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    void fitRows();
    void readWidgets();
    void showRelevant();

    ViewSettings m_settings;
    QTabBar* m_tabs;
    QSlider* m_smoothing;
    QLabel* m_smoothingLabel;
    QComboBox* m_kind;
    QComboBox* m_xAxis;
    QCheckBox* m_logY;
    QCheckBox* m_outliers;
    QCheckBox* m_raw;
    QComboBox* m_colorBy;
    QCheckBox* m_difference;
    QSpinBox* m_epoch;
    QLabel* m_epochLabel;
    QBoxLayout* m_rows;    // left to right, or top to bottom when narrow
    QBoxLayout* m_views;   // the tabs
    QBoxLayout* m_options; // everything else
    bool m_updating = false;
};

} // namespace losslens::ui
