// Link kinds Debian's stable kernel (6.1) lacks, on the backports kernel line only
// (scripts/kernel-vm.mjs runs this file through suite-backports.mjs, never on the stable line):
// netkit (Linux 6.7+, built in), HSR and PRP (module hsr). Each is created with non-default
// settings, read back with getLink and cross-checked with `ip -d -j link show`.
//
// - netkit: mode, policy/peerPolicy and scrub/peerScrub read back from both ends (each end sees
//   the pair from its side). headroom/tailroom are not covered: the kernel of this line (6.12)
//   ignores them and reports neither (Linux 6.14+). Debian 12's iproute2 (6.1) decodes no netkit
//   attributes, so `ip` cross-checks what it does print: the kind, the peer, NOARP and the address.
// - HSR/PRP: the kernel reports no IFLA_HSR_VERSION, so `version` is written but not read back;
//   `multicastSpec` shows as the supervision address's last byte.
// - Bare UDP: no Debian kernel builds it (`# CONFIG_BAREUDP is not set` in the stable and the
//   backports kernels' config), and no tier has a kernel that does. The one thing a Debian kernel
//   can show is its refusal: no module provides the kind, so RTM_NEWLINK fails with EOPNOTSUPP
//   (errno 95, which Node names ENOTSUP) and the extack "Unknown device type". The attribute
//   encoding is covered by the kind tables' round trip (test/unit/contract.test.mjs).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createBareudp, createHsr, createNetkit, createVeth, getLink, listLinks } from 'netdev';
import { ipJson, rejectsWith, withNetns, withNetnsN } from '../helpers.mjs';

const ipLink = async (ns, name) => (await ipJson(ns, '-d', 'link', 'show', name))[0];

test('netkit l3 (the default mode): policies and scrub read back from both ends, ip -d -j agrees', async () => {
  await withNetns(async (ns) => {
    const nk = await createNetkit({ name: 'nk0', netns: ns, policy: 'blackhole', peerPolicy: 'forward', scrub: 'none', peerScrub: 'default', peer: { name: 'nk1' } });
    assert.equal(nk.kind, 'netkit');
    const primary = { mode: 'l3', policy: 'blackhole', peerPolicy: 'forward', scrub: 'none', peerScrub: 'default', primary: true };
    assert.deepEqual(nk.info, primary);
    assert.deepEqual((await getLink('nk0', { netns: ns })).info, primary);
    const peer = await getLink('nk1', { netns: ns });
    assert.deepEqual(peer.info, { mode: 'l3', policy: 'forward', peerPolicy: 'blackhole', scrub: 'default', peerScrub: 'none', primary: false });
    assert.deepEqual([nk.parent, peer.parent], [peer.index, nk.index]);
    for (const [name, other] of [['nk0', 'nk1'], ['nk1', 'nk0']]) {
      const ip = await ipLink(ns, name);
      // An l3 netkit has no link-layer address and does not ARP.
      assert.deepEqual([ip.linkinfo.info_kind, ip.link, ip.flags.includes('NOARP'), ip.address], ['netkit', other, true, '00:00:00:00:00:00']);
    }
  });
});

test('netkit l2: Ethernet addresses (the peer one chosen), policies swapped on the peer', async () => {
  await withNetns(async (ns) => {
    const nk = await createNetkit({ name: 'nk2', netns: ns, mode: 'l2', peerPolicy: 'blackhole', peer: { name: 'nk3', mac: '02:00:00:00:00:03' } });
    assert.deepEqual(nk.info, { mode: 'l2', policy: 'forward', peerPolicy: 'blackhole', scrub: 'default', peerScrub: 'default', primary: true });
    const peer = await getLink('nk3', { netns: ns });
    assert.deepEqual([peer.info.mode, peer.info.policy, peer.info.peerPolicy, peer.info.primary], ['l2', 'blackhole', 'forward', false]);
    assert.equal(peer.mac, '02:00:00:00:00:03');
    assert.match(nk.mac, /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
    assert.notEqual(nk.mac, '00:00:00:00:00:00');
    const [ip, ipPeer] = [await ipLink(ns, 'nk2'), await ipLink(ns, 'nk3')];
    assert.deepEqual([ip.linkinfo.info_kind, ip.address, ip.flags.includes('NOARP')], ['netkit', nk.mac, false]);
    assert.deepEqual([ipPeer.link, ipPeer.address], ['nk2', '02:00:00:00:00:03']);
  });
});

test('netkit: the peer created directly in another namespace', async () => {
  await withNetnsN(2, async ([host, pod]) => {
    const nk = await createNetkit({ name: 'nk4', netns: host, mode: 'l2', peer: { name: 'eth0', netns: pod } });
    const peer = await getLink('eth0', { netns: pod });
    assert.deepEqual([peer.kind, peer.info.primary, peer.info.mode], ['netkit', false, 'l2']);
    assert.equal(nk.parent, peer.index);
    assert.notEqual(nk.parentNetnsId, null); // the peer lives in another namespace
    assert.equal((await listLinks({ netns: host })).some((l) => l.name === 'eth0'), false);
    assert.equal((await ipLink(pod, 'eth0')).linkinfo.info_kind, 'netkit');
  });
});

/** Two veth pairs whose first ends (p0, q0) become the ring ports. */
async function ports(ns) {
  await createVeth({ name: 'p0', netns: ns, peer: { name: 'p1' } });
  await createVeth({ name: 'q0', netns: ns, peer: { name: 'q1' } });
  return [await getLink('p0', { netns: ns }), await getLink('q0', { netns: ns })];
}

test('hsr: ports, supervision address, protocol and the HSR tag in the MTU read back; ip -d -j agrees', async () => {
  await withNetns(async (ns) => {
    const [p0, q0] = await ports(ns);
    const h = await createHsr({ name: 'hsr0', netns: ns, slave1: 'p0', slave2: 'q0', multicastSpec: 7, version: 1 });
    assert.equal(h.kind, 'hsr');
    assert.deepEqual([h.info.slave1, h.info.slave2, h.info.protocol, h.info.supervisionAddr], [p0.index, q0.index, 'hsr', '01:15:4e:00:01:07']);
    assert.equal(typeof h.info.seqNr, 'number');
    assert.equal(h.mtu, p0.mtu - 6); // the 6-byte HSR tag
    assert.equal(h.mac, p0.mac); // the device takes its first port's address
    assert.deepEqual((await getLink('hsr0', { netns: ns })).info.supervisionAddr, '01:15:4e:00:01:07');
    const ip = await ipLink(ns, 'hsr0');
    const d = ip.linkinfo.info_data;
    assert.deepEqual([ip.linkinfo.info_kind, d.slave1, d.slave2, d.supervision_addr, d.proto, ip.mtu], ['hsr', 'p0', 'q0', '01:15:4e:00:01:07', 0, h.mtu]);
  });
});

test('prp (protocol prp): the protocol reads back as prp, ip -d -j says proto 1', async () => {
  await withNetns(async (ns) => {
    const [p0, q0] = await ports(ns);
    const prp = await createHsr({ name: 'prp0', netns: ns, slave1: p0.index, slave2: q0.index, protocol: 'prp' });
    assert.deepEqual([prp.kind, prp.info.slave1, prp.info.slave2, prp.info.protocol], ['hsr', p0.index, q0.index, 'prp']);
    assert.equal(prp.info.supervisionAddr, '01:15:4e:00:01:00'); // the default multicastSpec, 0
    assert.equal((await getLink('prp0', { netns: ns })).info.protocol, 'prp');
    const ip = await ipLink(ns, 'prp0');
    assert.deepEqual([ip.linkinfo.info_kind, ip.linkinfo.info_data.proto, ip.linkinfo.info_data.slave1, ip.linkinfo.info_data.slave2], ['hsr', 1, 'p0', 'q0']);
  });
});

test('bareudp: Debian builds no bare UDP, and the kernel refuses the kind with EOPNOTSUPP "Unknown device type"', async () => {
  await withNetns(async (ns) => {
    const e = await rejectsWith(createBareudp({ name: 'bu0', netns: ns, port: 6635, ethertype: 'mpls_uc' }), 'ENOTSUP');
    assert.equal(e.errno, -95); // EOPNOTSUPP
    assert.equal(e.extack, 'Unknown device type');
    assert.equal((await listLinks({ netns: ns })).some((l) => l.name === 'bu0'), false);
  });
});
