// expect: Syntax Runtime
function attack(x) { return import('/etc/passwd'); }
function loss(inputs) { return attack(inputs.x); }
function derive(series, steps) { return attack(steps); }
