// expect: Runtime
// message: MiB
function attack(x) { const keep = []; for (;;) keep.push(add(zeros([1 << 20]), 1)); }
function loss(inputs) { return attack(inputs.x); }
function derive(series, steps) { return attack(steps); }
