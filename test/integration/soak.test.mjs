// Soak: 10,000+ create/address/delete operations and 1,000 namespace lifecycles leave the fd
// count and RSS flat.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { addAddress, createNetns, createVeth, deleteLinks, listLinks } from 'netdev';
import { fdCount, withNetns } from '../helpers.mjs';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');
const rssMiB = () => process.memoryUsage().rss / 2 ** 20;

test('10,000+ link operations and 1,000 namespaces: fd count and RSS flat', async (t) => {
  await withNetns(async (ns) => {
    const ROUNDS = 36;
    const PER = 100;
    let ops = 0;
    let warm;
    const t0 = performance.now();
    for (let r = 0; r < ROUNDS; r++) {
      const names = Array.from({ length: PER }, (_, i) => `s${i}`);
      const links = await Promise.all(names.map((name) => createVeth({ name, netns: ns })));
      await Promise.all(links.map((l, i) => addAddress(l, `10.77.${i}.1/24`, { netns: ns })));
      await deleteLinks(names, { netns: ns });
      ops += 3 * PER;
      if (r === 5) {
        gc();
        warm = { fds: fdCount(), rss: rssMiB() };
      }
    }
    for (let i = 0; i < 1000; i++) {
      const x = await createNetns();
      x.close();
      ops++;
    }
    gc();
    const end = { fds: fdCount(), rss: rssMiB() };
    assert.equal((await listLinks({ netns: ns, kind: 'veth' })).length, 0);
    t.diagnostic(
      `${ops} operations in ${((performance.now() - t0) / 1000).toFixed(1)} s; fds ${warm.fds} -> ${end.fds}; ` +
        `RSS ${warm.rss.toFixed(1)} -> ${end.rss.toFixed(1)} MiB`,
    );
    assert.ok(ops >= 10000);
    assert.equal(end.fds, warm.fds);
    assert.ok(end.rss - warm.rss < 16, `RSS grew ${end.rss - warm.rss} MiB`);
  });
});
