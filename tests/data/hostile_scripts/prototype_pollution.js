// expect: Runtime Result
// The helper library's surroundings polluted: built-in prototypes, the Proxy the inputs are made
// with, the helpers themselves. The script may only hurt itself: the next one gets a clean engine.
function tryTo(f) { try { f(); } catch (e) {} }
tryTo(() => { Array.prototype.shape = [1e12]; });
tryTo(() => { Object.prototype.shape = [1e12]; });
tryTo(() => { Array.prototype.map = function () { return [666]; }; });
tryTo(() => { Float64Array.prototype.map = function () { return [666]; }; });
tryTo(() => { Object.defineProperty(Object.prototype, 'value', { set(v) { throw new Error('value setter'); }, configurable: true }); });
tryTo(() => { Object.defineProperty(Object.prototype, 'ok', { get() { return true; }, configurable: true }); });
tryTo(() => { Math.log = function () { return 666; }; });
tryTo(() => { Proxy = function () { return { x: new Array(1e7) }; }; });
tryTo(() => { Float64Array = function () { throw new Error('no arrays'); }; });
tryTo(() => { sum = function () { return 666; }; mul = function () { return 666; }; });
function attack(x) { return [1, 2]; }
function loss(inputs) { return attack(inputs.x); }
function derive(series, steps) { return attack(steps); }
