// Link kinds the host kernel lacks, run on a stock distribution kernel (scripts/kernel-vm.mjs):
// each creates the kind with non-default settings, reads it back and cross-checks `ip -d -j`.
// Executed directly as one Node process (starting Node under TCG costs seconds).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  addAddress, addBridgeVlan, connectTcp, deleteBridgeVlan, listBridgeVlans, createBridge, createDummy, createIfb, createIpvlan, createIpvtap, createTcpServer, createVeth,
  createVlan, createVrf, getLink, listLinks, setLink,
} from 'netdev';
import { bridgeJson, ipJson, rejectsWith, withNetns, withNetnsN } from '../helpers.mjs';

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
