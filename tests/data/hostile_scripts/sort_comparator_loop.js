// expect: Runtime Timeout
// Endless work inside a built-in's callback.
function attack(x) { return [3, 1, 2].sort(function () { for (;;) {} }); }
function loss(inputs) { return attack(inputs.x); }
function derive(series, steps) { return attack(steps); }
