// expect: Runtime
// message: is not defined
// Looking for the native object behind the helpers (its QObject members, its input accessors).
function attack(x) {
  for (const f of [log, sum, zeros, add])
    for (const name of ['deleteLater', 'destroyed', 'objectName', 'input', 'arg', 'hasInput', 'setValues'])
      if (typeof f[name] !== 'undefined') return 'reached ' + name;
  return native.input('x');
}
function loss(inputs) { return attack(inputs.x); }
function derive(series, steps) { return attack(steps); }
