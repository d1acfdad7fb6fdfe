// Soak: 10,000+ create/address/delete operations and 1,000 namespace lifecycles leave the fd
// count flat and memory without a trend.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { addAddress, createNetns, createVeth, deleteLinks, listLinks } from 'netdev';
import { fdCount, withNetns } from '../helpers.mjs';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');
const MiB = 2 ** 20;
// Total RSS, and RSS outside V8's heap: V8 grows its young generation under a high allocation
// rate (RSS rises, then plateaus, with the JS heap flat), so a native leak shows in the second.
function memory() {
  gc();
  const rss = process.memoryUsage().rss;
  const h = getHeapStatistics();
  return { rss: rss / MiB, native: (rss - h.total_physical_size) / MiB, heap: h.used_heap_size / MiB };
}

test('10,000+ link operations and 1,000 namespaces: fd count flat, no memory trend', async (t) => {
  await withNetns(async (ns) => {
    const PER = 100;
    let ops = 0;
    const linkRound = async () => {
      const names = Array.from({ length: PER }, (_, i) => `s${i}`);
      const links = await Promise.all(names.map((name) => createVeth({ name, netns: ns })));
      await Promise.all(links.map((l, i) => addAddress(l, `10.77.${i}.1/24`, { netns: ns })));
      await deleteLinks(names, { netns: ns });
      ops += 3 * PER;
    };
    const netnsCycles = async (count) => {
      for (let i = 0; i < count; i++) {
        const x = await createNetns();
        x.close();
        ops++;
      }
    };
    // Warm-up: both kinds of work (pooled sockets, JIT, malloc arenas and the thread-stack cache
    // of the short-lived setns threads) before anything is measured.
    for (let r = 0; r < 10; r++) await linkRound();
    await netnsCycles(500);
    const warmOps = ops;
    const fds = fdCount();
    // Measured: 17 blocks of 2 link rounds + 60 namespace lifecycles, memory sampled after each.
    const t0 = performance.now();
    const samples = [memory()];
    for (let b = 0; b < 17; b++) {
      await linkRound();
      await linkRound();
      await netnsCycles(60);
      samples.push(memory());
    }
    const measured = ops - warmOps;
    const mid = samples[Math.floor(samples.length / 2)];
    const end = samples[samples.length - 1];
    assert.equal((await listLinks({ netns: ns, kind: 'veth' })).length, 0);
    const series = samples.map((s) => s.native.toFixed(1)).join(' ');
    t.diagnostic(
      `${measured} operations measured (after ${warmOps} warm-up) in ${((performance.now() - t0) / 1000).toFixed(1)} s; ` +
        `fds ${fds} -> ${fdCount()}; RSS ${samples[0].rss.toFixed(1)} -> ${end.rss.toFixed(1)} MiB; ` +
        `outside the V8 heap (MiB, per block): ${series}; JS heap ${samples[0].heap.toFixed(1)} -> ${end.heap.toFixed(1)} MiB`,
    );
    assert.ok(measured >= 10000);
    assert.equal(fdCount(), fds);
    // A leak grows steadily; allocator warm-up does not. The second half (~5,600 operations)
    // must not grow by 3 MiB (that would be ~550 bytes per operation).
    // Under the sanitizer tier ASan keeps freed memory in its quarantine (up to 256 MiB, by
    // design), so native RSS grows whatever the addon does; there the fd and JS heap checks hold.
    if (process.env.NETDEV_SANITIZED !== '1')
      assert.ok(end.native - mid.native < 3, `RSS outside the V8 heap grew ${(end.native - mid.native).toFixed(1)} MiB in the second half`);
    assert.ok(end.heap - mid.heap < 3, `JS heap grew ${(end.heap - mid.heap).toFixed(1)} MiB in the second half`);
  });
});
