// Every demo test and hook names its own timeout (at least 3× its idle duration, see the test files);
// the preset's 30 s is only the fallback.
module.exports = require('../../jest.preset.cjs')
