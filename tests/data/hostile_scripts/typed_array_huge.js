// expect: Runtime Timeout
// 8 GB in one typed array, then touched.
function attack(x) { const a = new Float64Array(1e9); a.fill(1); return a; }
function loss(inputs) { return attack(inputs.x); }
function derive(series, steps) { return attack(steps); }
