// Builds the addon and the TypeScript, each only when its inputs changed. `npm run compile`.
// A no-op run costs well under a second, so `npm run demo`/`test`/`bench` can always call it.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { nodeGyp, root } from './node-gyp.mjs';

const quiet = process.argv.includes('--quiet');
const stdio = quiet ? ['ignore', 'ignore', 'inherit'] : 'inherit';

// node-gyp's Makefile records absolute and relative paths of the checkout it was configured in
// (module_root_dir, node-gyp's own directory, common.gypi relative to the source dir): after the
// checkout is copied or moved, or binding.gyp changed, configure again; otherwise let make decide.
function configured() {
  const makefile = join(root, 'build/Makefile');
  if (!existsSync(makefile) || statSync(makefile).mtimeMs < statSync(join(root, 'binding.gyp')).mtimeMs) return false;
  return readFileSync(makefile, 'utf8').includes(`"-Dmodule_root_dir=${root}"`);
}
const gyp = nodeGyp([configured() ? 'build' : 'rebuild', '--loglevel=warn']);
if (gyp === null) throw new Error('compile: node-gyp is missing: run npm ci first');
execFileSync(gyp[0], gyp.slice(1), { cwd: root, stdio });
execFileSync(process.execPath, [join(root, 'scripts/build-ts.mjs')], { cwd: root, stdio: 'inherit' });
