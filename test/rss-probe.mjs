import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { addAddress, createNetns, createVeth, deleteLinks } from 'netdev';
setFlagsFromString('--expose-gc'); const gc = runInNewContext('gc');
const ns = await createNetns();
const rounds = Number(process.argv[2] ?? 120);
const mem = () => { gc(); const m = process.memoryUsage(); return `rss ${(m.rss/2**20).toFixed(1)} heap ${(m.heapUsed/2**20).toFixed(1)}`; };
for (let r = 0; r <= rounds; r++) {
  const names = Array.from({ length: 100 }, (_, i) => `s${i}`);
  const links = await Promise.all(names.map((name) => createVeth({ name, netns: ns })));
  await Promise.all(links.map((l, i) => addAddress(l, `10.77.${i}.1/24`, { netns: ns })));
  await deleteLinks(names, { netns: ns });
  if (r % 30 === 0) console.log('round', r, mem());
}
ns.close();
