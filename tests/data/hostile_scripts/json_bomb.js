// expect: Runtime Timeout
// A deeply nested structure built and then serialised (recursion inside a built-in).
function attack(x) { let o = {}; for (let i = 0; i < 1e7; ++i) o = { o }; return JSON.stringify(o).length; }
function loss(inputs) { return attack(inputs.x); }
function derive(series, steps) { return attack(steps); }
