// Link kinds: links the kernel makes itself keep their kind and raw settings; the escape hatch;
// and the bad-input suite across kinds (errors before any syscall where netdev can know, the
// kernel's extended ack otherwise; nothing half-created).
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';
import * as nd from 'netdev';
import { fdCount, nameCacheReady, tunAccessible, withNetns } from '../helpers.mjs';

const run = promisify(execFile);

test('links netdev did not make keep their kind, and unknown settings their raw bytes (tun, ifb)', async () => {
  await withNetns(async (ns) => {
    const ifb = await nd.createIfb({ name: 'ifb7', netns: ns, up: true });
    assert.equal(ifb.kind, 'ifb');
    // (ip tuntap needs /dev/net/tun, which an unprivileged run may not open: then ifb only.)
    if (!tunAccessible()) return;
    await run('nsenter', [`--net=/proc/${process.pid}/fd/${ns.fd}`, 'ip', 'tuntap', 'add', 'dev', 'tun7', 'mode', 'tun']);
    const tun = (await nd.listLinks({ netns: ns })).find((l) => l.name === 'tun7');
    assert.equal(tun.kind, 'tun');
    assert.ok(Buffer.isBuffer(tun.info.raw) && tun.info.raw.length > 0);
    assert.equal(tun.type, 'none');
  });
});

test('the escape hatch: createLinkOfKind with validated data, or raw infoData', async () => {
  await withNetns(async (ns) => {
    const vx = await nd.createLinkOfKind({ kind: 'vxlan', name: 'vxr', netns: ns, data: { vni: 99, port: 4789, learning: false } });
    assert.deepEqual([vx.kind, vx.info.vni, vx.info.learning], ['vxlan', 99, false]);
    // Raw IFLA_INFO_DATA: IFLA_VXLAN_ID (1) = 1234 and IFLA_VXLAN_PORT (15) = htons(4790).
    const raw = Buffer.from([8, 0, 1, 0, 0xd2, 0x04, 0, 0, 6, 0, 15, 0, 0x12, 0xb6, 0, 0]);
    const rx = await nd.createLinkOfKind({ kind: 'vxlan', name: 'vxraw', netns: ns, infoData: raw });
    assert.deepEqual([rx.info.vni, rx.info.port], [1234, 4790]);
    await assert.rejects(nd.createLinkOfKind({ kind: 'vxlan', name: 'x', netns: ns, data: { vnii: 1 } }), { code: 'ERR_INVALID_ARG_VALUE' });
    // infoData travels as a nest: bytes that are not whole attributes are refused, in lib/ and
    // again in the addon (the encode fuzz target found the addon sending them as they were).
    const { binding } = createRequire(import.meta.url)('../../dist/cjs/core/binding.js');
    for (const bad of [Buffer.from([0x25]), Buffer.alloc(4), Buffer.from([8, 0, 1, 0, 1, 0]), Buffer.from([8, 0, 1, 0, 1, 0, 0, 0, 2])]) {
      await assert.rejects(nd.createLinkOfKind({ kind: 'vxlan', name: 'x', netns: ns, infoData: bad }), { code: 'ERR_INVALID_ARG_VALUE' });
      assert.throws(() => binding().encode({ type: 16, link: { name: 'x', kind: 'vxlan', infoData: bad } }), { code: 'ERR_INVALID_ARG_VALUE' });
    }
    assert.deepEqual((await nd.listLinks({ netns: ns })).map((l) => l.name).sort(), ['lo', 'vxr', 'vxraw']);
  });
});

test('90 invalid link-kind calls: documented codes, nothing half-created, fds flat', async (t) => {
  await withNetns(async (ns) => {
    await nd.createVeth({ name: 'p0', netns: ns, up: true, peer: { name: 'p1', up: true } });
    await nd.createBridge({ name: 'br0', netns: ns });
    const o = { netns: ns };
    const V = 'ERR_INVALID_ARG_VALUE';
    const T = 'ERR_INVALID_ARG_TYPE';
    const cases = [
      ['vlan id 4095', () => nd.createVlan({ ...o, name: 'v', parent: 'p0', id: 4095 }), V],
      ['vlan id -1', () => nd.createVlan({ ...o, name: 'v', parent: 'p0', id: -1 }), V],
      ['vlan without id', () => nd.createVlan({ ...o, name: 'v', parent: 'p0' }), T],
      ['vlan unknown protocol', () => nd.createVlan({ ...o, name: 'v', parent: 'p0', id: 5, protocol: '802.1x' }), V],
      ['vlan qos priority 8', () => nd.createVlan({ ...o, name: 'v', parent: 'p0', id: 5, egressQos: [[1, 8]] }), V],
      ['vlan qos not pairs', () => nd.createVlan({ ...o, name: 'v', parent: 'p0', id: 5, ingressQos: [1, 2] }), T],
      ['vlan without parent', () => nd.createVlan({ ...o, name: 'v', id: 5 }), T],
      ['vlan missing parent', () => nd.createVlan({ ...o, name: 'v', parent: 'nosuch', id: 5 }), 'ENODEV'],
      ['vxlan vni 2^24', () => nd.createVxlan({ ...o, name: 'x', vni: 16777216 }), V],
      ['vxlan without vni', () => nd.createVxlan({ ...o, name: 'x' }), T],
      ['vxlan port 0', () => nd.createVxlan({ ...o, name: 'x', vni: 1, port: 0 }), V],
      ['vxlan port 70000', () => nd.createVxlan({ ...o, name: 'x', vni: 1, port: 70000 }), V],
      ['vxlan reversed source ports', () => nd.createVxlan({ ...o, name: 'x', vni: 1, srcPortRange: [5000, 4000] }), V],
      ['vxlan remote multicast', () => nd.createVxlan({ ...o, name: 'x', vni: 1, remote: '239.1.1.1' }), V],
      ['vxlan group unicast', () => nd.createVxlan({ ...o, name: 'x', vni: 1, multicastGroup: '10.0.0.1' }), V],
      ['vxlan remote and group', () => nd.createVxlan({ ...o, name: 'x', vni: 1, remote: '10.0.0.1', multicastGroup: '239.1.1.1' }), V],
      ['vxlan flowlabel over IPv4', () => nd.createVxlan({ ...o, name: 'x', vni: 1, remote: '10.0.0.1', flowlabel: 5 }), V],
      ['vxlan bad df', () => nd.createVxlan({ ...o, name: 'x', vni: 1, df: 'maybe' }), V],
      ['vxlan ttl 256', () => nd.createVxlan({ ...o, name: 'x', vni: 1, ttl: 256 }), V],
      ['vxlan learning not boolean', () => nd.createVxlan({ ...o, name: 'x', vni: 1, learning: 1 }), T],
      ['vxlan missing device', () => nd.createVxlan({ ...o, name: 'x', vni: 1, device: 'nosuch' }), 'ENODEV'],
      ['vxlan local of another family than the group', () => nd.createVxlan({ ...o, name: 'x', vni: 1, local: 'fd00::1', multicastGroup: '239.1.1.1' }), 'EINVAL'],
      ['vxlan unknown option', () => nd.createVxlan({ ...o, name: 'x', vni: 1, dstport: 4789 }), V],
      ['macvlan unknown mode', () => nd.createMacvlan({ ...o, name: 'm', parent: 'p0', mode: 'hub' }), V],
      ['macvlan macaddrs outside source mode', () => nd.createMacvlan({ ...o, name: 'm', parent: 'p0', mode: 'bridge', macaddrs: ['02:00:00:00:00:01'] }), V],
      ['macvlan bad source mac', () => nd.createMacvlan({ ...o, name: 'm', parent: 'p0', mode: 'source', macaddrs: ['zz'] }), V],
      ['macvlan missing parent', () => nd.createMacvlan({ ...o, name: 'm', parent: 'nosuch' }), 'ENODEV'],
      ['macvlan read-only count', () => nd.createLinkOfKind({ ...o, kind: 'macvlan', name: 'm', parent: 'p0', data: { macaddrCount: 3 } }), V],
      ['macvtap negative bcQueueLen', () => nd.createMacvtap({ ...o, name: 'm', parent: 'p0', mode: 'passthru', bcQueueLen: -1 }), V],
      ['ipvlan unknown mode', () => nd.createIpvlan({ ...o, name: 'i', parent: 'p0', mode: 'l4' }), V],
      ['ipvlan unknown flag', () => nd.createIpvlan({ ...o, name: 'i', parent: 'p0', flag: 'hub' }), V],
      ['vrf table 0', () => nd.createVrf({ ...o, name: 'vrf0', table: 0 }), V],
      ['vrf without table', () => nd.createVrf({ ...o, name: 'vrf0' }), T],
      ['bond unknown mode', () => nd.createBond({ ...o, name: 'b', mode: 'round-robin' }), V],
      ['bond too many arp targets', () => nd.createBond({ ...o, name: 'b', arpIpTarget: Array.from({ length: 17 }, (_, i) => `10.0.0.${i + 1}`) }), V],
      ['bond IPv6 arp target', () => nd.createBond({ ...o, name: 'b', arpIpTarget: ['fd00::1'] }), V],
      ['bond unknown hash policy', () => nd.createBond({ ...o, name: 'b', xmitHashPolicy: 'layer9' }), V],
      ['bond actor system multicast', () => nd.createBond({ ...o, name: 'b', adActorSystem: '01:00:5e:00:00:01' }), V],
      ['gre bad kind', () => nd.createGre({ ...o, name: 'g', kind: 'ipgre' }), V],
      ['gre IPv6 local', () => nd.createGre({ ...o, name: 'g', local: 'fd00::1' }), V],
      ['ip6gre IPv4 remote', () => nd.createIp6Gre({ ...o, name: 'g', remote: '10.0.0.1' }), V],
      ['gre key too large', () => nd.createGre({ ...o, name: 'g', key: 2 ** 32 }), V],
      ['geneve vni too large', () => nd.createGeneve({ ...o, name: 'g', vni: 2 ** 24 }), V],
      ['geneve port 0', () => nd.createGeneve({ ...o, name: 'g', vni: 1, port: 0 }), V],
      ['macsec bad sci', () => nd.createMacsec({ ...o, name: 'ms', parent: 'p0', sci: 'xyz' }), V],
      ['macsec sci and port', () => nd.createMacsec({ ...o, name: 'ms', parent: 'p0', sci: '0200000000010002', port: 2 }), V],
      ['macsec window without replay', () => nd.createMacsec({ ...o, name: 'ms', parent: 'p0', window: 5 }), V],
      ['macsec unknown cipher', () => nd.createMacsec({ ...o, name: 'ms', parent: 'p0', cipher: 'rot13' }), V],
      ['macsec icv length 4', () => nd.createMacsec({ ...o, name: 'ms', parent: 'p0', icvLen: 4 }), V],
      ['escape hatch bad kind name', () => nd.createLinkOfKind({ ...o, kind: 'Bad Kind', name: 'k' }), V],
      ['escape hatch data for a kind without a table', () => nd.createLinkOfKind({ ...o, kind: 'dummy', name: 'k', data: { x: 1 } }), V],
      ['escape hatch data and infoData', () => nd.createLinkOfKind({ ...o, kind: 'vxlan', name: 'k', data: { vni: 1 }, infoData: Buffer.alloc(4) }), V],
      ['escape hatch infoData not a Buffer', () => nd.createLinkOfKind({ ...o, kind: 'vxlan', name: 'k', infoData: 'x' }), T],
      ['unknown kind', () => nd.createLinkOfKind({ ...o, kind: 'nosuchkind', name: 'k' }), 'ENOTSUP'],
      ['index 0', () => nd.createBridge({ ...o, name: 'b', index: 0 }), V],
      ['numTxQueues 0', () => nd.createVeth({ ...o, name: 'v', numTxQueues: 0 }), V],
      ['peer numRxQueues 5000', () => nd.createVeth({ ...o, name: 'v', peer: { numRxQueues: 5000 } }), V],
      ['gsoMaxSize above 512 KiB', () => nd.createBridge({ ...o, name: 'b', gsoMaxSize: 524289 }), V],
      ['allmulti not boolean', () => nd.createBridge({ ...o, name: 'b', allmulti: 1 }), T],
      ['altname with a slash', () => nd.addAltname('p0', 'a/b', o), V],
      ['altname of 128 bytes', () => nd.deleteAltname('p0', 'x'.repeat(128), o), V],
      ['ip6tnl IPv4 remote', () => nd.createIp6tnl({ ...o, name: 't', remote: '10.0.0.1' }), V],
      ['vti IPv6 local', () => nd.createVti({ ...o, name: 't', local: 'fd00::1' }), V],
      ['vti key and ikey', () => nd.createVti({ ...o, name: 't', key: 1, ikey: 2 }), V],
      ['vti6 IPv4 remote', () => nd.createVti6({ ...o, name: 't', remote: '10.0.0.1' }), V],
      ['xfrm without ifId', () => nd.createXfrm({ ...o, name: 'x' }), T],
      ['xfrm ifId 0', () => nd.createXfrm({ ...o, name: 'x', ifId: 0 }), V],
      ['xfrm ifId and external', () => nd.createXfrm({ ...o, name: 'x', ifId: 3, external: true }), V],
      ['erspan without key', () => nd.createErspan({ ...o, name: 'e' }), T],
      ['erspan session id 1024', () => nd.createErspan({ ...o, name: 'e', key: 1024 }), V],
      ['erspan direction on version 1', () => nd.createErspan({ ...o, name: 'e', key: 1, erspanDir: 'egress' }), V],
      ['ip6erspan index on version 2', () => nd.createIp6Erspan({ ...o, name: 'e', key: 1, erspanVer: 2, erspanIndex: 3 }), V],
      ['ip6erspan hwid 64', () => nd.createIp6Erspan({ ...o, name: 'e', key: 1, erspanVer: 2, erspanHwid: 64 }), V],
      ['bareudp without port', () => nd.createBareudp({ ...o, name: 'u', ethertype: 'ipv4' }), T],
      ['bareudp unknown ethertype', () => nd.createBareudp({ ...o, name: 'u', port: 6635, ethertype: 'arp' }), V],
      ['gtp unknown role', () => nd.createGtp({ ...o, name: 'g', role: 'mme' }), V],
      ['gtp createSockets and fd1', () => nd.createGtp({ ...o, name: 'g', createSockets: true, fd1: 3 }), V],
      ['hsr version 2', () => nd.createHsr({ ...o, name: 'h', slave1: 'p0', slave2: 'p1', version: 2 }), V],
      ['hsr without slave2', () => nd.createHsr({ ...o, name: 'h', slave1: 'p0' }), T],
      ['hsr missing slave', () => nd.createHsr({ ...o, name: 'h', slave1: 'p0', slave2: 'nosuch' }), 'ENODEV'],
      ['netkit unknown policy', () => nd.createNetkit({ ...o, name: 'n', policy: 'drop' }), V],
      ['netkit peer unknown option', () => nd.createNetkit({ ...o, name: 'n', peer: { up: true } }), V],
      ['netkit read-only primary', () => nd.createLinkOfKind({ ...o, kind: 'netkit', name: 'n', data: { primary: true } }), V],
      ['bridge port cost 0', () => nd.setBridgePort('p0', { cost: 0 }, o), V],
      ['bridge port unknown state', () => nd.setBridgePort('p0', { state: 'sleeping' }, o), V],
      ['bridge vlan 4095', () => nd.addBridgeVlan('p0', { vid: 4095 }, o), V],
      ['bridge vlan range with pvid', () => nd.addBridgeVlan('p0', { vid: 10, vidEnd: 20, pvid: true }, o), V],
      ['fdb bad mac', () => nd.addFdb('p0', { mac: 'nope' }, o), V],
      ['fdb vni too large', () => nd.addFdb('p0', { mac: '02:00:00:00:00:01', vni: 2 ** 24 }, o), V],
      ['fdb unknown mode', () => nd.addFdb('p0', { mac: '02:00:00:00:00:01' }, { ...o, mode: 'upsert' }), V],
      ['fdb unknown state', () => nd.addFdb('p0', { mac: '02:00:00:00:00:01', state: 'frozen' }, o), V],
    ];
    const before = (await nd.listLinks(o)).map((l) => `${l.index}:${l.name}`);
    await nameCacheReady(ns, 'p0'); // the namespace's name cache holds one descriptor while it lives
    const fds = fdCount();
    for (const [what, call, code] of cases) {
      let err;
      try {
        await call();
      } catch (e) {
        err = e;
      }
      assert.ok(err, `${what}: resolved`);
      // Kinds this host lacks are refused by the kernel first, where netdev cannot know better.
      if (code === 'ENODEV' || code === 'EINVAL') assert.ok([code, 'ENOTSUP'].includes(err.code), `${what}: ${err.message}`);
      else assert.equal(err.code, code, `${what}: ${err.message}`);
    }
    assert.deepEqual((await nd.listLinks(o)).map((l) => `${l.index}:${l.name}`), before);
    assert.equal(fdCount(), fds);
    t.diagnostic(`${cases.length} invalid link-kind calls, all answered with their codes; links and fds unchanged`);
  });
});
