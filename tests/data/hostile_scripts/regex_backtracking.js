// expect: Runtime Result Timeout
// Catastrophic backtracking: exponential time inside one built-in call.
function attack(x) { return /^(a+)+$/.test('a'.repeat(40) + 'b') ? 1 : 'no match'; }
function loss(inputs) { return attack(inputs.x); }
function derive(series, steps) { return attack(steps); }
