// expect: Runtime Timeout
function attack(x) { const a = []; for (let i = 0; ; ++i) a.push(i, i, i, i); }
function loss(inputs) { return attack(inputs.x); }
function derive(series, steps) { return attack(steps); }
