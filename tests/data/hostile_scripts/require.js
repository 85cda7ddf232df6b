// expect: Runtime
// message: require is not defined
function attack(x) { return require('fs').readFileSync('/etc/passwd'); }
function loss(inputs) { return attack(inputs.x); }
function derive(series, steps) { return attack(steps); }
