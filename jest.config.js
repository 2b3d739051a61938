const preset = require('./jest.preset');

/** Unit specs sit beside the code; e2e specs boot the real AppModule over HTTP against real Redis. */
module.exports = {
  // One quick PING before anything runs: without Redis, one clear line instead of minutes of
  // timeouts (jest.global-setup.js).
  globalSetup: '<rootDir>/jest.global-setup.js',
  // A global option in jest 30 (inside a project it is ignored, and the default of 5 s applied to
  // the e2e suites, which start servers and Redis topologies).
  testTimeout: 30000,
  projects: [
    {
      ...preset,
      displayName: 'unit',
      rootDir: __dirname,
      roots: ['<rootDir>/src'],
      testRegex: '\\.spec\\.ts$',
    },
    {
      ...preset,
      displayName: 'e2e',
      rootDir: __dirname,
      roots: ['<rootDir>/test'],
      testRegex: '\\.e2e-spec\\.ts$',
    },
  ],
};
