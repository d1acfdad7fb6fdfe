// Attributes every link has, on the host kernel: alternative names, the ALLMULTI and MULTICAST
// flags, GSO/GRO limits, queue counts and a chosen ifindex at creation; each read back with
// getLink and cross-checked with `ip -d -j link show`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addAltname, createBridge, createVeth, deleteAltname, getLink, listLinks, setLink } from 'netdev';
import { ipJson, rejectsWith, withNetns } from '../helpers.mjs';

test('altnames: added, read back (getLink, listLinks, ip), deleted; duplicates and missing ones refused', async () => {
  await withNetns(async (ns) => {
    const o = { netns: ns };
    const br = await createBridge({ name: 'br0', netns: ns });
    assert.deepEqual(br.altnames, []);
    const long = 'an-alternative-name-much-longer-than-fifteen-bytes';
    await addAltname('br0', long, o);
    await addAltname(br, 'second', o);
    assert.deepEqual((await getLink('br0', o)).altnames, [long, 'second']);
    assert.deepEqual((await listLinks(o)).find((l) => l.name === 'br0').altnames, [long, 'second']);
    const [ip] = await ipJson(ns, 'link', 'show', 'br0');
    assert.deepEqual(ip.altnames, [long, 'second']);
    // A name taken by any link of the namespace, as its name or an altname.
    await createVeth({ name: 'v0', netns: ns, peer: { name: 'v1' } });
    await rejectsWith(addAltname('v0', 'second', o), 'EEXIST');
    await rejectsWith(addAltname('v0', 'br0', o), 'EEXIST');
    await deleteAltname('br0', 'second', o);
    assert.deepEqual((await getLink('br0', o)).altnames, [long]);
    await rejectsWith(deleteAltname('br0', 'second', o), 'ENOENT');
    await rejectsWith(addAltname('nosuch', 'x', o), 'ENODEV');
    await deleteAltname(br.index, long, o);
    assert.deepEqual((await getLink('br0', o)).altnames, []);
    assert.deepEqual((await ipJson(ns, 'link', 'show', 'br0'))[0].altnames, undefined);
  });
});

test('allmulti and multicast: set at creation and by setLink, read back in flags and by ip', async () => {
  await withNetns(async (ns) => {
    const o = { netns: ns };
    const v = await createVeth({ name: 'v0', netns: ns, allmulti: true, multicast: false, peer: { name: 'v1', allmulti: true } });
    assert.ok(v.flags.includes('ALLMULTI'));
    assert.ok(!v.flags.includes('MULTICAST'));
    assert.ok((await getLink('v1', o)).flags.includes('ALLMULTI'));
    let [ip] = await ipJson(ns, 'link', 'show', 'v0');
    assert.ok(ip.flags.includes('ALLMULTI') && !ip.flags.includes('MULTICAST'), ip.flags.join());
    await setLink('v0', { allmulti: false, multicast: true }, o);
    const after = await getLink('v0', o);
    assert.ok(!after.flags.includes('ALLMULTI') && after.flags.includes('MULTICAST'));
    [ip] = await ipJson(ns, 'link', 'show', 'v0');
    assert.ok(!ip.flags.includes('ALLMULTI') && ip.flags.includes('MULTICAST'), ip.flags.join());
    // With another change that the kernel refuses, the flags are put back as they were.
    await rejectsWith(setLink('v0', { allmulti: true, mtu: 65536 }, o), 'EINVAL');
    assert.ok(!(await getLink('v0', o)).flags.includes('ALLMULTI'));
  });
});

test('GSO/GRO limits: set at creation and by setLink, read back and matching ip; above the device limit refused', async () => {
  await withNetns(async (ns) => {
    const o = { netns: ns };
    const br = await createBridge({ name: 'br0', netns: ns, gsoMaxSize: 30000, gsoMaxSegs: 30, groMaxSize: 40000 });
    assert.deepEqual([br.gsoMaxSize, br.gsoMaxSegs, br.groMaxSize], [30000, 30, 40000]);
    await setLink('br0', { gsoMaxSize: 50000, gsoMaxSegs: 100, groMaxSize: 60000 }, o);
    const l = await getLink('br0', o);
    assert.deepEqual([l.gsoMaxSize, l.gsoMaxSegs, l.groMaxSize], [50000, 100, 60000]);
    const [ip] = await ipJson(ns, '-d', 'link', 'show', 'br0');
    assert.deepEqual([ip.gso_max_size, ip.gso_max_segs, ip.gro_max_size], [50000, 100, 60000]);
    // A veth's TSO limit is below 512 KiB: the kernel refuses more (EINVAL) and nothing changes.
    const v = await createVeth({ name: 'v0', netns: ns, peer: { name: 'v1' } });
    await rejectsWith(setLink('v0', { gsoMaxSize: 524288, groMaxSize: 1000 }, o), 'EINVAL');
    const back = await getLink('v0', o);
    assert.deepEqual([back.gsoMaxSize, back.groMaxSize], [v.gsoMaxSize, v.groMaxSize]);
    await assert.rejects(setLink('v0', { gsoMaxSegs: 65536 }, o), { code: 'ERR_INVALID_ARG_VALUE' });
  });
});

test('a chosen ifindex and queue counts at creation, for both ends of a veth; an index in use is EEXIST', async () => {
  await withNetns(async (ns) => {
    const o = { netns: ns };
    const v = await createVeth({ name: 'v0', netns: ns, index: 77, numTxQueues: 3, numRxQueues: 2, peer: { name: 'v1', index: 78, numTxQueues: 5, numRxQueues: 4 } });
    assert.deepEqual([v.index, v.numTxQueues, v.numRxQueues], [77, 3, 2]);
    const p = await getLink('v1', o);
    assert.deepEqual([p.index, p.numTxQueues, p.numRxQueues, v.info.peerIndex], [78, 5, 4, 78]);
    const [ip] = await ipJson(ns, '-d', 'link', 'show', 'v1');
    assert.deepEqual([ip.ifindex, ip.num_tx_queues, ip.num_rx_queues], [78, 5, 4]);
    const br = await createBridge({ name: 'br0', netns: ns, index: 500 });
    assert.equal(br.index, 500);
    await rejectsWith(createBridge({ name: 'br1', netns: ns, index: 77 }), 'EEXIST');
    assert.equal((await listLinks(o)).filter((l) => l.name === 'br1').length, 0);
  });
});
