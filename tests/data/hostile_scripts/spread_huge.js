// expect: Syntax
// message: spread or rest
// Qt 6.4's engine copies spread arguments onto its stack unchecked: a million of them crashed
// the process (SIGSEGV). The engine refuses '...' before running anything.
function attack(x) { return Math.max(...new Array(1e6).fill(1)); }
function loss(inputs) { return attack(inputs.x); }
function derive(series, steps) { return attack(steps); }
