// expect: Runtime
// message: is not defined
// Indirect eval, the Function constructor and the global object reached through a constructor
// chain: none of them finds anything beyond ECMAScript's built-ins.
function attack(x) {
  const global = (0, eval)('this');
  const viaFunction = Function('return this')();
  const viaConstructor = (function () {}).constructor('return this')();
  for (const g of [global, viaFunction, viaConstructor])
    for (const name of ['Qt', 'qsTr', 'XMLHttpRequest', 'require', 'process', 'console', 'print', 'gc', 'load'])
      if (typeof g[name] !== 'undefined') return 'escaped through ' + name;
  return eval('Qt.quit()');
}
function loss(inputs) { return attack(inputs.x); }
function derive(series, steps) { return attack(steps); }
