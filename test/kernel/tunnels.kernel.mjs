// More tunnel kinds the host kernel lacks, on the stock kernel (scripts/kernel-vm.mjs): ip6tnl,
// VTI over IPv4 and IPv6, XFRM interfaces, ERSPAN over IPv4 and IPv6, GTP-U. Each is created with
// non-default settings, read back with getLink and cross-checked with `ip -d -j link show`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createErspan, createGtp, createIp6Erspan, createIp6tnl, createVeth, createVti, createVti6, createXfrm, getLink } from 'netdev';
import { ipJson, withNetns } from '../helpers.mjs';

const infoData = async (ns, name) => (await ipJson(ns, '-d', 'link', 'show', name))[0].linkinfo;

test('ip6tnl: endpoints, hop and encapsulation limits, mode, fwmark read back', async () => {
  await withNetns(async (ns) => {
    await createVeth({ name: 'u0', netns: ns, peer: { name: 'u1' } });
    const t = await createIp6tnl({ name: 't6', netns: ns, local: 'fd00::1', remote: 'fd00::2', device: 'u0', ttl: 33, encapLimit: 5, proto: 41, fwmark: 9 });
    assert.equal(t.kind, 'ip6tnl');
    const u0 = await getLink('u0', { netns: ns });
    assert.deepEqual(
      [t.info.local, t.info.remote, t.info.device, t.info.ttl, t.info.encapLimit, t.info.proto, t.info.fwmark, t.info.external],
      ['fd00::1', 'fd00::2', u0.index, 33, 5, 41, 9, false],
    );
    const li = await infoData(ns, 't6');
    assert.equal(li.info_kind, 'ip6tnl');
    assert.deepEqual([li.info_data.local, li.info_data.remote, li.info_data.link, li.info_data.proto], ['fd00::1', 'fd00::2', 'u0', 'ip6ip6']);
    const any = await createIp6tnl({ name: 't6any', netns: ns, remote: 'fd00::3', proto: 0 });
    assert.equal(any.info.proto, 0);
    assert.equal((await infoData(ns, 't6any')).info_data.proto, 'any');
  });
});

test('vti and vti6: endpoints, keys and fwmark read back', async () => {
  await withNetns(async (ns) => {
    const v4 = await createVti({ name: 'vti1', netns: ns, local: '10.0.0.1', remote: '10.0.0.2', ikey: 5, okey: 6, fwmark: 3 });
    assert.deepEqual([v4.kind, v4.info.local, v4.info.remote, v4.info.ikey, v4.info.okey, v4.info.fwmark], ['vti', '10.0.0.1', '10.0.0.2', 5, 6, 3]);
    let li = await infoData(ns, 'vti1');
    assert.deepEqual([li.info_kind, li.info_data.local, li.info_data.remote], ['vti', '10.0.0.1', '10.0.0.2']);
    const v6 = await createVti6({ name: 'vti61', netns: ns, local: 'fd00::1', remote: 'fd00::2', key: 7 });
    assert.deepEqual([v6.kind, v6.info.local, v6.info.remote, v6.info.ikey, v6.info.okey], ['vti6', 'fd00::1', 'fd00::2', 7, 7]);
    li = await infoData(ns, 'vti61');
    assert.deepEqual([li.info_kind, li.info_data.local, li.info_data.remote], ['vti6', 'fd00::1', 'fd00::2']);
  });
});

test('xfrm: if_id and underlay device read back', async () => {
  await withNetns(async (ns) => {
    await createVeth({ name: 'u0', netns: ns, peer: { name: 'u1' } });
    const x = await createXfrm({ name: 'xf0', netns: ns, ifId: 42, device: 'u0' });
    const u0 = await getLink('u0', { netns: ns });
    assert.deepEqual([x.kind, x.info.ifId, x.info.device], ['xfrm', 42, u0.index]);
    const li = await infoData(ns, 'xf0');
    assert.equal(li.info_kind, 'xfrm');
    assert.equal(Number(li.info_data.if_id), 42);
  });
});

test('erspan (version 1 and 2) and ip6erspan: session id, index, direction, hardware id read back', async () => {
  await withNetns(async (ns) => {
    const v1 = await createErspan({ name: 'er1', netns: ns, local: '10.0.0.1', remote: '10.0.0.2', key: 10, erspanVer: 1, erspanIndex: 123, ttl: 20 });
    assert.equal(v1.kind, 'erspan');
    assert.deepEqual(
      [v1.info.ikey, v1.info.okey, v1.info.iseq, v1.info.oseq, v1.info.erspanVer, v1.info.erspanIndex, v1.info.ttl, v1.info.remote],
      [10, 10, true, true, 1, 123, 20, '10.0.0.2'],
    );
    let li = await infoData(ns, 'er1');
    assert.deepEqual([li.info_kind, li.info_data.erspan_ver, li.info_data.erspan_index, li.info_data.remote], ['erspan', 1, 123, '10.0.0.2']);
    const v2 = await createErspan({ name: 'er2', netns: ns, remote: '10.0.0.3', key: 11, erspanVer: 2, erspanDir: 'egress', erspanHwid: 7 });
    assert.deepEqual([v2.info.erspanVer, v2.info.erspanDir, v2.info.erspanHwid], [2, 'egress', 7]);
    li = await infoData(ns, 'er2');
    assert.deepEqual([li.info_data.erspan_ver, li.info_data.erspan_dir, Number(li.info_data.erspan_hwid)], [2, 'egress', 7]); // ip prints the id in hex
    const six = await createIp6Erspan({ name: 'er6', netns: ns, local: 'fd00::1', remote: 'fd00::2', key: 12, erspanVer: 2, erspanDir: 'ingress', erspanHwid: 3 });
    assert.deepEqual(
      [six.kind, six.info.local, six.info.remote, six.info.ikey, six.info.erspanVer, six.info.erspanDir, six.info.erspanHwid],
      ['ip6erspan', 'fd00::1', 'fd00::2', 12, 2, 'ingress', 3],
    );
    li = await infoData(ns, 'er6');
    assert.deepEqual([li.info_kind, li.info_data.remote, li.info_data.erspan_dir], ['ip6erspan', 'fd00::2', 'ingress']);
  });
});

test('gtp: role and PDP hash size read back; the kernel opens the UDP sockets', async () => {
  await withNetns(async (ns) => {
    const g = await createGtp({ name: 'gtp0', netns: ns, role: 'sgsn', pdpHashsize: 2048, restartCount: 3 });
    assert.deepEqual([g.kind, g.info.role, g.info.pdpHashsize], ['gtp', 'sgsn', 2048]);
    const li = await infoData(ns, 'gtp0');
    assert.deepEqual([li.info_kind, li.info_data.role], ['gtp', 'sgsn']);
  });
});
