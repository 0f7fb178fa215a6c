// Loaded by scripts/electronegativity-scan.mjs before Electronegativity itself: the tool
// fetches translations from GitHub at every start (and, in one excluded check, Electron's release
// list). Tests do not reach the internet, so its HTTP client `got` answers at once with an error;
// the tool then falls back to its bundled English texts, as it does offline anyway.
const Module = require('node:module');
const path = require('node:path');

const toolRequire = Module.createRequire(path.join(path.dirname(require.resolve('@doyensec/electronegativity/package.json')), 'dist', 'locales', 'i18n.js'));
const gotPath = toolRequire.resolve('got');
const offline = () => Promise.reject(new Error('offline: network disabled for the scan'));
const stub = new Module(gotPath);
stub.filename = gotPath;
stub.loaded = true;
stub.exports = Object.assign(offline, { default: offline, get: offline, extend: () => offline });
require.cache[gotPath] = stub;
