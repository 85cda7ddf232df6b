#pragma once
// The view switcher and the plot controls above the chart. Holds the settings, nothing else.

#include "ui/view_settings.h"

#include <QWidget>

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

signals:
    void settingsChanged();

private:
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
    bool m_updating = false;
};

} // namespace losslens::ui
