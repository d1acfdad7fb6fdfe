// jest for test/frameworks/jest (scripts/run-frameworks.mjs): only these files, which require
// netdev by its package name as users do (jest follows package.json "exports" from inside the
// package, as Node does). No transform: babel-jest would rewrite this repository's dist/ too,
// which an installed netdev, under node_modules, is never; and it doubles the run's time.
module.exports = {
  rootDir: __dirname,
  testMatch: ['<rootDir>/*.test.cjs'],
  testEnvironment: 'node',
  transform: {},
};
