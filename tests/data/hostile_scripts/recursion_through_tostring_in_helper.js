// expect: Runtime Timeout
// A helper converting an argument that recurses when converted.
const evil = { toString() { return log(evil); }, valueOf() { return log(evil); } };
function attack(x) { return log(evil); }
function loss(inputs) { return attack(inputs.x); }
function derive(series, steps) { return attack(steps); }
