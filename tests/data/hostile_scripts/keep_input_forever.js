// expect: Runtime Result
// Keeping the caller's input memory past the call.
var kept = [];
function attack(x) { kept.push(x); return 'kept'; }
function loss(inputs) { return attack(inputs.x); }
function derive(series, steps) { return attack(series.a); }
