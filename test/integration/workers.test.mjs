// worker_threads as first-class users: terminating a worker (or a worker calling process.exit())
// with operations, watchers or TUN readers in flight must never take the process down, and every
// resource must come back. Each scenario runs scripts/soak-workers.mjs in a child process, so an
// abort (a C++ exception escaping a libuv callback) or a segfault (a close callback running after
// Node unloaded the addon) fails the test instead of killing the runner. The child checks that its
// fd count is back to its baseline and that its main thread can still use netdev afterwards.
// `node scripts/sandbox.mjs node scripts/soak-workers.mjs` runs the full 1,000-worker soak.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import test from 'node:test';
import { tunTest } from '../helpers.mjs';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const script = join(root, 'scripts', 'soak-workers.mjs');

function soak(scenario, count, timeout) {
  return new Promise((resolve) => {
    execFile(process.execPath, [script, scenario, '--count', String(count)], { cwd: root, timeout }, (error, stdout, stderr) =>
      resolve({ code: error ? error.code : 0, signal: error?.signal ?? null, stdout, stderr }),
    );
  });
}

async function check(scenario, count, timeout) {
  const r = await soak(scenario, count, timeout);
  const detail = `exit ${r.code}, signal ${r.signal}\n${r.stdout}\n${r.stderr.slice(-2000)}`;
  assert.equal(r.signal, null, `the child died of a signal: ${detail}`);
  assert.equal(r.code, 0, detail);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines[0], { ...lines[0], scenario, workers: count, fds: 0 });
  assert.deepEqual(lines[1], { healthy: true, fds: lines[1].fds });
}

test('200 workers terminated while looping on failing getLink() and listLinks()', () => check('terminate', 200, 120_000));

test('60 workers calling process.exit() with operations in flight', () => check('exit', 60, 120_000));

test('60 workers terminated with a live watch() seeing events', () => check('watch', 60, 120_000));

tunTest('60 workers terminated while a TUN device receives packets', () => check('tun', 60, 120_000));

tunTest('100 workers terminated while opening and closing sockets and TUN devices: no fd outlives its worker', () =>
  check('fds', 100, 120_000));

tunTest('addon unload: the main thread never loads netdev; 40 idle workers holding a TUN device and a watcher', () =>
  check('unload', 40, 120_000));
