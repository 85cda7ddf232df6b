// expect: Runtime Result
// Frozen and sealed built-ins and a poisoned JSON: the next script must not notice.
Object.freeze(Array.prototype);
Object.freeze(Object.prototype);
JSON.parse = function () { throw new Error('poisoned'); };
Function.prototype.call = function () { throw new Error('poisoned call'); };
Function.prototype.apply = function () { throw new Error('poisoned apply'); };
function attack(x) { return { not: 'an array' }; }
function loss(inputs) { return attack(inputs.x); }
function derive(series, steps) { return attack(steps); }
