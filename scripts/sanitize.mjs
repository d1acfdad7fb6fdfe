#!/usr/bin/env node
// The sanitizer tier: the host test suite against the addon built with AddressSanitizer + UBSan.
//   node scripts/sanitize.mjs [--] [TEST FILE...]   (the host suite by default)
// Builds netdev-asan (native/CMakeLists.txt, from binding.gyp's source list), lays out a copy of
// this checkout in build/native/tree whose build/Release/netdev.node is that addon (node_modules
// linked, dist and the rest copied, so `import 'netdev'` and relative imports resolve inside it),
// and runs scripts/run-tests.mjs there in the sandbox with the ASan runtime preloaded into every
// process. Any sanitizer report aborts the process it happens in, which fails its test.
// Left out (the host tier runs them): test/unit/native.test.mjs and test/unit/fuzz.test.mjs,
// which build and run their own sanitized binaries already, and test/integration/router.test.mjs
// and test/integration/ovs.test.mjs, whose dnsmasq and Open vSwitch daemons do not start with the
// ASan runtime preloaded into them (the addon calls those tests make are all made by other tests
// of this tier; the OVSDB client is TypeScript over Node's sockets).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { artifact, build, buildDir, root, sanitizerEnv } from './native.mjs';

export const tree = join(buildDir, 'tree');
export const EXCLUDED = ['test/unit/native.test.mjs', 'test/unit/fuzz.test.mjs', 'test/integration/router.test.mjs', 'test/integration/ovs.test.mjs'];

/** A copy of the checkout that loads the sanitized addon. */
export function layOut() {
  build(['netdev-asan']);
  rmSync(tree, { recursive: true, force: true });
  mkdirSync(join(tree, 'build', 'Release'), { recursive: true });
  const files = spawnSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' });
  const tracked = files.status === 0 ? files.stdout.split('\0').filter(Boolean) : null;
  const entries = tracked ? [...new Set(tracked.map((f) => f.split('/')[0]))] : ['package.json', 'examples', 'native', 'scripts', 'test'];
  for (const e of [...entries, 'dist']) {
    if (e === 'node_modules' || e === 'build' || !existsSync(join(root, e))) continue;
    cpSync(join(root, e), join(tree, e), { recursive: true });
  }
  symlinkSync(join(root, 'node_modules'), join(tree, 'node_modules'));
  cpSync(artifact('netdev-asan'), join(tree, 'build', 'Release', 'netdev.node'));
  cpSync(join(root, 'build', 'Release', 'netdev-exec'), join(tree, 'build', 'Release', 'netdev-exec'));
  return tree;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const files = process.argv.slice(2).filter((a) => a !== '--');
  layOut();
  const r = spawnSync(
    process.execPath,
    [join(tree, 'scripts/sandbox.mjs'), process.execPath, join(tree, 'scripts/run-tests.mjs'), ...(files.length ? files : EXCLUDED.map((f) => `--exclude=${f}`))],
    { cwd: tree, stdio: 'inherit', env: sanitizerEnv({ NETDEV_SANITIZED: '1' }) },
  );
  process.exit(r.status ?? 1);
}
