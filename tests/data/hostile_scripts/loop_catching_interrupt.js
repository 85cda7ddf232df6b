// expect: Timeout
// message: longer than the limit
// The interrupt is not a catchable exception: swallowing it must not keep the loop alive.
function attack(x) { for (;;) { try { for (;;) {} } catch (e) {} finally { continue; } } }
function loss(inputs) { return attack(inputs.x); }
function derive(series, steps) { return attack(steps); }
