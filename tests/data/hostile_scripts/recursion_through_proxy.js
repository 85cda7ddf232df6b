// expect: Runtime Timeout
// A proxy whose every property read reads itself.
const p = new Proxy({}, { get(target, key, receiver) { return receiver[key]; } });
function attack(x) { return p.anything; }
function loss(inputs) { return attack(inputs.x); }
function derive(series, steps) { return attack(steps); }
