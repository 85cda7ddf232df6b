// expect: Runtime Timeout
// 64 MiB typed arrays, kept, until something gives.
function attack(x) { const keep = []; for (;;) { const a = new Float64Array(1 << 23); a.fill(1); keep.push(a); } }
function loss(inputs) { return attack(inputs.x); }
function derive(series, steps) { return attack(steps); }
