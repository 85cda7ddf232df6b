// expect: Runtime
// message: MiB
// A helper asked for far more than the array limit, in one call.
function attack(x) { return zeros([1e6, 1e6]); }
function loss(inputs) { return attack(inputs.x); }
function derive(series, steps) { return attack(steps); }
