// expect: Timeout
// message: longer than the limit
// The attack runs at the top level, while the script loads.
for (;;) {}
function loss(inputs) { return 1; }
function derive(series, steps) { return 1; }
