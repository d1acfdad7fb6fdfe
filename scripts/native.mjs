#!/usr/bin/env node
// Builds the native variants of native/CMakeLists.txt (clang + cmake) in build/native:
//   node scripts/native.mjs [TARGET...]   (netdev-asan, netdev-fuzz, nlmsg_test, nlsock_test; all by default)
// and tells the scripts that load them how: the sanitizer runtime to preload into node, and
// the options the runs use. Incremental: cmake and make rebuild only what changed.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rtArch } from './provision.mjs';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const buildDir = join(root, 'build', 'native');
const CXX = process.env.NETDEV_CLANGXX ?? 'clang++';

/** The directory holding node_api.h for the running Node. */
function nodeInclude() {
  const dirs = [join(dirname(process.execPath), '..', 'include', 'node')];
  if (process.env.npm_config_nodedir) dirs.unshift(join(process.env.npm_config_nodedir, 'include', 'node'));
  const found = dirs.find((d) => existsSync(join(d, 'node_api.h')));
  if (!found) throw new Error(`native: no node_api.h in ${dirs.join(' or ')}`);
  return found;
}

/** Configures (once, or again when the CMakeLists changed: cmake sees to that) and builds. */
export function build(targets = []) {
  mkdirSync(buildDir, { recursive: true });
  if (!existsSync(join(buildDir, 'Makefile'))) {
    const napi = dirname(createRequire(join(root, 'package.json')).resolve('node-addon-api/napi.h'));
    execFileSync(
      'cmake',
      [
        '-S', join(root, 'native'), '-B', buildDir, `-DCMAKE_CXX_COMPILER=${CXX}`,
        `-DNODE_INCLUDE_DIR=${nodeInclude()}`, `-DNAPI_INCLUDE_DIR=${napi}`,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
  }
  const r = spawnSync('cmake', ['--build', buildDir, '-j', '2', ...targets.flatMap((t) => ['--target', t])], {
    stdio: ['ignore', process.env.NETDEV_NATIVE_VERBOSE ? 'inherit' : 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    if (r.stdout) process.stderr.write(r.stdout);
    throw new Error(`native: cmake --build ${targets.join(' ')} failed`);
  }
}

/** The shared ASan (+UBSan) runtime, which must be loaded first into node. */
export function asanRuntime() {
  return execFileSync(CXX, [`-print-file-name=libclang_rt.asan-${rtArch}.so`], { encoding: 'utf8' }).trim();
}

/**
 * The environment for a node that loads a sanitized addon. Leak checking is off: Node itself
 * keeps memory to exit on purpose. UBSan reports stop the process (the build sets
 * -fno-sanitize-recover), with a stack. The runtime is preloaded into every program the tests
 * start, and iproute2's `ip route` copies a string onto itself with strncpy (print_route), which
 * ASan's str* checks abort: replace_str=0 and the intercept_str* options turn those off (and the
 * warnings ASan prints about them, which programs' stderr must not carry; the addon's one strncpy is bounded);
 * its memory accesses, memcpy and the rest stay checked.
 */
export function sanitizerEnv(extra = {}) {
  return {
    ...process.env,
    LD_PRELOAD: asanRuntime(),
    ASAN_OPTIONS: 'detect_leaks=0:abort_on_error=1:detect_stack_use_after_return=1:replace_str=0:intercept_strlen=0:intercept_strchr=0:intercept_strndup=0',
    UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1',
    ...extra,
  };
}

/** Path of a built artifact: an addon variant's netdev.node, or a test binary. */
export const artifact = (target) =>
  target.startsWith('netdev-') ? join(buildDir, target, 'netdev.node') : join(buildDir, target);

if (import.meta.url === `file://${process.argv[1]}`) build(process.argv.slice(2));
