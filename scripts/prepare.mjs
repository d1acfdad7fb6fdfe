// `prepare`: builds dist/ in a source checkout. npm runs it on `npm install`/`npm ci` here, before
// packing a git dependency (after installing its devDependencies in a temporary clone) and when a
// directory is installed (`npm install /path/to/clone`, linked or with --install-links). npm never
// installs the dependencies of a linked directory, so a fresh clone has no TypeScript and, linked,
// no node-gyp-build for the `install` script that follows: install them here first, scripts off.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (!existsSync(join(root, 'node_modules/typescript/bin/tsc'))) {
  const npm = process.env.npm_execpath;
  if (!npm) {
    console.error(`netdev: ${root} has no node_modules; run npm ci there first`);
    process.exit(1);
  }
  const lock = existsSync(join(root, 'package-lock.json'));
  console.error(`netdev: installing the build tools into ${root}/node_modules (npm ${lock ? 'ci' : 'install'})`);
  const args = [lock ? 'ci' : 'install', '--include=dev', '--ignore-scripts', '--no-audit', '--no-fund'];
  const [cmd, pre] = npm.endsWith('.js') ? [process.execPath, [npm]] : [npm, []];
  execFileSync(cmd, [...pre, ...args], { cwd: root, stdio: ['ignore', 2, 2] });
}
execFileSync(process.execPath, [join(root, 'scripts/build-ts.mjs')], { cwd: root, stdio: ['ignore', 2, 2] });
