// expect: Runtime Timeout
function attack(x) { let s = 'x'; for (;;) s += s; }
function loss(inputs) { return attack(inputs.x); }
function derive(series, steps) { return attack(steps); }
