// Link offload features over ethtool netlink (getLinkFeatures / setLinkFeatures), read back, and
// cross-checked with the kernel's own view in /sys-less form: the active set after a change.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createVeth, getLinkFeatures, setLinkFeatures } from 'netdev';
import { rejectsWith, withNetns } from '../helpers.mjs';

test('features read back; a legacy group turns off every member the device can change, and on again', async () => {
  await withNetns(async (ns) => {
    await createVeth({ name: 'f0', peer: { name: 'f1' }, netns: ns });
    const before = await getLinkFeatures('f0', { netns: ns });
    assert.ok(Object.keys(before).length > 20, 'the kernel names its features');
    assert.equal(before['tx-checksum-ip-generic'].active, true, 'veth offloads checksums by default');
    assert.equal(before['tx-checksum-ip-generic'].fixed, false);
    await setLinkFeatures('f0', { tx: false, 'rx-gro': true }, { netns: ns });
    const off = await getLinkFeatures('f0', { netns: ns });
    for (const [n, f] of Object.entries(off)) if (n.startsWith('tx-checksum-')) assert.equal(f.active, false, n);
    assert.equal(off['rx-gro'].active, true);
    // The peer is untouched.
    assert.equal((await getLinkFeatures('f1', { netns: ns }))['tx-checksum-ip-generic'].active, true);
    await setLinkFeatures('f0', { 'tx-checksumming': true }, { netns: ns });
    assert.equal((await getLinkFeatures('f0', { netns: ns }))['tx-checksum-ip-generic'].active, true);
    // By index, too.
    const idx = (await import('netdev')).getLink('f0', { netns: ns });
    await setLinkFeatures((await idx).index, { 'tx-checksum-ip-generic': false }, { netns: ns });
    assert.equal((await getLinkFeatures('f0', { netns: ns }))['tx-checksum-ip-generic'].active, false);
  });
});

test('bad names and values are refused before any system call; fixed or unknown features by the kernel', async () => {
  await withNetns(async (ns) => {
    await createVeth({ name: 'f0', peer: { name: 'f1' }, netns: ns });
    await rejectsWith(setLinkFeatures('f0', { 'Not A Name': false }, { netns: ns }), 'ERR_INVALID_ARG_VALUE');
    await rejectsWith(setLinkFeatures('f0', { tx: 'off' }, { netns: ns }), 'ERR_INVALID_ARG_TYPE');
    await rejectsWith(setLinkFeatures('f0', null, { netns: ns }), 'ERR_INVALID_ARG_TYPE');
    await rejectsWith(setLinkFeatures('bad/name', { tx: false }, { netns: ns }), 'ERR_INVALID_ARG_VALUE');
    await rejectsWith(getLinkFeatures('f0', { netns: ns, typo: 1 }), 'ERR_INVALID_ARG_VALUE');
    const before = await getLinkFeatures('f0', { netns: ns });
    const fixed = Object.entries(before).find(([, f]) => f.fixed)?.[0];
    assert.ok(fixed, 'veth has fixed features');
    const e = await rejectsWith(setLinkFeatures('f0', { [fixed]: !before[fixed].active, tx: false }, { netns: ns }), 'ENOTSUP');
    assert.match(e.detail, /fixed/);
    await rejectsWith(setLinkFeatures('f0', { 'no-such-feature': true }, { netns: ns }), 'ENOTSUP');
    assert.deepEqual(await getLinkFeatures('f0', { netns: ns }), before, 'a refused change changed nothing');
    await rejectsWith(getLinkFeatures('nope0', { netns: ns }), 'ENODEV');
  });
});
