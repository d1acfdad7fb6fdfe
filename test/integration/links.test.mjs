// Links: veth and bridge creation with options read back, setLink, delete, bulk delete; every
// check reads the kernel's view and, for key facts, cross-checks `ip -d -j link`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  NetdevError, addAddress, addRoute, createBridge, createNetns, createVeth, deleteLink, deleteLinks, deleteNetns, getLink,
  listLinks, setLink,
} from 'netdev';
import { ipJson, rejectsWith, waitFor, withNetns, withNetnsN } from '../helpers.mjs';

test('createVeth with options: both ends read back and match ip -d -j', async () => {
  await withNetns(async (ns) => {
    const link = await createVeth({
      name: 'va', netns: ns, mtu: 1400, mac: '02:00:00:00:00:0a', txqlen: 777, alias: 'left end', group: 7, up: true,
      peer: { name: 'vb', mac: '02:00:00:00:00:0b', mtu: 1300, up: true },
    });
    assert.equal(link.name, 'va');
    assert.equal(link.kind, 'veth');
    assert.equal(link.mtu, 1400);
    assert.equal(link.mac, '02:00:00:00:00:0a');
    assert.equal(link.txqlen, 777);
    assert.equal(link.alias, 'left end');
    assert.equal(link.group, 7);
    assert.equal(link.up, true);
    const peer = await getLink('vb', { netns: ns });
    assert.equal(link.info.peerIndex, peer.index);
    assert.equal(peer.parent, link.index);
    assert.equal(peer.mtu, 1300);
    assert.equal(peer.up, true);
    assert.equal(peer.mac, '02:00:00:00:00:0b');
    const [ip] = await ipJson(ns, '-d', 'link', 'show', 'va');
    assert.equal(ip.ifindex, link.index);
    assert.equal(ip.mtu, 1400);
    assert.equal(ip.address, '02:00:00:00:00:0a');
    assert.equal(ip.txqlen, 777);
    assert.equal(ip.ifalias, 'left end');
    assert.equal(ip.linkinfo.info_kind, 'veth');
    assert.equal(ip.link, 'vb');
    assert.ok(ip.flags.includes('UP'));
    // operstate follows carrier asynchronously (linkwatch): wait for both views to agree on UP.
    await waitFor(async () => (await getLink('va', { netns: ns })).operstate === 'up', { what: 'operstate up' });
    await waitFor(async () => (await ipJson(ns, 'link', 'show', 'va'))[0].operstate === 'UP', { what: 'ip operstate UP' });
    // By index, and as a Link object, too.
    assert.equal((await getLink(link.index, { netns: ns })).name, 'va');
    assert.equal((await getLink(link, { netns: ns })).name, 'va');
  });
});

test('createVeth puts the peer directly in another namespace (ip link add … peer netns N)', async () => {
  await withNetnsN(2, async ([a, b]) => {
    const link = await createVeth({ name: 'ea', netns: a, peer: { name: 'eb', netns: b, up: true } });
    assert.notEqual(link.parentNetnsId, null);
    const peer = await getLink('eb', { netns: b });
    assert.equal(peer.up, true);
    assert.equal(link.info.peerIndex, peer.index);
    assert.equal((await listLinks({ netns: a })).some((l) => l.name === 'eb'), false);
    const [ip] = await ipJson(a, 'link', 'show', 'ea');
    assert.equal(ip.link_netnsid, link.parentNetnsId);
  });
});

test('a failed creation leaves nothing behind', async () => {
  await withNetnsN(2, async ([a, b]) => {
    await createVeth({ name: 'taken', netns: b });
    const before = (await listLinks({ netns: a })).length;
    // The peer's name exists in the peer namespace: the kernel refuses the whole pair.
    await rejectsWith(createVeth({ name: 'half', netns: a, peer: { name: 'taken', netns: b } }), 'EEXIST');
    assert.equal((await listLinks({ netns: a })).length, before);
    await rejectsWith(getLink('half', { netns: a }), 'ENODEV');
  });
});

test('createBridge vlanFiltering: round trip where the kernel has it, its own refusal where not', async (t) => {
  await withNetns(async (ns) => {
    try {
      const br = await createBridge({ name: 'brv', netns: ns, vlanFiltering: true, vlanProtocol: '802.1ad', defaultPvid: 10 });
      assert.equal(br.info.vlanFiltering, true);
      assert.equal(br.info.vlanProtocol, '802.1ad');
      assert.equal(br.info.defaultPvid, 10);
      const [ip] = await ipJson(ns, '-d', 'link', 'show', 'brv');
      assert.equal(ip.linkinfo.info_data.vlan_filtering, 1);
      t.diagnostic('kernel has CONFIG_BRIDGE_VLAN_FILTERING: round trip checked');
    } catch (e) {
      // This host's kernel is built without CONFIG_BRIDGE_VLAN_FILTERING; the kernel-matrix tier
      // runs the round trip on a stock kernel.
      assert.equal(e.code, 'ENOTSUP'); // errno 95: Node's name for EOPNOTSUPP
      await rejectsWith(getLink('brv', { netns: ns }), 'ENODEV');
      t.diagnostic('kernel lacks CONFIG_BRIDGE_VLAN_FILTERING: ENOTSUP (EOPNOTSUPP), nothing created');
    }
  });
});

test('createBridge: every option read back, and cross-checked with ip -d -j', async () => {
  await withNetns(async (ns) => {
    const br = await createBridge({
      name: 'br0', netns: ns, up: true, stp: true, forwardDelay: 4, helloTime: 3, maxAge: 12, ageingTime: 120,
      priority: 4096, mcastSnooping: false, mcastQuerier: true, groupFwdMask: 8, mtu: 1450,
    });
    assert.equal(br.kind, 'bridge');
    assert.equal(br.mtu, 1450);
    assert.deepEqual(
      {
        stp: br.info.stp, forwardDelay: br.info.forwardDelay, helloTime: br.info.helloTime, maxAge: br.info.maxAge,
        ageingTime: br.info.ageingTime, priority: br.info.priority,
        mcastSnooping: br.info.mcastSnooping, mcastQuerier: br.info.mcastQuerier, groupFwdMask: br.info.groupFwdMask,
      },
      { stp: true, forwardDelay: 4, helloTime: 3, maxAge: 12, ageingTime: 120, priority: 4096, mcastSnooping: false, mcastQuerier: true, groupFwdMask: 8 },
    );
    const [ip] = await ipJson(ns, '-d', 'link', 'show', 'br0');
    const d = ip.linkinfo.info_data;
    assert.equal(d.stp_state, 1);
    assert.equal(d.forward_delay, 400);
    assert.equal(d.hello_time, 300);
    assert.equal(d.max_age, 1200);
    assert.equal(d.ageing_time, 12000);
    assert.equal(d.priority, 4096);
    assert.equal(d.mcast_snooping, 0);
    assert.equal(d.mcast_querier, 1);
    assert.equal(d.group_fwd_mask, '0x8');
    const id = (s) => s.split(/[.:]/).map((x) => parseInt(x, 16));
    assert.deepEqual(id(d.bridge_id), id(br.info.bridgeId));
  });
});

test('setLink: up/down, mtu, mac, rename, master/nomaster, promisc, arp, txqlen, alias, group', async (t) => {
  await withNetns(async (ns) => {
    await createBridge({ name: 'br0', netns: ns, up: true });
    await createVeth({ name: 'p0', netns: ns, peer: { name: 'p1' } });
    await setLink('p0', { up: true, mtu: 1280, mac: '02:aa:00:00:00:01', promisc: true, arp: false, txqlen: 42, alias: 'port', group: 3, master: 'br0' }, { netns: ns });
    let l = await getLink('p0', { netns: ns });
    const br = await getLink('br0', { netns: ns });
    await t.test('every setting of one call reads back: up, mtu, mac, promisc, noarp, txqlen, alias, group', () => {
      assert.equal(l.up, true);
      assert.equal(l.mtu, 1280);
      assert.equal(l.mac, '02:aa:00:00:00:01');
      assert.ok(l.flags.includes('PROMISC'));
      assert.ok(l.flags.includes('NOARP'));
      assert.equal(l.txqlen, 42);
      assert.equal(l.alias, 'port');
      assert.equal(l.group, 3);
    });
    await t.test('master makes it a bridge port, seen by listLinks and ip -d', async () => {
      assert.equal(l.master, br.index);
      assert.equal(l.portKind, 'bridge');
      assert.ok(['forwarding', 'disabled', 'listening', 'learning', 'blocking'].includes(l.port.state));
      assert.deepEqual((await listLinks({ netns: ns, master: 'br0' })).map((x) => x.name), ['p0']);
      const [ip] = await ipJson(ns, '-d', 'link', 'show', 'p0');
      assert.equal(ip.master, 'br0');
      assert.equal(ip.linkinfo.info_slave_kind, 'bridge');
    });
    await t.test('a second call undoes them: down, nomaster, alias removed, promisc and arp back, renamed', async () => {
      await setLink('p0', { up: false, master: null, promisc: false, arp: true, alias: null, name: 'renamed' }, { netns: ns });
      l = await getLink('renamed', { netns: ns });
      assert.equal(l.up, false);
      assert.equal(l.master, null);
      assert.equal(l.alias, null);
      assert.ok(!l.flags.includes('PROMISC'));
      assert.ok(!l.flags.includes('NOARP'));
      await rejectsWith(getLink('p0', { netns: ns }), 'ENODEV');
      assert.deepEqual(await listLinks({ netns: ns, master: 'br0' }), []);
    });
    await t.test('the kernel\'s own refusals carry its extended-ack text', async () => {
      const e = await rejectsWith(setLink('renamed', { mtu: 65536 }, { netns: ns }), 'EINVAL');
      assert.equal(e.extack, 'mtu greater than device maximum');
      assert.equal(e.errno, -22);
      assert.equal(e.syscall, 'rtnetlink');
    });
  });
});

test('setLink moveTo moves a link to another namespace (ip -n A link set DEV netns B)', async () => {
  await withNetnsN(2, async ([a, b]) => {
    await createVeth({ name: 'mv0', netns: a, peer: { name: 'mv1' } });
    const before = await getLink('mv1', { netns: a });
    await setLink('mv1', { moveTo: b }, { netns: a });
    // Gone from a (netdev and ip agree), present in b, still paired with mv0 in a.
    const e = await rejectsWith(getLink('mv1', { netns: a }), 'ENODEV');
    assert.equal(e.netns, `namespace net:[${a.inode}]`);
    assert.deepEqual((await ipJson(a, 'link', 'show')).map((l) => l.ifname).sort(), ['lo', 'mv0']);
    const moved = await getLink('mv1', { netns: b });
    assert.equal(moved.kind, 'veth');
    assert.equal(moved.mac, before.mac);
    assert.notEqual(moved.parentNetnsId, null);
    assert.equal(moved.info.peerIndex, (await getLink('mv0', { netns: a })).index);
    assert.equal((await ipJson(b, 'link', 'show', 'mv1'))[0].ifname, 'mv1');
    // Every namespace reference works as the target, and a move can rename and bring up at once.
    await setLink('mv1', { moveTo: { fd: a.fd }, name: 'back1', up: true }, { netns: b });
    assert.equal((await getLink('back1', { netns: a })).up, true);
    await rejectsWith(getLink('mv1', { netns: b }), 'ENODEV');
  });
});

test('setLink: the deprecated netns key still moves; with moveTo too it is refused before anything changes', async () => {
  await withNetnsN(2, async ([a, b]) => {
    await createVeth({ name: 'old0', netns: a, peer: { name: 'old1' } });
    await setLink('old1', { netns: b }, { netns: a });
    await rejectsWith(getLink('old1', { netns: a }), 'ENODEV');
    assert.equal((await getLink('old1', { netns: b })).kind, 'veth');
    // Both keys: ERR_INVALID_ARG_VALUE, and neither namespace changed (old0 not moved, not up).
    const snapshot = async () => [
      (await listLinks({ netns: a })).map((l) => `${l.index}:${l.name}:${l.up}`),
      (await listLinks({ netns: b })).map((l) => `${l.index}:${l.name}:${l.up}`),
    ];
    const before = await snapshot();
    const e = await rejectsWith(setLink('old0', { up: true, moveTo: b, netns: b }, { netns: a }), 'ERR_INVALID_ARG_VALUE');
    assert.ok(e instanceof TypeError);
    assert.match(e.message, /moveTo.*netns/);
    assert.deepEqual(await snapshot(), before);
  });
});

test('ENODEV names the namespace searched: message and error.netns', async () => {
  const name = `enodev-${process.pid}`;
  const named = await createNetns(name);
  try {
    await withNetns(async (ns) => {
      // The trap: the link is in ns, but the call looks in the caller's namespace (the sandbox's,
      // where no test makes a link of this name).
      await createVeth({ name: 'trap0', netns: ns, peer: { name: 'trap0p' } });
      const here = await rejectsWith(setLink('trap0', { up: true }), 'ENODEV');
      assert.equal(here.netns, "the caller's namespace");
      assert.match(here.message, /^ENODEV: .*, rtnetlink setLink trap0: no such link in the caller's namespace$/);
      // A handle, a name, a path, a pid: each named as given.
      const cases = [
        [ns, `namespace net:[${ns.inode}]`],
        [named, `namespace ${name}`],
        [name, `namespace ${name}`],
        [{ path: `/run/netns/${name}` }, `namespace ${name}`],
        [{ pid: process.pid }, `namespace /proc/${process.pid}/ns/net`],
        [{ fd: named.fd }, `namespace net:[${named.inode}] (fd ${named.fd})`],
      ];
      for (const [netns, described] of cases) {
        const e = await rejectsWith(setLink('nope0', { up: true }, { netns }), 'ENODEV');
        assert.ok(e instanceof NetdevError);
        assert.equal(e.netns, described);
        assert.ok(e.message.startsWith('ENODEV: '), e.message);
        assert.ok(e.message.endsWith(`, rtnetlink setLink nope0: no such link in ${described}`), e.message);
        assert.equal(e.errno, -19);
        assert.equal(e.syscall, 'rtnetlink');
        assert.equal(e.operation, 'setLink nope0');
      }
      // Lookups by name inside other operations say the same.
      const master = await rejectsWith(setLink('trap0', { master: 'nobr0' }, { netns: ns }), 'ENODEV');
      assert.equal(master.netns, `namespace net:[${ns.inode}]`);
      assert.match(master.message, /lookup nobr0: no such link in namespace net:\[\d+\]$/);
      const addr = await rejectsWith(addAddress('nope0', '10.0.0.1/24', { netns: name }), 'ENODEV');
      assert.equal(addr.netns, `namespace ${name}`);
      const route = await rejectsWith(addRoute({ netns: ns, destination: '10.9.0.0/16', device: 'nope0' }), 'ENODEV');
      assert.equal(route.netns, `namespace net:[${ns.inode}]`);
      const index = await rejectsWith(getLink(99999, { netns: named }), 'ENODEV');
      assert.match(index.message, /getLink 99999: no such link in namespace enodev-/);
      // Other errors carry no netns.
      const exists = await rejectsWith(createVeth({ name: 'trap0', netns: ns }), 'EEXIST');
      assert.equal(exists.netns, undefined);
      assert.ok(!exists.message.includes('no such link'));
    });
  } finally {
    named.close();
    await deleteNetns(name);
  }
});

test('listLinks filters by kind in the kernel; deleteLink removes both veth ends', async () => {
  await withNetns(async (ns) => {
    await createBridge({ name: 'brx', netns: ns });
    await createVeth({ name: 'x0', netns: ns, peer: { name: 'x1' } });
    assert.deepEqual((await listLinks({ netns: ns, kind: 'bridge' })).map((l) => l.name), ['brx']);
    assert.deepEqual((await listLinks({ netns: ns, kind: 'veth' })).map((l) => l.name).sort(), ['x0', 'x1']);
    const all = await listLinks({ netns: ns });
    const ip = await ipJson(ns, 'link', 'show');
    assert.deepEqual(all.map((l) => [l.index, l.name]), ip.map((l) => [l.ifindex, l.ifname]));
    await deleteLink('x0', { netns: ns });
    assert.deepEqual((await listLinks({ netns: ns, kind: 'veth' })).map((l) => l.name), []);
    await rejectsWith(deleteLink('x0', { netns: ns }), 'ENODEV');
  });
});

test('deleteLinks deletes many links in one kernel operation, all or nothing', async () => {
  await withNetns(async (ns) => {
    const names = Array.from({ length: 50 }, (_, i) => `d${i}`);
    await Promise.all(names.map((name) => createVeth({ name, netns: ns, group: 5 })));
    await createVeth({ name: 'keep', netns: ns, group: 5 });
    // One missing link: nothing is deleted and the groups are restored.
    await rejectsWith(deleteLinks([...names.slice(0, 3), 'missing'], { netns: ns }), 'ENODEV');
    assert.equal((await listLinks({ netns: ns, kind: 'veth' })).length, 102);
    assert.ok((await listLinks({ netns: ns, kind: 'veth' })).every((l) => l.group === 5 || l.group === 0));
    assert.equal((await getLink('d0', { netns: ns })).group, 5);
    const t0 = performance.now();
    await deleteLinks(names, { netns: ns });
    const ms = performance.now() - t0;
    const left = (await listLinks({ netns: ns, kind: 'veth' })).map((l) => l.name).sort();
    assert.equal(left.length, 2); // keep and its peer
    assert.ok(left.includes('keep'));
    // 50 sequential deletions take ~50 RCU grace periods (~0.8 s); one group deletion a few.
    assert.ok(ms < 500, `bulk delete took ${ms} ms`);
  });
});
