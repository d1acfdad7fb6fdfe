// Builds the addon (incrementally once configured) and the TypeScript. `npm run compile`.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const gyp = join(root, 'node_modules/node-gyp/bin/node-gyp.js');
const quiet = process.argv.includes('--quiet');
const stdio = quiet ? ['ignore', 'ignore', 'inherit'] : 'inherit';
// Configured once; again when binding.gyp changed since (a new source or target).
const makefile = join(root, 'build/Makefile');
const configured = existsSync(makefile) && statSync(makefile).mtimeMs >= statSync(join(root, 'binding.gyp')).mtimeMs;
execFileSync(process.execPath, [gyp, configured ? 'build' : 'rebuild', '--loglevel=warn'], { cwd: root, stdio });
execFileSync(process.execPath, [join(root, 'scripts/build-ts.mjs')], { cwd: root, stdio: 'inherit' });
