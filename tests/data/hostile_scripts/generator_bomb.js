// expect: Runtime Timeout
function* forever() { for (let i = 0; ; ++i) yield i; }
function attack(x) { return Array.from(forever()); }
function loss(inputs) { return attack(inputs.x); }
function derive(series, steps) { return attack(steps); }
