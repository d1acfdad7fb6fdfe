// Link kinds the host kernel lacks, run on a stock distribution kernel (scripts/kernel-vm.mjs):
// each creates the kind with non-default settings, reads it back and cross-checks `ip -d -j`.
// Executed directly as one Node process (starting Node under TCG costs seconds).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  createBond, createGeneve, createGre, createIp6Gre, createIpip, createMacsec, createNlmon, createSit, createTeam, createVcan,
  createVxcan, createWireguard, setLinkData,
  addAddress, addBridgeVlan, connectTcp, deleteBridgeVlan, listBridgeVlans, createBridge, createDummy, createIfb, createIpvlan, createIpvtap, createTcpServer, createVeth,
  createVlan, createVrf, getLink, listLinks, setLink, openMacvtap, createUdpSocket, addRoute, addRule, listRules, listRoutes, getRoute,
} from 'netdev';
import { once } from 'node:events';
import { bridgeJson, ipJson, rejectsWith, waitFor, withNetns, withNetnsN } from '../helpers.mjs';

test('vlan: id, protocol, flags and QoS maps read back and match ip -d -j', async () => {
  await withNetns(async (ns) => {
    await createVeth({ name: 'p0', netns: ns, peer: { name: 'p1' } });
    const v = await createVlan({
      name: 'p0.100', netns: ns, parent: 'p0', id: 100, protocol: '802.1ad', reorderHdr: false, gvrp: true, mvrp: true,
      looseBinding: true, bridgeBinding: true, ingressQos: [[1, 2], [3, 4]], egressQos: [[5, 6]],
    });
    assert.equal(v.kind, 'vlan');
    assert.equal(v.parent, (await getLink('p0', { netns: ns })).index);
    assert.deepEqual(v.info, {
      id: 100, protocol: '802.1ad', reorderHdr: false, gvrp: true, mvrp: true, looseBinding: true, bridgeBinding: true,
      ingressQos: [[1, 2], [3, 4]], egressQos: [[5, 6]],
    });
    const [ip] = await ipJson(ns, '-d', 'link', 'show', 'p0.100');
    const d = ip.linkinfo.info_data;
    assert.equal(d.id, 100);
    assert.equal(d.protocol, '802.1ad');
    assert.deepEqual(d.flags.sort(), ['BRIDGE_BINDING', 'GVRP', 'LOOSE_BINDING', 'MVRP']);
    assert.deepEqual(d.ingress_qos.map((m) => [m.from, m.to]), [[1, 2], [3, 4]]);
    assert.deepEqual(d.egress_qos.map((m) => [m.from, m.to]), [[5, 6]]);
    const plain = await createVlan({ name: 'p0.7', netns: ns, parent: 'p0', id: 7 });
    assert.equal(plain.info.protocol, '802.1Q');
    assert.equal(plain.info.reorderHdr, true);
  });
});

test('ipvlan and ipvtap: modes l2/l3/l3s and flags bridge/private/vepa', async () => {
  await withNetns(async (ns) => {
    await createVeth({ name: 'p0', netns: ns, peer: { name: 'p1' } });
    let n = 0;
    for (const create of [createIpvlan, createIpvtap])
      for (const mode of ['l2', 'l3', 'l3s'])
        for (const flag of ['bridge', 'private', 'vepa']) {
          const name = `iv${n++}`;
          const l = await create({ name, netns: ns, parent: 'p0', mode, flag });
          assert.equal(l.kind, create === createIpvlan ? 'ipvlan' : 'ipvtap');
          assert.deepEqual(l.info, { mode, private: flag === 'private', vepa: flag === 'vepa' });
          const [ip] = await ipJson(ns, '-d', 'link', 'show', name);
          assert.equal(ip.linkinfo.info_data.mode, mode);
          assert.equal(ip.linkinfo.info_data[flag], true, JSON.stringify(ip.linkinfo.info_data));
        }
  });
});

test('ipvtap: its character device, opened by openMacvtap, carries frames both ways (netdev answers UDP behind it)', async () => {
  await withNetnsN(2, async ([host, peer]) => {
    await createVeth({ name: 'up0', netns: host, up: true, peer: { name: 'eth0', netns: peer, up: true } });
    await addAddress('eth0', '10.49.0.1/24', { netns: peer });
    await createIpvtap({ name: 'ivt0', netns: host, parent: 'up0', mode: 'l2', up: true });
    // ipvlan hands unicast to the slave that holds the destination address; the slave shares the
    // parent's MAC address.
    await addAddress('ivt0', '10.49.0.2/24', { netns: host });
    const MAC = Buffer.from((await getLink('up0', { netns: host })).mac.split(':').map((x) => parseInt(x, 16)));
    const dev = await openMacvtap('ivt0', { netns: host });
    assert.equal(dev.kind, 'ipvtap');
    let frames = 0;
    dev.onPackets((b) => {
      for (let i = 0; i < b.count; i++) {
        frames++;
        const f = b.packet(i);
        if (f.readUInt16BE(12) !== 0x0800 || f[23] !== 17) continue;
        // Echo the UDP datagram back with addresses and ports swapped (checksum 0: allowed on IPv4).
        const r = Buffer.from(f);
        f.copy(r, 0, 6, 12);
        MAC.copy(r, 6);
        f.copy(r, 26, 30, 34);
        f.copy(r, 30, 26, 30);
        f.copy(r, 34, 36, 38);
        f.copy(r, 36, 34, 36);
        r.writeUInt16BE(0, 40);
        dev.write(r);
      }
    });
    const sock = await createUdpSocket({ netns: peer, type: 'udp4' });
    const answer = once(sock, 'message');
    sock.send('via ipvtap', 9000, '10.49.0.2');
    const [msg, rinfo] = await answer;
    assert.equal(msg.toString(), 'via ipvtap');
    assert.equal(rinfo.address, '10.49.0.2');
    assert.ok(frames >= 1);
    sock.close();
    dev.close();
  });
});

test('dummy, ifb, vrf (with an enslaved link) read back', async () => {
  await withNetns(async (ns) => {
    const d = await createDummy({ name: 'd0', netns: ns, mtu: 9000, up: true, mac: '02:00:00:00:0d:01' });
    assert.equal(d.kind, 'dummy');
    assert.equal(d.mtu, 9000);
    assert.equal((await createIfb({ name: 'ifb9', netns: ns })).kind, 'ifb');
    const vrf = await createVrf({ name: 'vrf-blue', netns: ns, table: 1001, up: true });
    assert.deepEqual(vrf.info, { table: 1001 });
    await setLink('d0', { master: 'vrf-blue' }, { netns: ns });
    const port = await getLink('d0', { netns: ns });
    assert.equal(port.master, vrf.index);
    assert.equal(port.portKind, 'vrf');
    const [ip] = await ipJson(ns, '-d', 'link', 'show', 'vrf-blue');
    assert.equal(ip.linkinfo.info_data.table, 1001);
  });
});

test('VRF routing: routes in the VRF table, an l3mdev rule, getRoute through the VRF; the same prefix in two VRFs', async () => {
  await withNetns(async (ns) => {
    const o = { netns: ns };
    for (const [name, table] of [['red', 10], ['blue', 20]]) await createVrf({ name, netns: ns, table, up: true });
    await createVeth({ name: 'r0', netns: ns, up: true, master: 'red', peer: { name: 'r1', up: true } });
    await createVeth({ name: 'b0', netns: ns, up: true, master: 'blue', peer: { name: 'b1', up: true } });
    await addAddress('r0', '10.1.0.1/24', o);
    await addAddress('b0', '10.1.0.1/24', o); // the same subnet in both VRFs
    await addRoute({ ...o, destination: '10.99.0.0/16', gateway: '10.1.0.254', table: 10 });
    await addRoute({ ...o, destination: '10.99.0.0/16', gateway: '10.1.0.253', table: 20 });
    // The kernel adds the l3mdev rule with the first VRF; adding one explicitly shows the option.
    const rules = await listRules({ ...o, family: 4 });
    assert.ok(rules.some((r) => r.l3mdev), JSON.stringify(rules));
    await addRule({ ...o, l3mdev: true, priority: 900 });
    assert.equal((await listRules({ ...o, family: 4 })).find((r) => r.priority === 900).l3mdev, true);
    assert.equal((await listRoutes({ ...o, table: 10 })).find((r) => r.destination === '10.99.0.0/16').gateway, '10.1.0.254');
    assert.equal((await getRoute('10.99.1.1', { ...o, device: 'red' })).gateway, '10.1.0.254');
    assert.equal((await getRoute('10.99.1.1', { ...o, device: 'blue' })).gateway, '10.1.0.253');
    const [ip] = await ipJson(ns, 'route', 'get', 'vrf', 'blue', '10.99.1.1');
    assert.equal(ip.gateway, '10.1.0.253');
  });
});

test('bridge vlan_filtering, vlan_protocol and default_pvid round trip on a kernel that has them', async () => {
  await withNetns(async (ns) => {
    const br = await createBridge({ name: 'brv', netns: ns, vlanFiltering: true, vlanProtocol: '802.1ad', defaultPvid: 10 });
    assert.equal(br.info.vlanFiltering, true);
    assert.equal(br.info.vlanProtocol, '802.1ad');
    assert.equal(br.info.defaultPvid, 10);
    const [ip] = await ipJson(ns, '-d', 'link', 'show', 'brv');
    assert.equal(ip.linkinfo.info_data.vlan_filtering, 1);
    assert.equal(ip.linkinfo.info_data.vlan_protocol, '802.1ad');
    assert.equal(ip.linkinfo.info_data.vlan_default_pvid, 10);
    // Changed after creation (ip link set brv type bridge vlan_filtering 0 vlan_default_pvid 20).
    await createBridge({ name: 'brw', netns: ns });
    await setLinkData('brw', { vlanFiltering: true, defaultPvid: 20 }, { netns: ns });
    const [w] = await ipJson(ns, '-d', 'link', 'show', 'brw');
    assert.deepEqual([w.linkinfo.info_data.vlan_filtering, w.linkinfo.info_data.vlan_default_pvid], [1, 20]);
  });
});

test('scenario (e): VLAN sub-interfaces on both ends of a veth carry VLAN 5 and not VLAN 6', async () => {
  await withNetnsN(2, async ([a, b]) => {
    await createVeth({ name: 'eth0', netns: a, up: true, peer: { name: 'eth0', netns: b, up: true } });
    await createVlan({ name: 'eth0.5', netns: a, parent: 'eth0', id: 5, up: true });
    await createVlan({ name: 'eth0.5', netns: b, parent: 'eth0', id: 5, up: true });
    await createVlan({ name: 'eth0.6', netns: a, parent: 'eth0', id: 6, up: true });
    await createVlan({ name: 'eth0.7', netns: b, parent: 'eth0', id: 7, up: true });
    await addAddress('eth0.5', '10.5.0.1/24', { netns: a });
    await addAddress('eth0.5', '10.5.0.2/24', { netns: b });
    // VLAN 6 on a, VLAN 7 on b, same subnet: frames tagged 6 find nobody on b.
    await addAddress('eth0.6', '10.6.0.1/24', { netns: a });
    await addAddress('eth0.7', '10.6.0.2/24', { netns: b });
    const s5 = await createTcpServer({ netns: b, host: '10.5.0.2', port: 5555 }, (s) => s.end('vlan5'));
    const s6 = await createTcpServer({ netns: b, host: '10.6.0.2', port: 6666 }, (s) => s.end('vlan6'));
    try {
      const sock = await connectTcp({ netns: a, host: '10.5.0.2', port: 5555, timeout: 10000 });
      let got = '';
      for await (const c of sock) got += c;
      assert.equal(got, 'vlan5');
      await rejectsWith(connectTcp({ netns: a, host: '10.6.0.2', port: 6666, timeout: 3000 }), 'ETIMEDOUT');
    } finally {
      s5.close();
      s6.close();
    }
    assert.equal((await listLinks({ netns: a, kind: 'vlan' })).length, 2);
  });
});

test('bridge VLANs per port: add (pvid, untagged, ranges), list, delete; matches bridge -j vlan', async () => {
  await withNetns(async (ns) => {
    await createBridge({ name: 'br0', netns: ns, vlanFiltering: true });
    await createVeth({ name: 'p0', netns: ns, master: 'br0', peer: { name: 'x0' } });
    await createVeth({ name: 'p1', netns: ns, master: 'br0', peer: { name: 'x1' } });
    await addBridgeVlan('p0', { vid: 10, pvid: true, untagged: true }, { netns: ns });
    await addBridgeVlan('p1', { vid: 20, vidEnd: 23 }, { netns: ns });
    await addBridgeVlan('br0', { vid: 10, self: true }, { netns: ns });
    const list = await listBridgeVlans({ netns: ns });
    const of = (name) => list.find((e) => e.name === name).vlans;
    // p0 keeps the default VLAN 1, which is no longer its PVID.
    assert.deepEqual(of('p0').find((x) => x.vid === 10), { vid: 10, pvid: true, untagged: true });
    assert.equal(of('p0').find((x) => x.vid === 1).pvid, false);
    assert.deepEqual(of('p1').filter((x) => x.vid >= 20).map((x) => x.vid), [20, 21, 22, 23]);
    assert.ok(of('br0').some((x) => x.vid === 10));
    const ip = await bridgeJson(ns, 'vlan', 'show');
    const p0 = ip.find((e) => e.ifname === 'p0').vlans.find((x) => x.vlan === 10);
    assert.deepEqual(p0.flags.sort(), ['Egress Untagged', 'PVID']);
    await deleteBridgeVlan('p1', { vid: 21, vidEnd: 22 }, { netns: ns });
    assert.deepEqual((await listBridgeVlans({ netns: ns, link: 'p1' }))[0].vlans.filter((x) => x.vid >= 20).map((x) => x.vid), [20, 23]);
    // Deleting a VLAN never deletes the port.
    assert.equal((await getLink('p1', { netns: ns })).portKind, 'bridge');
  });
});

test('scenario (c): bridge VLAN filtering: two ports in VLAN 10 reach each other, a port in VLAN 11 does not', async () => {
  await withNetnsN(4, async ([host, a, b, c]) => {
    await createBridge({ name: 'br0', netns: host, vlanFiltering: true, up: true });
    for (const [i, [ns, vid]] of [[a, 10], [b, 10], [c, 11]].entries()) {
      await createVeth({ name: `tap${i}`, netns: host, master: 'br0', up: true, peer: { name: 'eth0', netns: ns, up: true } });
      // An access port: untagged in its VLAN, and out of the default VLAN 1.
      await deleteBridgeVlan(`tap${i}`, { vid: 1 }, { netns: host });
      await addBridgeVlan(`tap${i}`, { vid, pvid: true, untagged: true }, { netns: host });
      await addAddress('eth0', `10.77.0.${i + 1}/24`, { netns: ns });
    }
    const sb = await createTcpServer({ netns: b, host: '10.77.0.2', port: 7000 }, (s) => s.end('b'));
    const sc = await createTcpServer({ netns: c, host: '10.77.0.3', port: 7000 }, (s) => s.end('c'));
    try {
      const sock = await connectTcp({ netns: a, host: '10.77.0.2', port: 7000, timeout: 10000 });
      let got = '';
      for await (const ch of sock) got += ch;
      assert.equal(got, 'b');
      await rejectsWith(connectTcp({ netns: a, host: '10.77.0.3', port: 7000, timeout: 3000 }), 'ETIMEDOUT');
    } finally {
      sb.close();
      sc.close();
    }
  });
});

test('bond: mode and options read back and match ip -d -j; ports show their state', async () => {
  await withNetns(async (ns) => {
    const bond = await createBond({
      name: 'bond0', netns: ns, mode: '802.3ad', miimon: 100, updelay: 200, downdelay: 300, xmitHashPolicy: 'layer3+4',
      lacpRate: 'fast', adSelect: 'bandwidth', minLinks: 1, allSlavesActive: true, resendIgmp: 3, numPeerNotif: 2,
      adActorSysPrio: 100, adUserPortKey: 5, adActorSystem: '02:00:00:00:00:42', useCarrier: false,
    });
    const i = bond.info;
    assert.equal(bond.kind, 'bond');
    assert.deepEqual(
      [i.mode, i.miimon, i.updelay, i.downdelay, i.xmitHashPolicy, i.lacpRate, i.adSelect, i.minLinks, i.allSlavesActive, i.resendIgmp, i.numPeerNotif, i.adActorSysPrio, i.adUserPortKey, i.adActorSystem, i.useCarrier],
      ['802.3ad', 100, 200, 300, 'layer3+4', 'fast', 'bandwidth', 1, true, 3, 2, 100, 5, '02:00:00:00:00:42', false],
    );
    const [ip] = await ipJson(ns, '-d', 'link', 'show', 'bond0');
    const d = ip.linkinfo.info_data;
    assert.equal(d.mode, '802.3ad');
    assert.equal(d.miimon, 100);
    assert.equal(d.xmit_hash_policy, 'layer3+4');
    assert.equal(d.ad_lacp_rate, 'fast');
    assert.equal(d.ad_select, 'bandwidth');
    const ab = await createBond({ name: 'bond1', netns: ns, mode: 'active-backup', arpInterval: 500, arpIpTarget: ['10.0.0.1', '10.0.0.2'], arpValidate: 'all', primaryReselect: 'better', failOverMac: 'active' });
    assert.deepEqual(ab.info.arpIpTarget, ['10.0.0.1', '10.0.0.2']);
    assert.equal(ab.info.arpValidate, 'all');
    assert.equal(ab.info.primaryReselect, 'better');
    assert.equal(ab.info.failOverMac, 'active');
    assert.deepEqual((await ipJson(ns, '-d', 'link', 'show', 'bond1'))[0].linkinfo.info_data.arp_ip_target, ['10.0.0.1', '10.0.0.2']);
    const rr = await createBond({ name: 'bond2', netns: ns, mode: 'balance-rr', packetsPerSlave: 4, miimon: 100, peerNotifyDelay: 200, missedMax: 5 });
    assert.deepEqual([rr.info.packetsPerSlave, rr.info.peerNotifyDelay, rr.info.missedMax], [4, 200, 5]);
    const tlb = await createBond({ name: 'bond3', netns: ns, mode: 'balance-tlb', tlbDynamicLb: false, lpInterval: 3 });
    assert.deepEqual([tlb.info.tlbDynamicLb, tlb.info.lpInterval], [false, 3]);
    const all = await createBond({ name: 'bond4', netns: ns, mode: 'active-backup', arpInterval: 100, arpIpTarget: ['10.0.0.9'], arpAllTargets: 'all' });
    assert.equal(all.info.arpAllTargets, 'all');
    assert.equal((await ipJson(ns, '-d', 'link', 'show', 'bond3'))[0].linkinfo.info_data.tlb_dynamic_lb, 0);
  });
});

test('scenario (d): an active-backup bond fails over when its active slave goes down', async () => {
  await withNetnsN(2, async ([a, b]) => {
    await createBond({ name: 'bond0', netns: a, mode: 'active-backup', miimon: 50, up: true });
    await createBridge({ name: 'br0', netns: b, up: true });
    for (const n of [0, 1]) {
      await createVeth({ name: `s${n}`, netns: a, peer: { name: `r${n}`, netns: b, up: true } });
      await setLink(`r${n}`, { master: 'br0' }, { netns: b });
      await setLink(`s${n}`, { master: 'bond0' }, { netns: a }); // enslave (down), then up
      await setLink(`s${n}`, { up: true }, { netns: a });
    }
    await addAddress('bond0', '10.88.0.1/24', { netns: a });
    await addAddress('br0', '10.88.0.2/24', { netns: b });
    const server = await createTcpServer({ netns: b, host: '10.88.0.2', port: 8080 }, (s) => s.end('ok'));
    const talk = async () => {
      const sock = await connectTcp({ netns: a, host: '10.88.0.2', port: 8080, timeout: 10000 });
      let got = '';
      for await (const c of sock) got += c;
      return got;
    };
    try {
      const active = async () => (await getLink('bond0', { netns: a })).info.activeSlave;
      await waitFor(active, { what: 'an active slave', timeout: 15000 });
      // Choose the active port, and the primary, explicitly (a changelink on the bond).
      await setLinkData('bond0', { activeSlave: 's1', primary: 's1' }, { netns: a });
      const first = await active();
      const firstName = (await getLink(first, { netns: a })).name;
      assert.equal(firstName, 's1');
      assert.equal((await getLink('bond0', { netns: a })).info.primary, first);
      assert.equal((await getLink(firstName, { netns: a })).port.state, 'active');
      assert.equal(await talk(), 'ok');
      // Take the active slave's carrier away: its peer goes down.
      await setLink(`r${firstName.slice(1)}`, { up: false }, { netns: b });
      const second = await waitFor(async () => ((await active()) !== first ? active() : null), { what: 'failover', timeout: 15000 });
      assert.notEqual(second, first);
      assert.equal((await getLink(firstName, { netns: a })).port.state, 'backup');
      assert.equal(await talk(), 'ok');
    } finally {
      server.close();
    }
  });
});

test('GRE family: gre, gretap (IPv4) and ip6gre, ip6gretap: keys, csum, seq, endpoints read back', async () => {
  await withNetns(async (ns) => {
    await createVeth({ name: 'u0', netns: ns, peer: { name: 'u1' } });
    const g = await createGre({ name: 'gre1', netns: ns, local: '10.1.0.1', remote: '10.1.0.2', device: 'u0', ikey: 11, okey: 22, csum: true, seq: true, ttl: 33, tos: 4, pmtudisc: true });
    assert.deepEqual(
      [g.kind, g.info.local, g.info.remote, g.info.ikey, g.info.okey, g.info.icsum, g.info.ocsum, g.info.iseq, g.info.oseq, g.info.ttl, g.info.tos],
      ['gre', '10.1.0.1', '10.1.0.2', 11, 22, true, true, true, true, 33, 4],
    );
    const d = (await ipJson(ns, '-d', 'link', 'show', 'gre1'))[0].linkinfo.info_data;
    assert.equal(d.local, '10.1.0.1');
    assert.equal(d.remote, '10.1.0.2');
    assert.equal(d.ikey, '0.0.0.11');
    assert.equal(d.okey, '0.0.0.22');
    assert.equal(d.ttl, 33);
    const t = await createGre({ name: 'gtap1', netns: ns, kind: 'gretap', local: '10.1.0.1', remote: '10.1.0.3', key: 7 });
    assert.deepEqual([t.kind, t.info.ikey, t.info.okey, t.info.icsum], ['gretap', 7, 7, false]);
    const six = await createIp6Gre({ name: 'g6', netns: ns, local: 'fd00::1', remote: 'fd00::2', key: 9, ttl: 40, encapLimit: 2, flowinfo: 0x12345 });
    assert.deepEqual([six.kind, six.info.local, six.info.remote, six.info.ikey, six.info.ttl, six.info.encapLimit], ['ip6gre', 'fd00::1', 'fd00::2', 9, 40, 2]);
    const tap6 = await createIp6Gre({ name: 'g6tap', netns: ns, kind: 'ip6gretap', local: 'fd00::1', remote: 'fd00::3', fwmark: 7, iseq: true });
    assert.deepEqual([tap6.kind, tap6.info.fwmark, tap6.info.iseq, tap6.info.oseq], ['ip6gretap', 7, true, false]);
    const more = await createGre({ name: 'gre2', netns: ns, local: '10.1.0.1', remote: '10.1.0.5', ttl: 5, fwmark: 3, pmtudisc: true, ignoreDf: false, ocsum: true });
    assert.deepEqual([more.info.fwmark, more.info.ignoreDf, more.info.ocsum, more.info.icsum], [3, false, true, false]);
    const ext = await createGre({ name: 'gre3', netns: ns, kind: 'gretap', external: true });
    assert.equal(ext.info.external, true);
    const nodf = await createGre({ name: 'gre4', netns: ns, local: '10.1.0.1', remote: '10.1.0.6', pmtudisc: false, ttl: 0 });
    assert.equal(nodf.info.pmtudisc, false);
    assert.equal((await ipJson(ns, '-d', 'link', 'show', 'g6'))[0].linkinfo.info_data.remote, 'fd00::2');
  });
});

test('geneve, ipip, sit: settings read back and match ip -d -j', async () => {
  await withNetns(async (ns) => {
    const g = await createGeneve({ name: 'gnv0', netns: ns, vni: 4321, remote: '10.2.0.2', ttl: 9, tos: 3, df: 'set', port: 6082, udpCsum: true });
    assert.deepEqual([g.info.vni, g.info.remote, g.info.ttl, g.info.tos, g.info.df, g.info.port, g.info.udpCsum], [4321, '10.2.0.2', 9, 3, 'set', 6082, true]);
    const gd = (await ipJson(ns, '-d', 'link', 'show', 'gnv0'))[0].linkinfo.info_data;
    assert.equal(gd.id, 4321);
    assert.equal(gd.remote, '10.2.0.2');
    assert.equal(gd.port, 6082);
    const g6 = await createGeneve({ name: 'gnv6', netns: ns, vni: 5, remote: 'fd00::9', flowlabel: 99, ttlInherit: true, udp6ZeroCsumTx: true, udp6ZeroCsumRx: true, port: 6083 });
    assert.deepEqual([g6.info.remote, g6.info.flowlabel, g6.info.ttlInherit, g6.info.udp6ZeroCsumTx, g6.info.udp6ZeroCsumRx], ['fd00::9', 99, true, true, true]);
    const gx = await createGeneve({ name: 'gnvx', netns: ns, vni: 0, external: true, innerProtoInherit: true, port: 6084 });
    assert.deepEqual([gx.info.external, gx.info.innerProtoInherit], [true, true]);
    const ip4 = await createIpip({ name: 'ipip1', netns: ns, local: '10.3.0.1', remote: '10.3.0.2', ttl: 20, tos: 1, pmtudisc: true });
    assert.deepEqual([ip4.kind, ip4.info.local, ip4.info.remote, ip4.info.ttl, ip4.info.tos, ip4.info.pmtudisc], ['ipip', '10.3.0.1', '10.3.0.2', 20, 1, true]);
    const sit = await createSit({ name: 'sit1', netns: ns, local: '10.3.0.1', remote: '10.3.0.3', ttl: 30, proto: 41, fwmark: 6 });
    assert.deepEqual([sit.kind, sit.info.remote, sit.info.ttl, sit.info.proto, sit.info.fwmark], ['sit', '10.3.0.3', 30, 41, 6]);
    const any = await createIpip({ name: 'ipip2', netns: ns, local: '10.3.0.1', remote: '10.3.0.4', proto: 0 });
    assert.equal(any.info.proto, 0);
    const ext = await createIpip({ name: 'ipip3', netns: ns, external: true });
    assert.equal(ext.info.external, true);
    assert.equal((await ipJson(ns, '-d', 'link', 'show', 'ipip1'))[0].linkinfo.info_data.remote, '10.3.0.2');
  });
});

test('macsec: SCI, cipher, flags, validation and replay window read back', async () => {
  await withNetns(async (ns) => {
    await createVeth({ name: 'p0', netns: ns, peer: { name: 'p1' } });
    const m = await createMacsec({
      name: 'ms0', netns: ns, parent: 'p0', sci: '0200000000010002', cipher: 'gcm-aes-256', icvLen: 16, encrypt: true,
      protect: true, sendSci: true, endStation: false, scb: false, replayProtect: true, window: 64, validate: 'check', encodingSa: 2,
    });
    // End station and SCB are the alternatives to sending the SCI; port builds the SCI from the MAC.
    const es = await createMacsec({ name: 'ms1', netns: ns, parent: 'p0', port: 7, sendSci: false, endStation: true });
    assert.deepEqual([es.info.endStation, es.info.sendSci, es.info.sci.endsWith('0007')], [true, false, true]);
    const scb = await createMacsec({ name: 'ms2', netns: ns, parent: 'p0', port: 8, sendSci: false, scb: true });
    assert.equal(scb.info.scb, true);
    const i = m.info;
    assert.deepEqual(
      [i.sci, i.cipher, i.icvLen, i.encrypt, i.protect, i.sendSci, i.replayProtect, i.window, i.validate, i.encodingSa],
      ['0200000000010002', 'gcm-aes-256', 16, true, true, true, true, 64, 'check', 2],
    );
    const d = (await ipJson(ns, '-d', 'link', 'show', 'ms0'))[0].linkinfo.info_data;
    assert.equal(d.cipher_suite, 'GCM-AES-256');
    assert.equal(d.encrypt, true);
    assert.equal(d.validation, 'check');
    assert.equal(d.window, 64);
  });
});

test('vcan, vxcan (peer in another namespace), wireguard, team (with a port), nlmon', async () => {
  await withNetnsN(2, async ([a, b]) => {
    assert.equal((await createVcan({ name: 'vcan0', netns: a })).kind, 'vcan');
    const vx = await createVxcan({ name: 'vxcan0', netns: a, peer: { name: 'vxcan1', netns: b } });
    assert.equal(vx.kind, 'vxcan');
    const peer = await getLink('vxcan1', { netns: b });
    assert.equal(vx.info.peerIndex, peer.index);
    assert.notEqual(vx.parentNetnsId, null);
    assert.equal((await createWireguard({ name: 'wg0', netns: a })).kind, 'wireguard');
    const team = await createTeam({ name: 'team0', netns: a });
    assert.equal(team.kind, 'team');
    await createDummy({ name: 'tp0', netns: a });
    await setLink('tp0', { master: 'team0' }, { netns: a });
    const port = await getLink('tp0', { netns: a });
    assert.equal(port.master, team.index);
    assert.equal(port.portKind, 'team');
    assert.equal((await createNlmon({ name: 'nlmon0', netns: a })).kind, 'nlmon');
    // (Every new namespace also gets the fallback tunnel devices, gre0, sit0, …, once the tunnel
    // modules are loaded: compare only the links made here.)
    const made = ['vcan0', 'vxcan0', 'wg0', 'team0', 'tp0', 'nlmon0'];
    const kinds = (await ipJson(a, '-d', 'link', 'show')).filter((l) => made.includes(l.ifname)).map((l) => [l.ifname, l.linkinfo.info_kind]);
    assert.deepEqual(Object.fromEntries(kinds), { vcan0: 'vcan', vxcan0: 'vxcan', wg0: 'wireguard', team0: 'team', tp0: 'dummy', nlmon0: 'nlmon' });
  });
});
