// expect: Runtime Timeout
function attack(x) { const s = 'abcdefgh'.repeat(1 << 27); return s.repeat(64).length; }
function loss(inputs) { return attack(inputs.x); }
function derive(series, steps) { return attack(steps); }
