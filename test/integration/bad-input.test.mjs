// The bad-input suite: every invalid call is answered with its documented error code, nothing
// crashes or hangs, and nothing is left behind (fds, namespaces, links).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as nd from 'netdev';
import { fdCount, fdMap, nameCacheReady, withNetns } from '../helpers.mjs';

test('68 invalid calls across the API: documented codes, no leftovers', async (t) => {
  await withNetns(async (ns) => {
    const a = await nd.createVeth({ name: 'ok0', netns: ns, peer: { name: 'ok1' } });
    await nd.addAddress(a, '10.50.0.1/24', { netns: ns });
    const closed = await nd.createNetns();
    closed.close();
    const o = { netns: ns };
    const cases = [
      // namespaces
      ['createNetns empty name', () => nd.createNetns(''), 'ERR_INVALID_ARG_VALUE'],
      ['createNetns with /', () => nd.createNetns('a/b'), 'ERR_INVALID_ARG_VALUE'],
      ['createNetns number', () => nd.createNetns(42), 'ERR_INVALID_ARG_TYPE'],
      ['createNetns unknown option', () => nd.createNetns('x', { loopback: true }), 'ERR_INVALID_ARG_VALUE'],
      ['deleteNetns missing', () => nd.deleteNetns('does-not-exist'), 'ENOENT'],
      ['openNetns relative path', () => nd.openNetns({ path: 'rel' }), 'ERR_INVALID_ARG_VALUE'],
      ['openNetns pid 0', () => nd.openNetns({ pid: 0 }), 'ERR_INVALID_ARG_VALUE'],
      ['openNetns missing pid', () => nd.openNetns({ pid: 4194000 }), 'ENOENT'],
      ['openNetns fd -1', () => nd.openNetns({ fd: -1 }), 'ERR_INVALID_ARG_VALUE'],
      ['openNetns fd of a non-namespace', () => nd.openNetns({ fd: 0 }), 'EINVAL'],
      ['openNetns empty object', () => nd.openNetns({}), 'ERR_INVALID_ARG_TYPE'],
      ['operation in a missing namespace', () => nd.getLink('lo', { netns: 'missing' }), 'ENOENT'],
      ['operation on a closed handle', () => nd.listLinks({ netns: closed }), 'ERR_INVALID_ARG_VALUE'],
      ['netns option of a wrong type', () => nd.listLinks({ netns: 7 }), 'ERR_INVALID_ARG_TYPE'],
      // getLink
      ['getLink empty name', () => nd.getLink('', o), 'ERR_INVALID_ARG_VALUE'],
      ['getLink index 0', () => nd.getLink(0, o), 'ERR_INVALID_ARG_VALUE'],
      ['getLink fractional index', () => nd.getLink(1.5, o), 'ERR_INVALID_ARG_VALUE'],
      ['getLink null', () => nd.getLink(null, o), 'ERR_INVALID_ARG_TYPE'],
      ['getLink missing name', () => nd.getLink('nosuch', o), 'ENODEV'],
      ['getLink missing index', () => nd.getLink(99999, o), 'ENODEV'],
      // createVeth
      ['createVeth without name', () => nd.createVeth({ netns: ns }), 'ERR_INVALID_ARG_TYPE'],
      ['createVeth 16-byte name', () => nd.createVeth({ name: 'x'.repeat(16), netns: ns }), 'ERR_INVALID_ARG_VALUE'],
      ['createVeth mtu 0', () => nd.createVeth({ name: 'n0', netns: ns, mtu: 0 }), 'ERR_INVALID_ARG_VALUE'],
      ['createVeth mtu 70000', () => nd.createVeth({ name: 'n0', netns: ns, mtu: 70000 }), 'ERR_INVALID_ARG_VALUE'],
      ['createVeth multicast mac', () => nd.createVeth({ name: 'n0', netns: ns, mac: '01:00:00:00:00:01' }), 'ERR_INVALID_ARG_VALUE'],
      ['createVeth garbage mac', () => nd.createVeth({ name: 'n0', netns: ns, mac: 'xx' }), 'ERR_INVALID_ARG_VALUE'],
      ['createVeth bad peer name', () => nd.createVeth({ name: 'n0', netns: ns, peer: { name: 'bad/name' } }), 'ERR_INVALID_ARG_VALUE'],
      ['createVeth peer in missing namespace', () => nd.createVeth({ name: 'n0', netns: ns, peer: { netns: 'missing' } }), 'ENOENT'],
      ['createVeth missing master', () => nd.createVeth({ name: 'n0', netns: ns, master: 'nosuchbr' }), 'ENODEV'],
      ['createVeth existing name', () => nd.createVeth({ name: 'lo', netns: ns }), 'EEXIST'],
      ['createVeth null', () => nd.createVeth(null), 'ERR_INVALID_ARG_TYPE'],
      ['createVeth veth as master', () => nd.createVeth({ name: 'n0', netns: ns, master: 'ok1' }), 'ENOTSUP'],
      // createBridge
      ['createBridge helloTime 0', () => nd.createBridge({ name: 'b0', netns: ns, helloTime: 0 }), 'ERR_INVALID_ARG_VALUE'],
      ['createBridge priority 70000', () => nd.createBridge({ name: 'b0', netns: ns, priority: 70000 }), 'ERR_INVALID_ARG_VALUE'],
      ['createBridge bad vlanProtocol', () => nd.createBridge({ name: 'b0', netns: ns, vlanProtocol: 'x' }), 'ERR_INVALID_ARG_VALUE'],
      ['createBridge pvid 4095', () => nd.createBridge({ name: 'b0', netns: ns, defaultPvid: 4095 }), 'ERR_INVALID_ARG_VALUE'],
      ['createBridge NaN ageing', () => nd.createBridge({ name: 'b0', netns: ns, ageingTime: NaN }), 'ERR_INVALID_ARG_VALUE'],
      // setLink
      ['setLink negative mtu', () => nd.setLink('lo', { mtu: -5 }, o), 'ERR_INVALID_ARG_VALUE'],
      ['setLink rename with colon', () => nd.setLink('lo', { name: 'a:b' }, o), 'ERR_INVALID_ARG_VALUE'],
      ['setLink unknown change', () => nd.setLink('lo', { bogus: 1 }, o), 'ERR_INVALID_ARG_VALUE'],
      ['setLink missing link', () => nd.setLink('nosuch', { up: true }, o), 'ENODEV'],
      ['setLink missing master', () => nd.setLink('ok0', { master: 'nosuch' }, o), 'ENODEV'],
      ['setLink veth as master', () => nd.setLink('ok0', { master: 'ok1' }, o), 'ENOTSUP'],
      ['setLink move to missing namespace', () => nd.setLink('ok0', { moveTo: 'missing' }, o), 'ENOENT'],
      ['setLink moveTo a number', () => nd.setLink('ok0', { moveTo: 7 }, o), 'ERR_INVALID_ARG_TYPE'],
      ['setLink moveTo a closed handle', () => nd.setLink('ok0', { name: 'ok9', moveTo: closed }, o), 'ERR_INVALID_ARG_VALUE'],
      ['setLink moveTo and netns both', () => nd.setLink('ok0', { up: true, moveTo: 'missing', netns: 'missing' }, o), 'ERR_INVALID_ARG_VALUE'],
      ['setLink mtu over device maximum', () => nd.setLink('ok0', { mtu: 65536 }, o), 'EINVAL'],
      ['setLink alias too long', () => nd.setLink('ok0', { alias: 'x'.repeat(256) }, o), 'ERR_INVALID_ARG_VALUE'],
      // delete
      ['deleteLink missing', () => nd.deleteLink('nosuch', o), 'ENODEV'],
      ['deleteLinks not an array', () => nd.deleteLinks('ok0', o), 'ERR_INVALID_ARG_TYPE'],
      ['deleteLinks with a missing one', () => nd.deleteLinks(['ok0', 'nosuch'], o), 'ENODEV'],
      // addresses
      ['addAddress not an IP', () => nd.addAddress('ok0', 'not-an-ip', o), 'ERR_INVALID_ARG_VALUE'],
      ['addAddress prefix 40', () => nd.addAddress('ok0', '10.0.0.1/40', o), 'ERR_INVALID_ARG_VALUE'],
      ['addAddress IPv6 label', () => nd.addAddress('ok0', 'fe80::1/64', { ...o, label: 'x' }), 'ERR_INVALID_ARG_VALUE'],
      ['addAddress unknown scope', () => nd.addAddress('ok0', '10.0.0.1/24', { ...o, scope: 'galaxy' }), 'ERR_INVALID_ARG_VALUE'],
      ['addAddress preferred > valid', () => nd.addAddress('ok0', '10.0.0.1/24', { ...o, validLifetime: 10, preferredLifetime: 20 }), 'ERR_INVALID_ARG_VALUE'],
      ['addAddress on a missing link', () => nd.addAddress('nosuch', '10.0.0.1/24', o), 'ENODEV'],
      ['addAddress duplicate', () => nd.addAddress('ok0', '10.50.0.1/24', o), 'EEXIST'],
      ['deleteAddress not present', () => nd.deleteAddress('ok0', '10.99.0.1/24', o), 'EADDRNOTAVAIL'],
      ['listAddresses family 5', () => nd.listAddresses({ ...o, family: 5 }), 'ERR_INVALID_ARG_VALUE'],
      ['listLinks kind number', () => nd.listLinks({ ...o, kind: 5 }), 'ERR_INVALID_ARG_TYPE'],
      // sockets
      ['connectTcp host name', () => nd.connectTcp({ ...o, host: 'example.com', port: 80 }), 'ERR_INVALID_ARG_VALUE'],
      ['connectTcp port 0', () => nd.connectTcp({ ...o, host: '10.0.0.1', port: 0 }), 'ERR_INVALID_ARG_VALUE'],
      ['createTcpServer port 70000', () => nd.createTcpServer({ ...o, port: 70000 }), 'ERR_INVALID_ARG_VALUE'],
      ['createUdpSocket bad type', () => nd.createUdpSocket({ ...o, type: 'udp5' }), 'ERR_INVALID_ARG_VALUE'],
      ['createTcpServer non-local address', () => nd.createTcpServer({ ...o, host: '10.123.0.1' }), 'EADDRNOTAVAIL'],
      ['connectTcp with nobody listening', () => nd.connectTcp({ ...o, host: '10.50.0.1', port: 1 }), 'ECONNREFUSED'],
    ];
    assert.ok(cases.length >= 40);
    const netnsBefore = await nd.listNetns();
    const linksBefore = (await nd.listLinks(o)).map((l) => `${l.index}:${l.name}:${l.group}:${l.master}`);
    const addrsBefore = (await nd.listAddresses(o)).map((x) => `${x.index}:${x.address}`);
    await nameCacheReady(ns, 'ok0'); // the namespace's name cache holds one descriptor while it lives
    const fdsBefore = fdCount();
    const mapBefore = fdMap();
    for (const [what, call, code] of cases) {
      let err;
      try {
        await call();
      } catch (e) {
        err = e;
      }
      assert.ok(err, `${what}: expected ${code}, resolved`);
      assert.equal(err.code, code, `${what}: ${err.message}`);
      if (code.startsWith('ERR_')) {
        assert.ok(err instanceof TypeError || err instanceof RangeError, what);
      } else {
        assert.ok(err instanceof nd.NetdevError, what);
        assert.ok(err.errno < 0, what);
        assert.equal(typeof err.syscall, 'string', what);
        assert.ok(err.message.startsWith(`${code}: `), err.message);
      }
    }
    assert.equal(fdCount(), fdsBefore, `fd count changed: ${JSON.stringify([mapBefore, fdMap()])}`);
    assert.deepEqual(await nd.listNetns(), netnsBefore);
    assert.deepEqual((await nd.listLinks(o)).map((l) => `${l.index}:${l.name}:${l.group}:${l.master}`), linksBefore);
    assert.deepEqual((await nd.listAddresses(o)).map((x) => `${x.index}:${x.address}`), addrsBefore);
    t.diagnostic(`${cases.length} invalid calls, fds ${fdsBefore} -> ${fdCount()}, namespaces unchanged`);
  });
});
