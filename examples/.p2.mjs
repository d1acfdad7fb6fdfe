import * as n from 'netdev';
const ns = await n.createNetns();
await n.createVeth({ name: 'rt0', netns: ns, up: true, peer: { name: 'rt1', up: true } });
const dst = (i) => { const a = 0x0c000000 + i + 1; return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`; };
const idx = (await n.getLink('rt0', { netns: ns })).index;
const t = [];
for (let r = 0; r < 12; r++) {
  const t0 = performance.now();
  await Promise.all(Array.from({ length: 10000 }, (_, i) => n.addRoute({ netns: ns, destination: dst(i + r * 10000), device: 'rt0' })));
  t.push(performance.now() - t0);
}
console.log('per 10k (ms):', t.map((x) => x.toFixed(0)).join(' '), 'median of last 8', t.slice(4).sort((a, b) => a - b)[4].toFixed(0));
ns.close();
