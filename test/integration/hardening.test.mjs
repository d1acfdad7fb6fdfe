// Regressions of the adversarial review (issue 10): each subtest is named after the defect it
// pins down, and failed before its fix. What can crash or hang the process runs in a child.
import assert from 'node:assert/strict';
import { spawn as spawnNode } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';

/** Runs `script` (CommonJS, `nd` is netdev) in a child node; resolves with how it ended. */
async function child(script, { timeout = 20000 } = {}) {
  const c = spawnNode(process.execPath, ['-e', `const nd = require('netdev');\n${script}`], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  c.stdout.on('data', (d) => (stdout += d));
  c.stderr.on('data', (d) => (stderr += d));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    c.kill('SIGKILL');
  }, timeout);
  const [code, signal] = await once(c, 'close');
  clearTimeout(timer);
  return { code, signal, stdout, stderr, timedOut };
}

/** The last line of a child's stdout, as JSON (what the script reported). */
function report(r) {
  const line = r.stdout.trim().split('\n').pop();
  assert.ok(line, `the child reported nothing (code ${r.code}, timed out ${r.timedOut}): ${r.stderr}`);
  return JSON.parse(line);
}

// ---- 4: watch() resync -------------------------------------------------------------------------

/** A child script: watch routes with a tiny buffer, overflow it, report what the resync did. */
function resyncScript(setup) {
  return `
    const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
    (async () => {
      const a = await nd.createNetns(undefined, { loopbackUp: true });
      const keep = await nd.openNetns(a);
      await nd.createVeth({ name: 'b0', netns: keep, up: true, peer: { name: 'b1' } });
      ${setup}
      const errors = [];
      let resyncs = 0;
      let synced = 0;
      const tracked = new Set();
      w.on('error', (e) => errors.push(e.code ?? String(e)));
      w.on('resync', () => resyncs++);
      w.on('synced', () => synced++);
      w.on('route', (e) => {
        if (e.route.family !== 4 || !e.route.destination.startsWith('12.')) return;
        if (e.type === 'delete') tracked.delete(e.route.destination);
        else tracked.add(e.route.destination);
      });
      await w.ready;
      const reused = await after();
      const N = 10000;
      const dst = (i) => '12.' + ((i >> 8) & 255) + '.' + (i & 255) + '.0/24';
      await nd.addRoutes(Array.from({ length: N }, (_, i) => ({ destination: dst(i), device: 'b0' })), { netns: keep });
      for (let t = 0; t < 500 && errors.length === 0 && !(resyncs > 0 && synced > resyncs && tracked.size === N); t++) await sleep(20);
      const expected = (await nd.listRoutes({ netns: keep, family: 4 })).filter((r) => r.destination.startsWith('12.')).length;
      console.log(JSON.stringify({ reused, resyncs, errors, tracked: tracked.size, expected }));
      w.close();
      keep.close();
    })();`;
}

test('4: watch() resync after the caller closed its handle neither crashes nor loses the namespace', async () => {
  const r = await child(resyncScript(`
      const w = nd.watch({ netns: a, route: true, receiveBuffer: 4096 });
      const after = async () => { a.close(); return null; };`));
  assert.equal(r.code, 0, `the process survived the resync: ${r.stderr}`);
  const out = report(r);
  assert.ok(out.resyncs >= 1, 'the 4 KiB buffer overflowed');
  assert.deepEqual(out.errors, []);
  assert.equal(out.tracked, out.expected, 'the resync dumped the watched namespace');
  assert.equal(out.expected, 10000);
});

test('4: watch({ netns: { fd } }) holds that namespace: a resync never dumps whatever the fd number names later', async () => {
  const r = await child(resyncScript(`
      const fd = a.fd;
      const w = nd.watch({ netns: { fd }, route: true, receiveBuffer: 4096 });
      const others = [];
      const after = async () => {
        a.close();
        // The number is free now; the next namespace opened takes it.
        for (let i = 0; i < 20; i++) {
          const n = await nd.createNetns();
          others.push(n);
          if (n.fd === fd) return true;
        }
        return false;
      };`));
  assert.equal(r.code, 0, `the process survived the resync: ${r.stderr}`);
  const out = report(r);
  assert.equal(out.reused, true, 'another namespace took the fd number');
  assert.ok(out.resyncs >= 1, 'the 4 KiB buffer overflowed');
  assert.deepEqual(out.errors, []);
  assert.equal(out.tracked, out.expected, 'the resync dumped the namespace watched, not the one now at that fd number');
  assert.equal(out.expected, 10000);
});
