// expect: Runtime
// message: Qt is not defined
function attack(x) { Qt.openUrlExternally('file:///etc/passwd'); return Qt.createQmlObject('import QtQuick 2.0; Item {}', null).width; }
function loss(inputs) { return attack(inputs.x); }
function derive(series, steps) { return attack(steps); }
