// Shared jest settings for both projects (unit specs beside the code, e2e specs in test/).
// @swc/jest compiles our TypeScript and the ESM-only Nest packages to CommonJS: the only shape that
// runs on Node 20 without --experimental-vm-modules (see shared/TOOLCHAIN.md).
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
