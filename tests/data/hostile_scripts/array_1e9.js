// expect: Runtime Timeout
function attack(x) { return new Array(1e9).fill(0); }
function loss(inputs) { return attack(inputs.x); }
function derive(series, steps) { return attack(steps); }
