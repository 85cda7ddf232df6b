// expect: Runtime Timeout
// Garbage the collector must keep: every object stays reachable.
function attack(x) { const keep = []; for (;;) keep.push({ a: [1, 2, 3], b: 'x' + keep.length }); }
function loss(inputs) { return attack(inputs.x); }
function derive(series, steps) { return attack(steps); }
