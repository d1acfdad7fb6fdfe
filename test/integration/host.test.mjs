// A namespace as a host: its sysctls, programs run inside it, and live events from its kernel.
import assert from 'node:assert/strict';
import { execFile as execFileCb, spawn as spawnNode } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import {
  addAddress, addNeighbour, addRoute, addRoutes, createNetns, createVeth, deleteLink, deleteNetns, deleteRoute, execFile, getSysctl, listRoutes, replaceNeighbour,
  replaceRoute, setLink, setSysctl, spawn, watch,
} from 'netdev';
import { childProcesses, fdCount, rejectsWith, waitFor, withNetns } from '../helpers.mjs';

const run = promisify(execFileCb);

test('sysctls: read and written inside the namespace only; link keys with dots; bad keys refused', async () => {
  await withNetns(async (ns) => {
    const hostForward = readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim();
    assert.equal(await getSysctl('net.ipv4.ip_forward', { netns: ns }), '0');
    assert.equal(await setSysctl('net.ipv4.ip_forward', true, { netns: ns }), '1');
    assert.equal(await getSysctl(['net', 'ipv4', 'ip_forward'], { netns: ns }), '1');
    assert.equal(readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim(), hostForward, 'the caller\'s namespace is untouched');
    await createVeth({ name: 'e.100', netns: ns, peer: { name: 'e1' } });
    await setSysctl(['net', 'ipv4', 'conf', 'e.100', 'rp_filter'], 2, { netns: ns });
    assert.equal(await getSysctl(['net', 'ipv4', 'conf', 'e.100', 'rp_filter'], { netns: ns }), '2');
    await setSysctl('net.ipv6.conf.e1.disable_ipv6', 1, { netns: ns });
    const { stdout } = await run('nsenter', [`--net=/proc/${process.pid}/fd/${ns.fd}`, 'sysctl', '-n', 'net.ipv6.conf.e1.disable_ipv6', 'net.ipv4.ip_forward']);
    assert.deepEqual(stdout.trim().split('\n'), ['1', '1']);
    assert.match(await getSysctl('net.ipv4.ip_local_port_range', { netns: ns }), /^\d+\t\d+$/);
    for (const key of [
      'kernel.hostname', 'net.ipv4.../../../../etc/passwd', 'net..ipv4', 'net', '/proc/sys/net/ipv4/ip_forward', 'net/ipv4/ip_forward', 'net.ipv4.conf.e/100.rp_filter',
      'net.ipv4.ip forward', ['net', '..', 'kernel'], ['net', 'ipv4/../../kernel'], ['kernel', 'hostname'],
    ])
      await rejectsWith(getSysctl(key, { netns: ns }), 'ERR_INVALID_ARG_VALUE');
    await rejectsWith(setSysctl('net/../kernel/hostname', 'x', { netns: ns }), 'ERR_INVALID_ARG_VALUE');
    await rejectsWith(getSysctl(7, { netns: ns }), 'ERR_INVALID_ARG_TYPE');
    await rejectsWith(setSysctl('net.ipv4.ip_forward', {}, { netns: ns }), 'ERR_INVALID_ARG_TYPE');
    await rejectsWith(getSysctl('net.ipv4.no_such_key', { netns: ns }), 'ENOENT');
    // A write-only sysctl: written, nothing to read back; reading it is the kernel's EACCES.
    assert.equal(await setSysctl('net.ipv4.route.flush', 1, { netns: ns }), '');
    await rejectsWith(getSysctl('net.ipv4.route.flush', { netns: ns }), 'EACCES');
    await rejectsWith(setSysctl('net.ipv4.ip_forward', 'x', { netns: ns }), 'EINVAL');
  });
});

test('spawn and execFile: programs run inside the namespace, with arguments passed verbatim (no shell)', async () => {
  await withNetns(async (ns) => {
    await createVeth({ name: 'inside0', netns: ns, peer: { name: 'inside1' } });
    const r = await execFile('ip', ['-j', 'link', 'show'], { netns: ns });
    assert.equal(r.code, 0);
    assert.deepEqual(JSON.parse(r.stdout).map((l) => l.ifname).sort(), ['inside0', 'inside1', 'lo']);
    // Arguments are not interpreted by any shell.
    const echo = await execFile('printf', ['%s|', '$HOME', 'a b', '`id`', ';ls'], { netns: ns });
    assert.equal(echo.stdout, '$HOME|a b|`id`|;ls|');
    // stdin, exit codes, signals.
    assert.equal((await execFile('cat', [], { netns: ns, input: 'fed on stdin' })).stdout, 'fed on stdin');
    assert.equal((await execFile('sh', ['-c', 'exit 3'], { netns: ns })).code, 3);
    const killed = await execFile('sleep', ['5'], { netns: ns, timeout: 50 }).catch((e) => e);
    assert.equal(killed.code, 'ETIMEDOUT');
    await rejectsWith(execFile('/nonexistent/no-such-program', [], { netns: ns }), 'ENOENT');
    await rejectsWith(execFile('no-such-program-netdev', [], { netns: ns, env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } }), 'ENOENT');
    // spawn returns the program's own ChildProcess (same pid after exec).
    const child = spawn('sh', ['-c', 'echo $$; cat /proc/net/dev'], { netns: ns });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    const [code] = await once(child, 'close');
    assert.equal(code, 0);
    assert.equal(Number(out.split('\n')[0]), child.pid);
    assert.match(out, /inside0/);
    // Bad input fails before anything runs; nothing leaks.
    const fds = fdCount();
    assert.throws(() => spawn('ls', [], { netns: ns, shell: true }), { code: 'ERR_INVALID_ARG_VALUE' });
    assert.throws(() => spawn('ls', 'not-an-array', { netns: ns }), { code: 'ERR_INVALID_ARG_TYPE' });
    assert.throws(() => spawn('ls', []), { code: 'ERR_INVALID_ARG_TYPE' });
    assert.throws(() => spawn('ls', [], {}), { code: 'ERR_INVALID_ARG_VALUE' });
    assert.throws(() => spawn('ls', [], { netns: 'no-such-namespace' }), { code: 'ENOENT' });
    assert.throws(() => spawn('ls', [], { netns: { path: '/etc/hostname' } }), { code: 'EINVAL' });
    assert.throws(() => spawn('', [], { netns: ns }), { code: 'ERR_INVALID_ARG_VALUE' });
    assert.equal(fdCount(), fds);
  });
});

test('spawn in a named namespace does what ip netns exec does: /sys shows its links, /etc/netns/NAME is bound over /etc', async () => {
  // An overlay keeps /etc/netns/NAME inside this test's mount namespace (the sandbox's).
  const work = mkdtempSync(join(tmpdir(), 'netdev-etc-'));
  mkdirSync(join(work, 'upper'));
  mkdirSync(join(work, 'work'));
  await run('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=/etc,upperdir=${work}/upper,workdir=${work}/work`, '/etc']);
  const ns = await createNetns('exec-test');
  try {
    mkdirSync('/etc/netns/exec-test', { recursive: true });
    writeFileSync('/etc/netns/exec-test/resolv.conf', 'nameserver 192.0.2.53\n');
    await createVeth({ name: 'named0', netns: ns, peer: { name: 'named1' } });
    const sys = await execFile('ls', ['/sys/class/net'], { netns: 'exec-test' });
    assert.deepEqual(sys.stdout.trim().split('\n').sort(), ['lo', 'named0', 'named1']);
    assert.equal((await execFile('cat', ['/etc/resolv.conf'], { netns: 'exec-test' })).stdout, 'nameserver 192.0.2.53\n');
    // The same for ip itself, as a reference.
    const ipView = await run('ip', ['netns', 'exec', 'exec-test', 'cat', '/etc/resolv.conf']);
    assert.equal(ipView.stdout, 'nameserver 192.0.2.53\n');
    // The caller's view is unchanged; an anonymous handle gets no mount changes unless asked.
    assert.notEqual(readFileSync('/etc/resolv.conf', 'utf8'), 'nameserver 192.0.2.53\n');
    const viaHandle = await execFile('ls', ['/sys/class/net'], { netns: { fd: ns.fd }, mountSys: true });
    assert.deepEqual(viaHandle.stdout.trim().split('\n').sort(), ['lo', 'named0', 'named1']);
  } finally {
    ns.close();
    await deleteNetns('exec-test');
    await run('umount', ['/etc']);
    rmSync(work, { recursive: true, force: true });
  }
});

test('watch: typed add/change/delete events for links, addresses, routes and neighbours; listExisting; AbortSignal', async (t) => {
  await withNetns(async (ns) => {
    const ac = new AbortController();
    const w = watch({ netns: ns, listExisting: true, signal: ac.signal });
    const events = [];
    w.on('event', (e) => events.push(e));
    await w.ready;
    await t.test('listExisting delivers the current state as existing adds, then synced', () => {
      assert.ok(events.some((e) => e.kind === 'link' && e.type === 'add' && e.existing && e.link.name === 'lo'));
      assert.equal(events.at(-1).kind, 'synced');
    });
    events.length = 0;
    await createVeth({ name: 'w0', netns: ns, up: true, peer: { name: 'w1', up: true } });
    await addAddress('w0', '10.80.0.1/24', { netns: ns });
    await addRoute({ netns: ns, destination: '10.81.0.0/16', gateway: '10.80.0.2' });
    await addNeighbour({ netns: ns, device: 'w0', address: '10.80.0.9', mac: '02:00:00:00:00:09' });
    await setLink('w0', { mtu: 1400 }, { netns: ns });
    await replaceNeighbour({ netns: ns, device: 'w0', address: '10.80.0.9', mac: '02:00:00:00:00:0a' });
    await replaceRoute({ netns: ns, destination: '10.81.0.0/16', gateway: '10.80.0.3' });
    await deleteRoute({ netns: ns, destination: '10.81.0.0/16' });
    await deleteLink('w0', { netns: ns });
    const has = (pred, what) => waitFor(() => events.some(pred), { what });
    await t.test('each change arrives as a typed add, change or delete event, with no resync', async () => {
      await has((e) => e.kind === 'link' && e.type === 'add' && e.link.name === 'w0', 'link add');
      await has((e) => e.kind === 'link' && e.type === 'change' && e.link.name === 'w0' && e.link.mtu === 1400, 'link change');
      await has((e) => e.kind === 'address' && e.type === 'add' && e.address.address === '10.80.0.1', 'address add');
      await has((e) => e.kind === 'route' && e.type === 'add' && e.route.destination === '10.81.0.0/16' && e.route.gateway === '10.80.0.2', 'route add');
      await has((e) => e.kind === 'neighbour' && e.type === 'add' && e.neighbour.address === '10.80.0.9', 'neighbour add');
      await has((e) => e.kind === 'neighbour' && e.type === 'change' && e.neighbour.mac === '02:00:00:00:00:0a', 'neighbour change');
      await has((e) => e.kind === 'route' && e.type === 'change' && e.route.gateway === '10.80.0.3', 'route change');
      await has((e) => e.kind === 'route' && e.type === 'delete' && e.route.destination === '10.81.0.0/16', 'route delete');
      await has((e) => e.kind === 'address' && e.type === 'delete' && e.address.address === '10.80.0.1', 'address delete');
      await has((e) => e.kind === 'link' && e.type === 'delete' && e.link.name === 'w0', 'link delete');
      assert.ok(!events.some((e) => e.kind === 'resync'));
    });
    // In the order the changes were made (other events, such as IPv6 link-local routes, between).
    await t.test('the events come in the order the changes were made', () => {
      const expected = [
        (e) => e.kind === 'link' && e.type === 'add' && e.link.name === 'w0',
        (e) => e.kind === 'address' && e.type === 'add' && e.address.address === '10.80.0.1',
        (e) => e.kind === 'route' && e.type === 'add' && e.route.destination === '10.81.0.0/16',
        (e) => e.kind === 'neighbour' && e.type === 'add' && e.neighbour.address === '10.80.0.9',
        (e) => e.kind === 'link' && e.type === 'change' && e.link.name === 'w0' && e.link.mtu === 1400,
        (e) => e.kind === 'neighbour' && e.type === 'change' && e.neighbour.mac === '02:00:00:00:00:0a',
        (e) => e.kind === 'route' && e.type === 'change' && e.route.gateway === '10.80.0.3',
        (e) => e.kind === 'route' && e.type === 'delete' && e.route.destination === '10.81.0.0/16',
        (e) => e.kind === 'link' && e.type === 'delete' && e.link.name === 'w0',
      ];
      let at = 0;
      for (const [i, match] of expected.entries()) {
        const found = events.findIndex((e, j) => j >= at && match(e));
        assert.ok(found >= 0, `event ${i} missing or out of order`);
        at = found + 1;
      }
    });
    await t.test('the iterator form ends when the signal aborts', async () => {
      const iterated = (async () => {
        const seen = [];
        for await (const e of w) seen.push(e.kind);
        return seen;
      })();
      await createVeth({ name: 'w2', netns: ns, peer: { name: 'w3' } });
      await has((e) => e.kind === 'link' && e.link?.name === 'w2', 'w2');
      ac.abort();
      assert.ok((await iterated).includes('link'));
      assert.equal(w.closed, true);
    });
  });
});

test('watch: a burst of 10,000 route changes is tracked exactly; with a shrunk receive buffer, resync and a final state equal to a fresh dump', async () => {
  for (const receiveBuffer of [undefined, 4096]) {
    await withNetns(async (ns) => {
      await createVeth({ name: 'b0', netns: ns, up: true, peer: { name: 'b1' } });
      const w = watch({ netns: ns, route: true, ...(receiveBuffer ? { receiveBuffer } : {}) });
      const tracked = new Map();
      let resyncs = 0;
      const errors = [];
      w.on('resync', () => resyncs++);
      w.on('error', (e) => errors.push(e));
      w.on('route', (e) => {
        if (e.route.family !== 4 || e.route.table !== 254 || !e.route.destination.startsWith('12.')) return;
        if (e.type === 'delete') tracked.delete(e.route.destination);
        else tracked.set(e.route.destination, e.route);
      });
      await w.ready;
      const N = 10000;
      const dst = (i) => `12.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32`;
      const added = await addRoutes(Array.from({ length: N }, (_, i) => ({ destination: dst(i), device: 'b0' })), { netns: ns });
      assert.equal(added.filter(Boolean).length, 0);
      await waitFor(() => tracked.size === N, { timeout: 15000, what: `${N} routes tracked (${tracked.size})` });
      // Half go away again.
      await Promise.all(Array.from({ length: N / 2 }, (_, i) => deleteRoute({ netns: ns, destination: dst(i) })));
      await waitFor(() => tracked.size === N / 2, { timeout: 15000, what: `${N / 2} left (${tracked.size})` });
      const fresh = (await listRoutes({ netns: ns, family: 4 })).filter((r) => r.destination.startsWith('12.'));
      assert.deepEqual([...tracked.keys()].sort(), fresh.map((r) => r.destination).sort());
      assert.deepEqual(errors, []);
      if (receiveBuffer) assert.ok(resyncs >= 1, 'the small buffer overflowed and a resync followed');
      else assert.equal(resyncs, 0, 'the default buffer held the burst');
      w.close();
    });
  }
});

test('watch: unref\'d by default (an idle watcher does not keep a process alive); bad options refused', async () => {
  const script = `
    const { createNetns, watch } = require('netdev');
    createNetns().then(async (ns) => { const w = watch({ netns: ns }); await w.ready; console.log('ready'); });`;
  const child = spawnNode(process.execPath, ['-e', script], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  const timer = setTimeout(() => child.kill(), 10000);
  const [code] = await once(child, 'close');
  clearTimeout(timer);
  assert.equal(out.trim(), 'ready');
  assert.equal(code, 0, 'the process exited by itself');
  assert.throws(() => watch({ link: 'yes' }), { code: 'ERR_INVALID_ARG_TYPE' });
  assert.throws(() => watch({ links: true }), { code: 'ERR_INVALID_ARG_VALUE' });
  assert.throws(() => watch({ signal: {} }), { code: 'ERR_INVALID_ARG_VALUE' });
  assert.throws(() => watch({ receiveBuffer: 10 }), { code: 'ERR_INVALID_ARG_VALUE' });
  assert.throws(() => watch({ netns: 'no/such' }), { code: 'ERR_INVALID_ARG_VALUE' });
});

test('worker_threads: watch, sysctls and execFile inside a worker', async () => {
  await withNetns(async (ns) => {
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      const { openNetns, watch, createVeth, getSysctl, setSysctl, execFile } = require('netdev');
      (async () => {
        const ns = await openNetns({ fd: workerData.fd });
        const w = watch({ netns: ns, link: true });
        await w.ready;
        const seen = new Promise((resolve) => w.on('link', (e) => { if (e.type === 'add' && e.link.name === 'wk0') resolve(e.link.name); }));
        await createVeth({ name: 'wk0', netns: ns, peer: { name: 'wk1' } });
        const name = await seen;
        w.close();
        await setSysctl('net.ipv4.ip_forward', 1, { netns: ns });
        const forward = await getSysctl('net.ipv4.ip_forward', { netns: ns });
        const r = await execFile('cat', ['/proc/net/dev'], { netns: ns });
        ns.close();
        parentPort.postMessage([name, forward, r.stdout.includes('wk1')].join(','));
      })().catch((e) => parentPort.postMessage('error: ' + e));`;
    const w = new Worker(code, { eval: true, workerData: { fd: ns.fd } });
    const [msg] = await once(w, 'message');
    assert.equal(msg, 'wk0,1,true');
    await w.terminate();
    // Workers terminated with a live, ref'd watcher: the environment's teardown closes it.
    for (let i = 0; i < 5; i++) {
      const live = new Worker(
        `const { parentPort, workerData } = require('node:worker_threads');
         const { openNetns, watch } = require('netdev');
         openNetns({ fd: workerData.fd }).then(async (ns) => { const w = watch({ netns: ns }).ref(); await w.ready; parentPort.postMessage('ready'); });`,
        { eval: true, workerData: { fd: ns.fd } },
      );
      await once(live, 'message');
      await live.terminate();
    }
  });
});

test('no fd leaks: 200 watchers opened and closed, 500 sysctl reads, 50 programs run', async () => {
  await withNetns(async (ns) => {
    const fds = fdCount();
    for (let i = 0; i < 200; i++) {
      const w = watch({ netns: ns, link: true });
      if (i % 2 === 0) await w.ready; // half closed before they are even subscribed
      w.close();
    }
    await Promise.all(Array.from({ length: 500 }, () => getSysctl('net.ipv4.ip_forward', { netns: ns })));
    for (let i = 0; i < 50; i++) assert.equal((await execFile('true', [], { netns: ns })).code, 0);
    await waitFor(() => fdCount() === fds, { what: `fds back to ${fds} (now ${fdCount()})` });
  });
});

test('nothing left running: no child processes, no zombies after the spawning tests', async () => {
  await waitFor(() => childProcesses().length === 0, { what: `children to exit: ${childProcesses().join(', ')}` });
});
