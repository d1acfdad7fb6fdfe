// Addresses: IPv4 (broadcast like `brd +`) and IPv6, options, filters, delete, flush, replace.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addAddress, createVeth, deleteAddress, flushAddresses, listAddresses } from 'netdev';
import { ipJson, rejectsWith, withNetns } from '../helpers.mjs';

test('IPv4: broadcast computed like brd +, label, scope; matches ip -j addr', async () => {
  await withNetns(async (ns) => {
    const link = await createVeth({ name: 'a0', netns: ns, peer: { name: 'a1' } });
    await addAddress('a0', '192.168.10.1/24', { netns: ns });
    await addAddress(link, '10.1.2.3/16', { netns: ns, label: 'a0:x', scope: 'link', broadcast: false });
    await addAddress(link.index, '172.16.0.1/32', { netns: ns, peer: '172.16.0.2' });
    const got = await listAddresses({ netns: ns, link: 'a0', family: 4 });
    const by = Object.fromEntries(got.map((a) => [a.address, a]));
    assert.equal(by['192.168.10.1'].broadcast, '192.168.10.255');
    assert.equal(by['192.168.10.1'].prefixLength, 24);
    assert.equal(by['192.168.10.1'].label, 'a0');
    assert.equal(by['192.168.10.1'].scope, 'global');
    assert.deepEqual(by['192.168.10.1'].flags, ['permanent']);
    assert.equal(by['10.1.2.3'].label, 'a0:x');
    assert.equal(by['10.1.2.3'].scope, 'link');
    assert.equal(by['10.1.2.3'].broadcast, undefined);
    assert.equal(by['172.16.0.1'].peer, '172.16.0.2');
    const [ip] = await ipJson(ns, 'addr', 'show', 'dev', 'a0');
    const ipv4 = ip.addr_info.filter((a) => a.family === 'inet');
    assert.deepEqual(
      ipv4.map((a) => [a.local, a.prefixlen, a.broadcast, a.scope, a.label, a.address]).sort(),
      got.map((a) => [a.address, a.prefixLength, a.broadcast, a.scope, a.label, a.peer]).sort(),
    );
  });
});

test('IPv6: nodad, noprefixroute, lifetimes; family and link filters done by the kernel', async () => {
  await withNetns(async (ns) => {
    await createVeth({ name: 'b0', netns: ns, up: true, peer: { name: 'b1', up: true } });
    await addAddress('b0', 'fd00::1/64', { netns: ns, noDad: true, noPrefixRoute: true, validLifetime: 3600, preferredLifetime: 1800 });
    await addAddress('b1', '10.0.0.1/8', { netns: ns });
    const v6 = (await listAddresses({ netns: ns, family: 6, link: 'b0' })).find((a) => a.address === 'fd00::1');
    assert.ok(v6);
    assert.equal(v6.family, 6);
    assert.equal(v6.prefixLength, 64);
    assert.ok(v6.flags.includes('nodad'));
    assert.ok(v6.flags.includes('noprefixroute'));
    assert.ok(!v6.flags.includes('permanent'));
    assert.ok(v6.validLifetime <= 3600 && v6.validLifetime > 3500);
    assert.ok(v6.preferredLifetime <= 1800 && v6.preferredLifetime > 1700);
    // Filters: only b0's addresses, only IPv6.
    assert.ok((await listAddresses({ netns: ns, link: 'b0' })).every((a) => a.index === v6.index));
    assert.ok((await listAddresses({ netns: ns, family: 4 })).every((a) => a.family === 4));
    const [ip] = await ipJson(ns, '-6', 'addr', 'show', 'dev', 'b0');
    const entry = ip.addr_info.find((a) => a.local === 'fd00::1');
    assert.equal(entry.prefixlen, 64);
    assert.equal(entry.nodad, true);
    assert.equal(entry.noprefixroute, true);
  });
});

test('delete, replace, flush, and the kernel errors for duplicates and missing addresses', async () => {
  await withNetns(async (ns) => {
    await createVeth({ name: 'c0', netns: ns, peer: { name: 'c1' } });
    await addAddress('c0', '10.9.0.1/24', { netns: ns });
    await rejectsWith(addAddress('c0', '10.9.0.1/24', { netns: ns }), 'EEXIST');
    // Replace updates the existing address in place (here its lifetimes) instead of EEXIST.
    await addAddress('c0', '10.9.0.1/24', { netns: ns, replace: true, validLifetime: 500, preferredLifetime: 400 });
    const [replaced] = await listAddresses({ netns: ns, link: 'c0', family: 4 });
    assert.ok(replaced.validLifetime <= 500 && replaced.validLifetime > 400);
    assert.ok(!replaced.flags.includes('permanent'));
    await deleteAddress('c0', '10.9.0.1/24', { netns: ns });
    await rejectsWith(deleteAddress('c0', '10.9.0.1/24', { netns: ns }), 'EADDRNOTAVAIL');
    for (let i = 1; i <= 5; i++) await addAddress('c0', `10.8.0.${i}/24`, { netns: ns });
    await addAddress('c0', 'fd01::1/64', { netns: ns, noDad: true });
    // Secondaries go with their primary: flush counts only what it removed itself, and never fails on them.
    const removed = await flushAddresses('c0', { netns: ns, family: 4 });
    assert.ok(removed >= 1 && removed <= 5);
    assert.deepEqual(await listAddresses({ netns: ns, link: 'c0', family: 4 }), []);
    assert.equal((await listAddresses({ netns: ns, link: 'c0', family: 6 })).some((a) => a.address === 'fd01::1'), true);
    await rejectsWith(addAddress('nosuch', '10.0.0.1/24', { netns: ns }), 'ENODEV');
  });
});

test('1000 addresses added concurrently are coalesced into batches and all land', async () => {
  await withNetns(async (ns) => {
    const link = await createVeth({ name: 'm0', netns: ns, peer: { name: 'm1' } });
    await Promise.all(Array.from({ length: 1000 }, (_, i) => addAddress(link, `10.${i >> 8}.${i & 255}.1/32`, { netns: ns })));
    assert.equal((await listAddresses({ netns: ns, link, family: 4 })).length, 1000);
    assert.equal((await ipJson(ns, '-4', 'addr', 'show', 'dev', 'm0'))[0].addr_info.length, 1000);
  });
});
