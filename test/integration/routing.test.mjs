// Routes, policy rules, neighbours and namespace ids, each in fresh namespaces, read back and
// cross-checked with `ip -j`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  addAddress, addNeighbour, addRoute, addRoutes, addRule, createNetns, createVeth, deleteNeighbour, deleteRoute, deleteRule, findNetnsById, flushNeighbours,
  getLink, getNetnsId, getRoute, listNeighbours, listNetnsIds, listRoutes, listRules, replaceNeighbour, replaceRoute, setNetnsId,
} from 'netdev';
import { fdCount, ipJson, nameCacheReady, rejectsWith, withNetns, withNetnsN } from '../helpers.mjs';

/** A namespace with a veth `r0` (10.30.0.1/24, fd30::1/64) up: routes need an outgoing link. */
async function withLink(fn) {
  return withNetns(async (ns) => {
    await createVeth({ name: 'r0', netns: ns, up: true, peer: { name: 'r1', up: true } });
    await addAddress('r0', '10.30.0.1/24', { netns: ns });
    await addAddress('r0', 'fd30::1/64', { netns: ns, noDad: true });
    return fn(ns, (await getLink('r0', { netns: ns })).index);
  });
}

test('routes: every type, gateways, metrics, tables, multipath and onlink are created, read back and match ip -j', async (t) => {
  await withLink(async (ns, r0) => {
    const o = { netns: ns };
    await addRoute({ ...o, destination: '10.40.0.0/16', gateway: '10.30.0.254', metric: 50, protocol: 'static', mtu: 1400, advmss: 1360 });
    await addRoute({ ...o, destination: 'default', gateway: '10.30.0.254' });
    await addRoute({ ...o, destination: '10.41.0.0/16', device: 'r0', source: '10.30.0.1' });
    for (const type of ['blackhole', 'unreachable', 'prohibit']) await addRoute({ ...o, destination: `192.0.2.${type.length * 8}/29`, type });
    await addRoute({ ...o, destination: '198.51.100.0/24', multipath: [{ gateway: '10.30.0.2', weight: 3 }, { gateway: '10.30.0.3', device: 'r0' }] });
    await addRoute({ ...o, destination: '203.0.113.0/24', gateway: '172.16.0.1', device: 'r0', onlink: true, table: 100 });
    await addRoute({ ...o, destination: '10.42.0.0/16', type: 'throw', table: 100 });
    await addRoute({ ...o, destination: 'fd40::/64', gateway: 'fd30::fe', pref: 'high', metric: 7, table: 'main' });
    await addRoute({ ...o, destination: '10.30.0.77', type: 'local', device: 'r0' });
    await addRoute({ ...o, destination: '10.30.0.127', type: 'broadcast', device: 'r0' });

    const main = await listRoutes(o);
    const find = (list, dst) => list.find((r) => r.destination === dst);
    await t.test('a unicast route reads back whole: gateway, metric, protocol, metrics', () => {
      assert.deepEqual(find(main, '10.40.0.0/16'), {
        family: 4, destination: '10.40.0.0/16', table: 254, protocol: 'static', scope: 'global', type: 'unicast', tos: 0, flags: [],
        gateway: '10.30.0.254', index: r0, metric: 50, metrics: { mtu: 1400, advmss: 1360 },
      });
      assert.equal(find(main, 'default').gateway, '10.30.0.254');
    });
    await t.test('a device route with a source has link scope and keeps the source', () => {
      assert.equal(find(main, '10.41.0.0/16').scope, 'link');
      assert.equal(find(main, '10.41.0.0/16').source, '10.30.0.1');
    });
    await t.test('blackhole, unreachable and prohibit routes read back with their type', () => {
      assert.equal(find(main, '192.0.2.72/29').type, 'blackhole');
      assert.equal(find(main, '192.0.2.88/29').type, 'unreachable');
      assert.equal(find(main, '192.0.2.64/29').type, 'prohibit');
    });
    await t.test('a multipath route reads back its hops with their weights', () => {
      assert.deepEqual(find(main, '198.51.100.0/24').multipath, [
        { gateway: '10.30.0.2', index: r0, weight: 3, flags: [] },
        { gateway: '10.30.0.3', index: r0, weight: 1, flags: [] },
      ]);
    });
    await t.test('an IPv6 route reads back its preference and metric', () => {
      const v6 = find(main, 'fd40::/64');
      assert.equal(v6.family, 6);
      assert.equal(v6.pref, 'high');
      assert.equal(v6.metric, 7);
    });
    await t.test('routes in table 100: onlink and throw', async () => {
      const t100 = await listRoutes({ ...o, table: 100 });
      assert.deepEqual(t100.map((r) => r.destination).sort(), ['10.42.0.0/16', '203.0.113.0/24']);
      assert.deepEqual(find(t100, '203.0.113.0/24').flags, ['onlink']);
      assert.equal(find(t100, '10.42.0.0/16').type, 'throw');
    });
    await t.test('local and broadcast routes land in the local table with host and link scope', async () => {
      const local = await listRoutes({ ...o, table: 'local' });
      assert.equal(find(local, '10.30.0.77/32').type, 'local');
      assert.equal(find(local, '10.30.0.77/32').scope, 'host');
      assert.equal(find(local, '10.30.0.127/32').type, 'broadcast');
      assert.equal(find(local, '10.30.0.127/32').scope, 'link');
    });

    await t.test('ip -j route shows the same routes', async () => {
      const ip = await ipJson(ns, 'route', 'show', 'table', 'all');
      const ipFind = (dst, table) => ip.find((r) => r.dst === dst && (table === undefined || String(r.table ?? 'main') === String(table)));
      assert.equal(ipFind('10.40.0.0/16').gateway, '10.30.0.254');
      assert.equal(ipFind('10.40.0.0/16').metric, 50);
      assert.equal(ipFind('10.40.0.0/16').protocol, 'static');
      assert.deepEqual(ipFind('10.40.0.0/16').metrics, [{ mtu: 1400, advmss: 1360 }]);
      assert.deepEqual(ipFind('198.51.100.0/24').nexthops.map((h) => [h.gateway, h.weight]), [['10.30.0.2', 3], ['10.30.0.3', 1]]);
      assert.equal(ipFind('203.0.113.0/24', 100).gateway, '172.16.0.1');
      assert.equal(ipFind('192.0.2.72/29').type, 'blackhole');
    });

    await t.test('listRoutes filters by family, protocol, type, device and table (done by the kernel)', async () => {
      assert.ok((await listRoutes({ ...o, family: 6 })).every((r) => r.family === 6));
      assert.deepEqual((await listRoutes({ ...o, protocol: 'static' })).map((r) => r.destination), ['10.40.0.0/16']);
      assert.deepEqual((await listRoutes({ ...o, type: 'blackhole' })).map((r) => r.destination), ['192.0.2.72/29']);
      assert.ok((await listRoutes({ ...o, device: 'r0' })).every((r) => r.index === r0 || r.multipath?.some((h) => h.index === r0)));
      assert.ok((await listRoutes({ ...o, table: 'all' })).length > main.length);
    });

    // Each step below works on what the step before left.
    await t.test('replaceRoute changes the gateway in place; adding it again is EEXIST', async () => {
      await replaceRoute({ ...o, destination: '10.40.0.0/16', gateway: '10.30.0.253', metric: 50 });
      assert.equal(find(await listRoutes(o), '10.40.0.0/16').gateway, '10.30.0.253');
      await rejectsWith(addRoute({ ...o, destination: '10.40.0.0/16', gateway: '10.30.0.1', metric: 50 }), 'EEXIST');
    });
    await t.test('deleteRoute removes the route; deleting it again is ESRCH', async () => {
      await deleteRoute({ ...o, destination: '10.40.0.0/16', metric: 50 });
      assert.equal(find(await listRoutes(o), '10.40.0.0/16'), undefined);
      await rejectsWith(deleteRoute({ ...o, destination: '10.40.0.0/16' }), 'ESRCH');
    });
    await t.test('the kernel\'s refusals come back typed, with its extended ack', async () => {
      const unreachable = await rejectsWith(addRoute({ ...o, destination: '10.50.0.0/16', gateway: '172.31.0.1' }), 'ENETUNREACH');
      assert.equal(unreachable.syscall, 'rtnetlink');
      const badPrefix = await rejectsWith(addRoute({ ...o, destination: '10.60.0.5/16', device: 'r0' }), 'EINVAL');
      assert.match(badPrefix.extack, /prefix/i);
    });
  });
});

test('addRoutes: many routes in one call, per-route results, all validated before anything is sent', async () => {
  await withLink(async (ns) => {
    const specs = Array.from({ length: 500 }, (_, i) => ({ destination: `10.90.${i >> 8}.${i & 255}/32`, device: 'r0' }));
    specs.push({ destination: '10.90.0.0/32', device: 'r0' }); // a duplicate: EEXIST for that one only
    const results = await addRoutes(specs, { netns: ns });
    assert.equal(results.length, 501);
    assert.equal(results.filter(Boolean).length, 1);
    assert.equal(results[500].code, 'EEXIST');
    assert.equal((await listRoutes({ netns: ns })).filter((r) => r.destination.startsWith('10.90.')).length, 500);
    // One invalid spec: nothing is sent.
    await rejectsWith(addRoutes([{ destination: '10.91.0.0/24', device: 'r0' }, { destination: 'bad' }], { netns: ns }), 'ERR_INVALID_ARG_VALUE');
    assert.equal((await listRoutes({ netns: ns })).filter((r) => r.destination.startsWith('10.91.')).length, 0);
    await rejectsWith(addRoutes('routes', { netns: ns }), 'ERR_INVALID_ARG_TYPE');
    await rejectsWith(addRoutes([{ destination: '10.92.0.0/24', device: 'r0', netns: ns }], { netns: ns }), 'ERR_INVALID_ARG_VALUE');
    // replace: the same routes again, through a gateway.
    const again = await addRoutes(specs.slice(0, 10).map((x) => ({ destination: x.destination, gateway: '10.30.0.5' })), { netns: ns, replace: true });
    assert.equal(again.filter(Boolean).length, 0);
    assert.equal((await getRoute('10.90.0.3', { netns: ns })).gateway, '10.30.0.5');
  });
});

test('getRoute answers like ip route get: the chosen link, gateway and source, and the FIB entry that matched', async () => {
  await withLink(async (ns, r0) => {
    await addRoute({ netns: ns, destination: '10.70.0.0/16', gateway: '10.30.0.9' });
    const r = await getRoute('10.70.1.2', { netns: ns });
    assert.equal(r.destination, '10.70.1.2/32');
    assert.equal(r.gateway, '10.30.0.9');
    assert.equal(r.index, r0);
    assert.equal(r.source, '10.30.0.1');
    const [ip] = await ipJson(ns, 'route', 'get', '10.70.1.2');
    assert.equal(ip.gateway, r.gateway);
    assert.equal(ip.prefsrc, r.source);
    assert.equal((await getRoute('10.30.0.5', { netns: ns })).gateway, undefined);
    assert.equal((await getRoute('fd30::5', { netns: ns })).index, r0);
    const fib = await getRoute('10.70.1.2', { netns: ns, fibMatch: true });
    assert.equal(fib.destination, '10.70.0.0/16');
    // No route: the kernel's ENETUNREACH.
    await rejectsWith(getRoute('fd99::1', { netns: ns }), 'ENETUNREACH');
  });
});

test('routes: bad input is refused before any syscall', async () => {
  await withLink(async (ns) => {
    const o = { netns: ns };
    await nameCacheReady(ns, 'r0'); // the namespace's name cache holds one descriptor while it lives
    const fds = fdCount();
    const cases = [
      [{ ...o, destination: 'nowhere', device: 'r0' }, 'ERR_INVALID_ARG_VALUE'],
      [{ ...o, destination: '10.0.0.0/33', device: 'r0' }, 'ERR_INVALID_ARG_VALUE'],
      [{ ...o, destination: '10.0.0.0/8' }, 'ERR_INVALID_ARG_VALUE'], // unicast without gateway or device
      [{ ...o, destination: '10.0.0.0/8', gateway: 'fd30::1' }, 'ERR_INVALID_ARG_VALUE'],
      [{ ...o, destination: '10.0.0.0/8', device: 'r0', type: 'bogus' }, 'ERR_INVALID_ARG_VALUE'],
      [{ ...o, destination: '10.0.0.0/8', device: 'r0', table: 0 }, 'ERR_INVALID_ARG_VALUE'],
      [{ ...o, destination: '10.0.0.0/8', device: 'r0', table: 'mine' }, 'ERR_INVALID_ARG_VALUE'],
      [{ ...o, destination: '10.0.0.0/8', device: 'r0', metric: -1 }, 'ERR_INVALID_ARG_VALUE'],
      [{ ...o, destination: '10.0.0.0/8', device: 'r0', pref: 'high' }, 'ERR_INVALID_ARG_VALUE'],
      [{ ...o, destination: '10.0.0.0/8', device: 'r0', scope: 'galaxy' }, 'ERR_INVALID_ARG_VALUE'],
      [{ ...o, destination: '10.0.0.0/8', multipath: [] }, 'ERR_INVALID_ARG_VALUE'],
      [{ ...o, destination: '10.0.0.0/8', multipath: [{ weight: 2 }] }, 'ERR_INVALID_ARG_VALUE'],
      [{ ...o, destination: '10.0.0.0/8', multipath: [{ gateway: '10.30.0.2', weight: 300 }] }, 'ERR_INVALID_ARG_VALUE'],
      [{ ...o, destination: '10.0.0.0/8', gatway: '10.30.0.2' }, 'ERR_INVALID_ARG_VALUE'],
      [{ ...o, destination: '10.0.0.0/8', device: 'r0', metrics: { mtu: 'big' } }, 'ERR_INVALID_ARG_TYPE'],
      [{ ...o, destination: 42, device: 'r0' }, 'ERR_INVALID_ARG_TYPE'],
      [{ ...o, destination: '10.0.0.0/8', device: 'no-such-link' }, 'ENODEV'],
    ];
    for (const [spec, code] of cases) await rejectsWith(addRoute(spec), code);
    await rejectsWith(addRoute(null), 'ERR_INVALID_ARG_TYPE');
    await rejectsWith(listRoutes({ netns: ns, table: -4 }), 'ERR_INVALID_ARG_VALUE');
    await rejectsWith(getRoute('not-an-ip', o), 'ERR_INVALID_ARG_VALUE');
    assert.equal(fdCount(), fds);
  });
});

test('rules: selectors, actions and priorities read back and match ip -j rule', async () => {
  await withLink(async (ns) => {
    const o = { netns: ns };
    const before = await listRules(o);
    await addRule({ ...o, from: '10.30.0.0/24', table: 100, priority: 1000 });
    await addRule({ ...o, to: '192.0.2.0/24', iif: 'r0', fwmark: 0x10, fwmask: 0xff, table: 'main', priority: 1001, invert: true });
    await addRule({ ...o, ipProto: 6, dportRange: { start: 80, end: 88 }, action: 'prohibit', priority: 1002 });
    await addRule({ ...o, family: 6, from: 'fd30::/64', table: 200, priority: 1003, suppressPrefixLength: 0 });
    await addRule({ ...o, oif: 'r1', action: 'goto', goto: 2000, priority: 1004 });
    const rules = await listRules(o);
    const at = (p) => rules.find((r) => r.priority === p);
    assert.deepEqual(at(1000), { family: 4, priority: 1000, from: '10.30.0.0/24', to: 'all', tos: 0, table: 100, action: 'table', invert: false, protocol: 0 });
    assert.equal(at(1001).to, '192.0.2.0/24');
    assert.equal(at(1001).iif, 'r0');
    assert.equal(at(1001).fwmark, 0x10);
    assert.equal(at(1001).fwmask, 0xff);
    assert.equal(at(1001).table, 254);
    assert.equal(at(1001).invert, true);
    assert.equal(at(1002).action, 'prohibit');
    assert.deepEqual(at(1002).dportRange, { start: 80, end: 88 });
    assert.equal(at(1002).ipProto, 6);
    assert.equal(at(1003).family, 6);
    assert.equal(at(1003).suppressPrefixLength, 0);
    assert.equal(at(1004).action, 'goto');
    assert.equal(at(1004).goto, 2000);
    const ip = [...(await ipJson(ns, '-4', 'rule', 'show')), ...(await ipJson(ns, '-6', 'rule', 'show'))];
    const ipAt = (p) => ip.find((r) => r.priority === p);
    assert.equal(ipAt(1000).src, '10.30.0.0');
    assert.equal(ipAt(1000).table, '100');
    assert.equal(ipAt(1001).not, null);
    assert.equal(ipAt(1001).fwmark, '0x10');
    assert.equal(ipAt(1002).action, 'prohibit');
    assert.equal(ipAt(1003).table, '200');
    // The kernel's own rules (local, main, default) are there too.
    assert.deepEqual(before.filter((r) => r.family === 4).map((r) => r.table), [255, 254, 253]);
    await deleteRule({ ...o, priority: 1000 });
    await deleteRule({ ...o, family: 6, priority: 1003 });
    assert.equal((await listRules(o)).find((r) => r.priority === 1000 || r.priority === 1003), undefined);
    await rejectsWith(deleteRule({ ...o, priority: 1000 }), 'ENOENT');
    await rejectsWith(addRule({ ...o, from: '10.0.0.0/8' }), 'ERR_INVALID_ARG_VALUE'); // no action
    await rejectsWith(addRule({ ...o, fwmask: 1, table: 5 }), 'ERR_INVALID_ARG_VALUE');
    await rejectsWith(addRule({ ...o, from: '10.0.0.0/8', to: 'fd00::/8', table: 5 }), 'ERR_INVALID_ARG_VALUE');
    await rejectsWith(addRule({ ...o, table: 5, action: 'jump' }), 'ERR_INVALID_ARG_VALUE');
    await rejectsWith(addRule({ ...o, table: 5, sportRange: { start: 9, end: 3 } }), 'ERR_INVALID_ARG_VALUE');
  });
});

test('neighbours: ARP and NDP entries in every state, proxy entries, replace, flush; cross-checked with ip -j neigh', async (t) => {
  await withLink(async (ns, r0) => {
    const o = { netns: ns, device: 'r0' };
    await addNeighbour({ ...o, address: '10.30.0.10', mac: '02:00:00:00:00:10' });
    await addNeighbour({ ...o, address: '10.30.0.11', mac: '02:00:00:00:00:11', state: 'reachable' });
    await addNeighbour({ ...o, address: '10.30.0.12', mac: '02:00:00:00:00:12', state: 'stale' });
    await addNeighbour({ ...o, address: '10.30.0.13', mac: '02:00:00:00:00:13', state: 'noarp' });
    await addNeighbour({ ...o, address: 'fd30::10', mac: '02:00:00:00:01:10', router: true });
    await addNeighbour({ ...o, address: '10.30.0.99', proxy: true });
    await t.test('adding an existing entry is EEXIST', async () => {
      await rejectsWith(addNeighbour({ ...o, address: '10.30.0.10', mac: '02:00:00:00:00:aa' }), 'EEXIST');
    });
    await t.test('entries read back with their state, router flag and MAC; proxies are listed apart', async () => {
      const list = await listNeighbours({ netns: ns, device: 'r0' });
      const at = (a) => list.find((n) => n.address === a);
      assert.deepEqual(at('10.30.0.10'), { index: r0, family: 4, address: '10.30.0.10', state: ['permanent'], flags: [], router: false, proxy: false, mac: '02:00:00:00:00:10' });
      assert.deepEqual(at('10.30.0.11').state, ['reachable']);
      assert.deepEqual(at('10.30.0.12').state, ['stale']);
      assert.deepEqual(at('10.30.0.13').state, ['noarp']);
      assert.equal(at('fd30::10').router, true);
      assert.equal(at('10.30.0.99'), undefined, 'proxies are listed apart');
      assert.deepEqual((await listNeighbours({ netns: ns, proxy: true })).map((n) => n.address), ['10.30.0.99']);
    });
    await t.test('ip -j neigh shows the same entries', async () => {
      const ip = await ipJson(ns, 'neigh', 'show', 'dev', 'r0');
      assert.equal(ip.find((n) => n.dst === '10.30.0.10').lladdr, '02:00:00:00:00:10');
      assert.deepEqual(ip.find((n) => n.dst === '10.30.0.12').state, ['STALE']);
      assert.ok(ip.find((n) => n.dst === 'fd30::10').router === null);
    });
    // Each step below works on what the step before left.
    await t.test('replaceNeighbour changes the MAC', async () => {
      await replaceNeighbour({ ...o, address: '10.30.0.10', mac: '02:00:00:00:00:aa' });
      assert.equal((await listNeighbours({ netns: ns })).find((n) => n.address === '10.30.0.10').mac, '02:00:00:00:00:aa');
    });
    await t.test('flushNeighbours keeps permanent and noarp entries unless told', async () => {
      assert.equal(await flushNeighbours({ netns: ns, device: 'r0', family: 4 }), 2);
      assert.deepEqual((await listNeighbours({ netns: ns, family: 4 })).map((n) => n.address).sort(), ['10.30.0.10', '10.30.0.13']);
    });
    await t.test('deleteNeighbour removes a proxy entry', async () => {
      await deleteNeighbour({ ...o, address: '10.30.0.99', proxy: true });
      assert.deepEqual(await listNeighbours({ netns: ns, proxy: true }), []);
    });
    await t.test('flushNeighbours all: removes the permanent ones too; deleting one gone is ENOENT', async () => {
      assert.ok((await flushNeighbours({ netns: ns, all: true })) >= 3);
      assert.deepEqual((await listNeighbours({ netns: ns, device: 'r0' })).filter((n) => !n.state.includes('noarp') || n.address.startsWith('10.')), []);
      await rejectsWith(deleteNeighbour({ ...o, address: '10.30.0.10' }), 'ENOENT');
    });
    await t.test('bad input is refused with documented codes', async () => {
      await rejectsWith(addNeighbour({ ...o, address: '10.30.0.20' }), 'ERR_INVALID_ARG_VALUE'); // permanent needs a MAC
      await rejectsWith(addNeighbour({ ...o, address: '10.30.0.20', mac: 'zz' }), 'ERR_INVALID_ARG_VALUE');
      await rejectsWith(addNeighbour({ ...o, address: '10.30.0.20', mac: '02:00:00:00:00:01', state: 'happy' }), 'ERR_INVALID_ARG_VALUE');
      await rejectsWith(addNeighbour({ ...o, address: '10.30.0.20', mac: '02:00:00:00:00:01', router: true }), 'ERR_INVALID_ARG_VALUE');
      await rejectsWith(addNeighbour({ ...o, address: '10.30.0.20', proxy: true, mac: '02:00:00:00:00:01' }), 'ERR_INVALID_ARG_VALUE');
      await rejectsWith(addNeighbour({ netns: ns, device: 'nope', address: '10.30.0.20', mac: '02:00:00:00:00:01' }), 'ENODEV');
    });
  });
});

test('namespace ids: set, read, listed with names, and a veth peer resolved to its namespace', async () => {
  await withNetnsN(2, async ([a, b]) => {
    assert.equal(await getNetnsId(b, { netns: a }), null);
    await setNetnsId(b, 42, { netns: a });
    assert.equal(await getNetnsId(b, { netns: a }), 42);
    await rejectsWith(setNetnsId(b, 43, { netns: a }), 'EEXIST');
    assert.deepEqual(await listNetnsIds({ netns: a }), [{ id: 42, name: null }]);
    // A veth across: its parentNetnsId is the id a gives b; findNetnsById maps it back.
    await createVeth({ name: 'x0', netns: a, peer: { name: 'x1', netns: b } });
    const x0 = await getLink('x0', { netns: a });
    assert.equal(x0.parentNetnsId, 42);
    assert.equal(await findNetnsById(x0.parentNetnsId, { netns: a, candidates: [b] }), b);
    assert.equal(await findNetnsById(7, { netns: a, candidates: [b] }), null);
    // A kernel-assigned id (-1) and named namespaces listed by name, as `ip netns list-id`.
    const named = await createNetns('nsid-test');
    try {
      await setNetnsId('nsid-test', -1, { netns: a });
      const ids = await listNetnsIds({ netns: a });
      const mine = ids.find((x) => x.name === 'nsid-test');
      assert.ok(mine && mine.id >= 0 && mine.id !== 42);
      assert.equal(await findNetnsById(mine.id, { netns: a }), 'nsid-test');
      const ip = await ipJson(a, 'netns', 'list-id');
      assert.deepEqual(ip.map((x) => x.nsid).sort(), ids.map((x) => x.id).sort());
    } finally {
      named.close();
      const { deleteNetns } = await import('netdev');
      await deleteNetns('nsid-test');
    }
    await rejectsWith(setNetnsId(b, 1.5, { netns: a }), 'ERR_INVALID_ARG_VALUE');
    await rejectsWith(getNetnsId('no-such-ns', { netns: a }), 'ENOENT');
  });
});
