// expect: Runtime
// message: XMLHttpRequest is not defined
function attack(x) { const r = new XMLHttpRequest(); r.open('GET', 'file:///etc/passwd', false); r.send(); return r.responseText.length; }
function loss(inputs) { return attack(inputs.x); }
function derive(series, steps) { return attack(steps); }
