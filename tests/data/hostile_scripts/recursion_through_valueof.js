// expect: Runtime Timeout
// Recursion hidden in implicit conversions, where no call is written.
const evil = { valueOf() { return evil + 1; } };
function attack(x) { return evil * 2; }
function loss(inputs) { return attack(inputs.x); }
function derive(series, steps) { return attack(steps); }
