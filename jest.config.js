const preset = require('./jest.preset');

/** Unit specs sit beside the code; e2e specs boot the real AppModule over HTTP against real Redis. */
module.exports = {
  // One quick PING before anything runs: without Redis, one clear line instead of minutes of
  // timeouts (jest.global-setup.js).
  globalSetup: '<rootDir>/jest.global-setup.js',
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
      testTimeout: 30000,
    },
  ],
};
