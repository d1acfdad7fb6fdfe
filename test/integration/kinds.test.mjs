// Link kinds on the host kernel: VXLAN, MACVLAN (all five modes), MACVTAP; every option set is
// read back and cross-checked with `ip -d -j`. Kinds this kernel lacks are reported as such (the
// kernel-matrix tier, test/kernel/, runs them on a stock kernel).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  addAddress, addFdb, connectTcp, createBridge, createDummy, createIpvlan, createMacvlan, createMacvtap, createTcpServer,
  createVeth, createVlan, createVrf, createVxlan, getLink, setLink, setLinkData,
} from 'netdev';
import { ipJson, rejectsWith, withNetns, withNetnsN } from '../helpers.mjs';

test('VXLAN over IPv4: every option read back and matching ip -d -j', async () => {
  await withNetns(async (ns) => {
    await createVeth({ name: 'u0', netns: ns, up: true, peer: { name: 'u1', up: true } });
    const vx = await createVxlan({
      name: 'vx0', netns: ns, vni: 4242, remote: '10.9.9.2', local: '10.9.9.1', device: 'u0', srcPortRange: [40000, 41000],
      ttl: 17, tos: 8, df: 'set', learning: false, proxy: true, rsc: true, l2miss: true, l3miss: true, ageing: 123, limit: 9,
      udpCsum: true, mtu: 1400,
    });
    const u0 = await getLink('u0', { netns: ns });
    assert.equal(vx.kind, 'vxlan');
    assert.deepEqual(
      { ...vx.info },
      {
        ...vx.info,
        vni: 4242, remote: '10.9.9.2', local: '10.9.9.1', device: u0.index, port: 4789, srcPortRange: [40000, 41000], ttl: 17,
        tos: 8, df: 'set', learning: false, proxy: true, rsc: true, l2miss: true, l3miss: true, ageing: 123, limit: 9,
        udpCsum: true, ttlInherit: false, external: false,
      },
    );
    const [ip] = await ipJson(ns, '-d', 'link', 'show', 'vx0');
    const d = ip.linkinfo.info_data;
    assert.equal(d.id, 4242);
    assert.equal(d.remote, '10.9.9.2');
    assert.equal(d.local, '10.9.9.1');
    assert.equal(d.link, 'u0');
    assert.equal(d.port, 4789);
    assert.deepEqual([d.port_range.low, d.port_range.high], [40000, 41000]);
    assert.equal(d.ttl, 17);
    assert.equal(d.df, 'set');
    assert.equal(d.learning, false);
    assert.equal(d.proxy, true);
    assert.equal(d.rsc, true);
    assert.equal(d.l2miss, true);
    assert.equal(d.l3miss, true);
    assert.equal(d.ageing, 123);
    assert.equal(d.limit, 9);
    assert.equal(d.udp_csum, true);
  });
});

test('VXLAN over IPv6 with a multicast group, flowlabel, kernel-default port when asked', async () => {
  await withNetns(async (ns) => {
    await createVeth({ name: 'u0', netns: ns, up: true, peer: { name: 'u1', up: true } });
    const vx = await createVxlan({
      name: 'vx6', netns: ns, vni: 7, multicastGroup: 'ff05::100', local: 'fd00::1', device: 'u0', flowlabel: 77,
      udp6ZeroCsumTx: true, udp6ZeroCsumRx: true, ttlInherit: true, port: 8472,
    });
    assert.equal(vx.info.multicastGroup, 'ff05::100');
    assert.equal(vx.info.local, 'fd00::1');
    assert.equal(vx.info.flowlabel, 77);
    assert.equal(vx.info.port, 8472);
    assert.equal(vx.info.ttlInherit, true);
    assert.equal(vx.info.udp6ZeroCsumTx, true);
    assert.equal(vx.info.udp6ZeroCsumRx, true);
    const [ip] = await ipJson(ns, '-d', 'link', 'show', 'vx6');
    assert.equal(ip.linkinfo.info_data.group6, 'ff05::100');
    assert.equal(ip.linkinfo.info_data.label, '0x4d');
    const ext = await createVxlan({ name: 'vxe', netns: ns, vni: 0, external: true });
    assert.equal(ext.info.external, true);
    assert.equal((await ipJson(ns, '-d', 'link', 'show', 'vxe'))[0].linkinfo.info_data.external, true);
  });
});

test('VXLAN: remote checksum offload, GBP, GPE and per-VNI filtering read back', async () => {
  await withNetns(async (ns) => {
    const a = await createVxlan({ name: 'vxa', netns: ns, vni: 1, remcsumTx: true, remcsumRx: true, gbp: true });
    assert.deepEqual([a.info.remcsumTx, a.info.remcsumRx, a.info.gbp, a.info.gpe], [true, true, true, false]);
    // GPE carries no Ethernet header: it needs external (metadata) mode and no learning (the
    // kernel says "VXLAN GPE does not support this combination of attributes" otherwise);
    // vnifilter needs external too.
    const b = await createVxlan({ name: 'vxb', netns: ns, vni: 0, external: true, gpe: true, learning: false, port: 4790 });
    assert.deepEqual([b.info.gpe, b.info.external], [true, true]);
    const c = await createVxlan({ name: 'vxc', netns: ns, vni: 0, external: true, vnifilter: true, port: 4791 });
    assert.equal(c.info.vnifilter, true);
    // A changelink of settings the kernel allows on a live VXLAN.
    await setLinkData('vxa', { ageing: 77, ttl: 9 }, { netns: ns });
    const changed = await getLink('vxa', { netns: ns });
    assert.deepEqual([changed.info.ageing, changed.info.ttl], [77, 9]);
    await assert.rejects(setLinkData('vxa', { nosuch: 1 }, { netns: ns }), { code: 'ERR_INVALID_ARG_VALUE' });
    // A setting of another kind (a bond's miimon): the link's own kind, read first, has none.
    const other = await setLinkData('vxa', { miimon: 100 }, { netns: ns }).catch((e) => e);
    assert.equal(other.code, 'ENOTSUP', other.message);
    assert.match(other.message, /a vxlan link has no setting 'miimon'/);
    const [ip] = await ipJson(ns, '-d', 'link', 'show', 'vxa');
    assert.equal(ip.linkinfo.info_data.remcsum_tx, true);
    assert.equal(ip.linkinfo.info_data.gbp, true);
    assert.equal((await ipJson(ns, '-d', 'link', 'show', 'vxc'))[0].linkinfo.info_data.vnifilter, true);
  });
});

test('MACVLAN and MACVTAP: all five modes, flags, source MAC list, read back and matching ip', async () => {
  await withNetns(async (ns) => {
    await createVeth({ name: 'p0', netns: ns, up: true, peer: { name: 'p1', up: true } });
    const cases = [
      ['private', 'p0', {}], ['vepa', 'p0', { nodst: true }], ['bridge', 'p0', { bcQueueLen: 2000 }],
      ['source', 'p0', { macaddrs: ['02:00:00:00:00:aa', '02:00:00:00:00:bb'] }], ['passthru', 'p1', { nopromisc: true }],
    ];
    for (const [mode, parent, extra] of cases) {
      for (const create of [createMacvlan, createMacvtap]) {
        const kind = create === createMacvlan ? 'macvlan' : 'macvtap';
        const name = `${kind.slice(-3)}${mode.slice(0, 4)}`;
        const l = await create({ name, netns: ns, parent, mode, ...extra });
        assert.equal(l.kind, kind);
        assert.equal(l.info.mode, mode);
        assert.equal(l.parent, (await getLink(parent, { netns: ns })).index);
        for (const [k, v] of Object.entries(extra)) assert.deepEqual(l.info[k], v, `${kind} ${mode} ${k}`);
        const [ip] = await ipJson(ns, '-d', 'link', 'show', name);
        assert.equal(ip.linkinfo.info_kind, kind);
        assert.equal(ip.linkinfo.info_data.mode, mode);
        if (mode === 'passthru') {
          assert.equal(l.info.nopromisc, true);
          // passthru takes the parent over: one per parent, so remove it before the next kind.
          await setLink(name, { name: `${name}x` }, { netns: ns });
          const { deleteLink } = await import('netdev');
          await deleteLink(`${name}x`, { netns: ns });
        }
        if (mode === 'source') assert.equal(l.info.macaddrCount, 2);
      }
    }
  });
});

test('scenario: MACVLAN bridge mode connects two namespaces over one parent, private mode isolates them', async () => {
  for (const mode of ['bridge', 'private']) {
    await withNetnsN(3, async ([hostNs, a, b]) => {
      // The parent: one end of a veth, up (its other end only provides carrier).
      await createVeth({ name: 'eth0', netns: hostNs, up: true, peer: { name: 'wire', up: true } });
      for (const [i, ns] of [a, b].entries()) {
        await createMacvlan({ name: `mv${i}`, netns: hostNs, parent: 'eth0', mode });
        await setLink(`mv${i}`, { moveTo: ns, name: 'eth0' }, { netns: hostNs });
        await setLink('eth0', { up: true }, { netns: ns });
        await addAddress('eth0', `10.60.0.${i + 1}/24`, { netns: ns });
      }
      const server = await createTcpServer({ netns: b, host: '10.60.0.2', port: 8000 }, (s) => s.end('hi'));
      try {
        if (mode === 'bridge') {
          const sock = await connectTcp({ netns: a, host: '10.60.0.2', port: 8000, timeout: 3000 });
          let got = '';
          for await (const c of sock) got += c;
          assert.equal(got, 'hi');
        } else {
          // Private mode: the two MACVLANs cannot reach each other (ARP never answered).
          await rejectsWith(connectTcp({ netns: a, host: '10.60.0.2', port: 8000, timeout: 1500 }), 'ETIMEDOUT');
        }
      } finally {
        server.close();
      }
    });
  }
});

test('scenario: a VXLAN overlay (head-end replication through FDB entries) carries TCP between two guests', async () => {
  await withNetnsN(4, async ([h1, h2, g1, g2]) => {
    // Underlay: the two hosts on one veth.
    await createVeth({ name: 'ul', netns: h1, up: true, peer: { name: 'ul', netns: h2, up: true } });
    await addAddress('ul', '172.30.0.1/24', { netns: h1 });
    await addAddress('ul', '172.30.0.2/24', { netns: h2 });
    for (const [i, [h, g]] of [[h1, g1], [h2, g2]].entries()) {
      const me = `172.30.0.${i + 1}`;
      const other = `172.30.0.${2 - i}`;
      await createBridge({ name: 'br0', netns: h, up: true });
      // No remote: head-end replication through an all-zero FDB entry per remote VTEP
      // (`bridge fdb append 00:00:00:00:00:00 dev vx0 dst REMOTE`).
      await createVxlan({ name: 'vx0', netns: h, vni: 100, local: me, device: 'ul', master: 'br0', up: true, mtu: 1450 });
      await addFdb('vx0', { mac: '00:00:00:00:00:00', dst: other }, { netns: h, mode: 'append' });
      await createVeth({ name: 'tap', netns: h, master: 'br0', up: true, mtu: 1450, peer: { name: 'eth0', netns: g, up: true, mtu: 1450 } });
      await addAddress('eth0', `192.168.50.${i + 1}/24`, { netns: g });
    }
    const server = await createTcpServer({ netns: g2, host: '192.168.50.2', port: 9000 }, (s) => s.pipe(s));
    try {
      const sock = await connectTcp({ netns: g1, host: '192.168.50.2', port: 9000, timeout: 5000 });
      const payload = Buffer.alloc(100_000, 3);
      sock.end(payload);
      const chunks = [];
      for await (const c of sock) chunks.push(c);
      assert.ok(Buffer.concat(chunks).equals(payload));
      const vx = await getLink('vx0', { netns: h1 });
      assert.ok(vx.stats.txPackets > 0 && vx.stats.rxPackets > 0);
    } finally {
      server.close();
    }
  });
});

test('kinds this host kernel lacks are reported as such (the kernel-matrix tier runs them)', async (t) => {
  await withNetns(async (ns) => {
    await createVeth({ name: 'p0', netns: ns, peer: { name: 'p1' } });
    const probes = [
      ['vlan', () => createVlan({ name: 'v5', netns: ns, parent: 'p0', id: 5 })],
      ['ipvlan', () => createIpvlan({ name: 'iv0', netns: ns, parent: 'p0' })],
      ['dummy', () => createDummy({ name: 'd0', netns: ns })],
      ['vrf', () => createVrf({ name: 'vrf0', netns: ns, table: 10 })],
    ];
    const lacking = [];
    for (const [kind, probe] of probes) {
      try {
        await probe();
      } catch (e) {
        assert.equal(e.code, 'ENOTSUP', `${kind}: ${e.message}`);
        lacking.push(kind);
      }
    }
    t.diagnostic(`host kernel lacks: ${lacking.join(', ') || 'nothing'} (run in the kernel-matrix tier)`);
  });
});
