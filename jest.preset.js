// Shared jest settings for both projects (unit specs beside the code, e2e specs in test/).
// NestJS 12 is ESM-only, while @nestjs/throttler, ioredis, argon2 and passport-jwt are CommonJS and
// the CommonJS throttler require()s the ESM @nestjs/common: ts-jest in ESM mode fails on that. So
// @swc/jest compiles our TypeScript and the ESM packages listed below to CommonJS, which runs
// without --experimental-vm-modules. It does not type-check: `npm run typecheck` (tsc) does.
// An ESM-only dependency that tests load joins `esmPackages`; the symptom of a missing one is
// "Must use import to load ES Module".
const esmPackages = [
  '@nestjs',
  '@standard-schema',
  'cookie',
  'content-disposition',
  'set-cookie-parser',
  'toad-cache',
  'file-type',
  'strtok3',
  'token-types',
  '@tokenizer',
  '@borewit',
  'uint8array-extras',
  'jose',
  '@fastify/cookie',
  'oauth4webapi',
];
module.exports = {
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
      },
    ],
    '^.+\\.m?js$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmPackages.join('|')})/)`],
};
