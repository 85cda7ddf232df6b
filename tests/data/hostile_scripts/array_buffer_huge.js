// expect: Runtime Timeout
function attack(x) { return new Uint8Array(new ArrayBuffer(2 ** 40)).length; }
function loss(inputs) { return attack(inputs.x); }
function derive(series, steps) { return attack(steps); }
