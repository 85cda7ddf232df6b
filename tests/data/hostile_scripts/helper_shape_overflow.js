// expect: Runtime
// message: 2^53
// Shapes whose element count overflows 64 bits: 2^50 · 2^11 · 8 bytes wrapped to a 0-byte buffer
// that the helper then filled (SIGSEGV before the count was checked).
function attack(x) { return zeros([2 ** 50, 2 ** 11]); }
function loss(inputs) { return attack(inputs.x); }
function derive(series, steps) { return attack(steps); }
