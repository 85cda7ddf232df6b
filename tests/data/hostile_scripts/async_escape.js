// expect: Runtime Result Timeout
// Work scheduled to run after the call returns: promise jobs and a timer, if one existed.
function attack(x) {
  Promise.resolve().then(function () { for (;;) {} });
  new Promise(function (resolve) { resolve(); }).then(function () { for (;;) {} });
  if (typeof setTimeout !== 'undefined') setTimeout(function () { for (;;) {} }, 0);
  return 'scheduled';
}
function loss(inputs) { return attack(inputs.x); }
function derive(series, steps) { return attack(steps); }
