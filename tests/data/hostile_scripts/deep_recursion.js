// expect: Runtime Timeout
function attack(n) { return attack(n + 1) + 1; }
function loss(inputs) { return attack(0); }
function derive(series, steps) { return attack(0); }
