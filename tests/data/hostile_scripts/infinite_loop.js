// expect: Timeout
// message: longer than the limit
function attack(x) { while (true) {} }
function loss(inputs) { return attack(inputs.x); }
function derive(series, steps) { return attack(steps); }
