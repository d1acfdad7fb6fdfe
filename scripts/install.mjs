// npm's install hook (package.json "install"). Keeps a binary that already loads (a prebuilt one
// for this platform, or an earlier build) unless a source build is asked for
// (npm_config_build_from_source=true); otherwise checks the build tools (provision.mjs names, or
// in this project's own checkout as root installs, what is missing) and compiles with node-gyp.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { nodeGyp, root } from './node-gyp.mjs';

function loads() {
  if (process.env.npm_config_build_from_source === 'true') return false;
  try {
    createRequire(join(root, 'package.json'))('node-gyp-build')(root);
    return true;
  } catch {
    return false;
  }
}

function run(argv) {
  const r = spawnSync(argv[0], argv.slice(1), { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (!loads()) {
  run([process.execPath, join(root, 'scripts/provision.mjs'), 'build']);
  const gyp = nodeGyp(['rebuild']);
  if (gyp === null) {
    console.error('netdev: no node-gyp to build the addon with (npm normally provides one); run: npm install -g node-gyp');
    process.exit(1);
  }
  run(gyp);
}
