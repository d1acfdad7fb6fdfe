// Regressions of the adversarial review (issue 10): each subtest is named after the defect it
// pins down, and failed before its fix. What can crash or hang the process runs in a child.
import assert from 'node:assert/strict';
import { spawn as spawnNode } from 'node:child_process';
import { createRequire } from 'node:module';
import { once } from 'node:events';
import { test } from 'node:test';
import * as nd from 'netdev';
import { checksum, fdCount, fdMap, ipJson, nameCacheReady, rejectsWith, tunTest, udp4, waitFor, withNetns } from '../helpers.mjs';

/** Runs `script` (CommonJS, `nd` is netdev) in a child node; resolves with how it ended. */
async function child(script, { timeout = 20000 } = {}) {
  const c = spawnNode(process.execPath, ['-e', `const nd = require('netdev');\n${script}`], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  c.stdout.on('data', (d) => (stdout += d));
  c.stderr.on('data', (d) => (stderr += d));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    c.kill('SIGKILL');
  }, timeout);
  const [code, signal] = await once(c, 'close');
  clearTimeout(timer);
  return { code, signal, stdout, stderr, timedOut };
}

/** The last line of a child's stdout, as JSON (what the script reported). */
function report(r) {
  const line = r.stdout.trim().split('\n').pop();
  assert.ok(line, `the child reported nothing (code ${r.code}, timed out ${r.timedOut}): ${r.stderr}`);
  return JSON.parse(line);
}

// ---- 4: watch() resync -------------------------------------------------------------------------

/** A child script: watch routes with a tiny buffer, overflow it, report what the resync did. */
function resyncScript(setup) {
  return `
    const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
    (async () => {
      const a = await nd.createNetns(undefined, { loopbackUp: true });
      const keep = await nd.openNetns(a);
      await nd.createVeth({ name: 'b0', netns: keep, up: true, peer: { name: 'b1' } });
      ${setup}
      const errors = [];
      let resyncs = 0;
      let synced = 0;
      const tracked = new Set();
      w.on('error', (e) => errors.push(e.code ?? String(e)));
      w.on('resync', () => resyncs++);
      w.on('synced', () => synced++);
      w.on('route', (e) => {
        if (e.route.family !== 4 || !e.route.destination.startsWith('12.')) return;
        if (e.type === 'delete') tracked.delete(e.route.destination);
        else tracked.add(e.route.destination);
      });
      await w.ready;
      const reused = await after();
      const N = 10000;
      const dst = (i) => '12.' + ((i >> 8) & 255) + '.' + (i & 255) + '.0/24';
      // The overflow is this test's precondition, not its claim: the routes are added by ip -batch
      // in the watched namespace while this thread waits for it, so the watcher cannot read and
      // the kernel queues far more notifications than 4 KiB hold, however fast the machine.
      const batch = Array.from({ length: N }, (_, i) => 'route add ' + dst(i) + ' dev b0').join('\\n') + '\\n';
      require('node:child_process').execFileSync('nsenter', ['--net=/proc/' + process.pid + '/fd/' + keep.fd, 'ip', '-batch', '-'], { input: batch });
      for (let t = 0; t < 500 && errors.length === 0 && !(resyncs > 0 && synced > resyncs && tracked.size === N); t++) await sleep(20);
      const expected = (await nd.listRoutes({ netns: keep, family: 4 })).filter((r) => r.destination.startsWith('12.')).length;
      console.log(JSON.stringify({ reused, resyncs, errors, tracked: tracked.size, expected }));
      w.close();
      keep.close();
    })();`;
}

test('4: watch() resync after the caller closed its handle neither crashes nor loses the namespace', async () => {
  const r = await child(resyncScript(`
      const w = nd.watch({ netns: a, route: true, receiveBuffer: 4096 });
      const after = async () => { a.close(); return null; };`));
  assert.equal(r.code, 0, `the process survived the resync: ${r.stderr}`);
  const out = report(r);
  assert.ok(out.resyncs >= 1, `the 4 KiB buffer overflowed: ${JSON.stringify(out)}`);
  assert.deepEqual(out.errors, []);
  assert.equal(out.tracked, out.expected, 'the resync dumped the watched namespace');
  assert.equal(out.expected, 10000);
});

test('4: watch({ netns: { fd } }) holds that namespace: a resync never dumps whatever the fd number names later', async () => {
  const r = await child(resyncScript(`
      const fd = a.fd;
      const w = nd.watch({ netns: { fd }, route: true, receiveBuffer: 4096 });
      const others = [];
      const after = async () => {
        a.close();
        // The number is free now; the next namespace opened takes it.
        for (let i = 0; i < 20; i++) {
          const n = await nd.createNetns();
          others.push(n);
          if (n.fd === fd) return true;
        }
        return false;
      };`));
  assert.equal(r.code, 0, `the process survived the resync: ${r.stderr}`);
  const out = report(r);
  assert.equal(out.reused, true, 'another namespace took the fd number');
  assert.ok(out.resyncs >= 1, `the 4 KiB buffer overflowed: ${JSON.stringify(out)}`);
  assert.deepEqual(out.errors, []);
  assert.equal(out.tracked, out.expected, 'the resync dumped the namespace watched, not the one now at that fd number');
  assert.equal(out.expected, 10000);
});

// ---- 5: a bad packet in TUN writeBatch ---------------------------------------------------------

/** An IPv4/UDP packet 10.61.0.2:7000 -> 10.61.0.1:6100 carrying text. */
function pkt(text) {
  return udp4('10.61.0.2', '10.61.0.1', 7000, 6100, Buffer.from(text));
}

/** Packets laid out as a PacketList (what writeBatch takes from a GsoSplitter, say). */
function packetList(packets) {
  const buffer = Buffer.concat(packets);
  const offsets = new Int32Array(packets.length);
  const lengths = new Int32Array(packets.length);
  let o = 0;
  packets.forEach((p, i) => {
    offsets[i] = o;
    lengths[i] = p.length;
    o += p.length;
  });
  return { count: packets.length, buffer, offsets, lengths };
}

/** A child script with a TUN (10.61.0.1/24, up) and a UDP socket on 10.61.0.1:6100. */
function tunScript(body) {
  return `
    ${checksum.toString()}
    ${udp4.toString()}
    ${pkt.toString()}
    ${packetList.toString()}
    const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
    (async () => {
      const ns = await nd.createNetns(undefined, { loopbackUp: true });
      const dev = await nd.openTun({ name: 'tun0', netns: ns });
      await nd.addAddress('tun0', '10.61.0.1/24', { netns: ns });
      await nd.setLink('tun0', { up: true }, { netns: ns });
      const sock = await nd.createUdpSocket({ netns: ns, type: 'udp4', address: '10.61.0.1', port: 6100 });
      const got = [];
      sock.on('message', (m) => got.push(m.toString()));
      const attempt = (fn) => {
        try {
          return { returned: fn() };
        } catch (e) {
          return { name: e.name, code: e.code, index: e.index, written: e.written, syscall: e.syscall };
        }
      };
      const out = {};
      ${body}
      await sleep(300); // writable wakeups come and go: nothing may be retried or reported late
      dev.close();
      await sleep(50);
      sock.close();
      ns.close();
      out.got = got;
      console.log(JSON.stringify(out));
    })();`;
}

tunTest('5: one bad packet in TUN writeBatch is reported once, where it happened, with its index; never retried', async () => {
  const r = await child(tunScript(`
      const bad = Buffer.alloc(28); // IP version 0: the TUN refuses it with EINVAL
      out.second = attempt(() => dev.writeBatch(packetList([pkt('p0'), bad, pkt('p2')])));
      out.first = attempt(() => dev.writeBatch(packetList([bad, pkt('p3')])));
      out.indexed = attempt(() => dev.writeBatch(packetList([pkt('p4'), pkt('p5'), bad]), [0, 2, 1]));
      // Checked before anything is written: a packet outside the buffer, named by its index.
      const list = packetList([pkt('p6'), pkt('p7')]);
      list.lengths[1] = 10000;
      out.outside = attempt(() => dev.writeBatch(list));`));
  assert.equal(r.code, 0, `no 'error' listener, and the process lives: ${r.stderr}`);
  assert.equal(r.stderr, '', 'nothing reported late (no warning, no error event)');
  const out = report(r);
  assert.deepEqual(out.second, { name: 'NetdevError', code: 'EINVAL', index: 1, written: 1, syscall: 'write' });
  assert.deepEqual(out.first, { name: 'NetdevError', code: 'EINVAL', index: 0, written: 0, syscall: 'write' });
  assert.deepEqual(out.indexed, { name: 'NetdevError', code: 'EINVAL', index: 2, written: 1, syscall: 'write' });
  assert.equal(out.outside.name, 'RangeError');
  assert.equal(out.outside.code, 'ERR_INVALID_ARG_VALUE');
  assert.deepEqual(out.got.sort(), ['p0', 'p4'], 'the packets before the refused one arrived; nothing after it was written or retried');
});

// ---- 7: writeBatch reads a PacketList once; the addon checks array types ----------------------

tunTest('7: a PacketList whose getters change between reads is read once; the addon refuses non-Int32Array offsets', async () => {
  const r = await child(tunScript(`
      const real = packetList([pkt('q0'), pkt('q1')]);
      let reads = 0;
      const shifty = {
        count: 2,
        buffer: real.buffer,
        lengths: real.lengths,
        get offsets() {
          reads++;
          return reads === 1 ? real.offsets : new Int8Array([0, 0, 0, 0, 0, 0, 0, 0]);
        },
      };
      out.shifty = attempt(() => dev.writeBatch(shifty));
      out.reads = reads;
      // The addon's own boundary: the wrong typed array is a TypeError, not a reinterpretation.
      const q = dev.queues[0];
      const lens = new Int32Array([28, 28, 28, 28]);
      out.int8 = attempt(() => q.writeBatch(pkt('zz'), new Int8Array(64), lens, 0, 4));
      out.float = attempt(() => q.writeBatch(new Float64Array(8), new Int32Array(4), lens, 0, 1));
      out.overflow = attempt(() => q.writeBatch(pkt('zz'), new Int32Array(4), lens, 0xffffffff, 2));`));
  assert.equal(r.code, 0, r.stderr);
  const out = report(r);
  assert.deepEqual(out.shifty, { returned: 2 });
  assert.equal(out.reads, 1, 'offsets read once');
  for (const k of ['int8', 'float', 'overflow']) assert.equal(out[k].name, 'TypeError', `${k}: ${JSON.stringify(out[k])}`);
  assert.deepEqual(out.got.sort(), ['q0', 'q1']);
});

// ---- 9: fd leaks ---------------------------------------------------------------------------------

test('9: createTcpServer with a bad listener and setNetnsId with a bad netns option leak no fd', async () => {
  await withNetns(async (ns) => {
    const name = `hard-${process.pid}`;
    const target = await nd.createNetns(name);
    try {
      const before = fdMap();
      for (let i = 0; i < 20; i++) {
        await rejectsWith(nd.createTcpServer({ netns: ns }, 'not a function'), 'ERR_INVALID_ARG_TYPE');
        await rejectsWith(nd.setNetnsId(name, 5, { netns: 42 }), 'ERR_INVALID_ARG_TYPE');
        await rejectsWith(nd.getNetnsId(name, { netns: 42 }), 'ERR_INVALID_ARG_TYPE');
      }
      assert.deepEqual(fdMap(), before, 'every fd opened was closed, without waiting for GC');
    } finally {
      target.close();
      await nd.deleteNetns(name);
    }
  });
});

// ---- 10: errors without a code -----------------------------------------------------------------

const PROTO_NAMES = ['toString', '__proto__', 'constructor', 'hasOwnProperty', 'valueOf'];

test('10: enum names are looked up as own properties only (no prototype names)', async () => {
  await withNetns(async (ns) => {
    const o = { netns: ns };
    await nd.createVeth({ name: 'e0', netns: ns, peer: { name: 'e1' } });
    await nd.createBridge({ name: 'br0', netns: ns });
    await nd.setLink('e0', { master: 'br0' }, o);
    for (const bad of PROTO_NAMES) {
      const cases = [
        ['address scope', () => nd.addAddress('lo', '10.9.9.9/32', { ...o, scope: bad })],
        ['route protocol', () => nd.addRoute({ ...o, destination: '10.9.0.0/16', device: 'lo', protocol: bad })],
        ['route scope', () => nd.addRoute({ ...o, destination: '10.9.0.0/16', device: 'lo', scope: bad })],
        ['route type', () => nd.addRoute({ ...o, destination: '10.9.0.0/16', device: 'lo', type: bad })],
        ['route pref', () => nd.addRoute({ ...o, destination: '2001:db8::/64', device: 'lo', pref: bad })],
        ['route table', () => nd.addRoute({ ...o, destination: '10.9.0.0/16', device: 'lo', table: bad })],
        ['rule action', () => nd.addRule({ ...o, table: 100, action: bad })],
        ['rule delete action', () => nd.deleteRule({ ...o, action: bad })],
        ['neighbour state', () => nd.addNeighbour({ ...o, device: 'e0', address: '10.9.9.1', mac: '02:00:00:00:00:01', state: bad })],
        ['fdb state', () => nd.addFdb('e0', { mac: '02:00:00:00:00:02', master: true, state: bad }, o)],
        ['fdb mode', () => nd.addFdb('e0', { mac: '02:00:00:00:00:02', master: true }, { ...o, mode: bad })],
        ['link kind data', () => nd.createLinkOfKind({ ...o, name: 'k0', kind: bad, data: { x: 1 } })],
        ['listRoutes type', () => nd.listRoutes({ ...o, type: bad })],
      ];
      for (const [what, fn] of cases) {
        const e = await fn().then(() => null, (err) => err);
        assert.ok(e, `${what} '${bad}' was refused`);
        assert.equal(typeof e.code, 'string', `${what} '${bad}': an error with a code, got ${e.stack}`);
        assert.match(e.code, /^ERR_INVALID_ARG_(VALUE|TYPE)$/, `${what} '${bad}': ${e.message}`);
      }
      assert.throws(() => nd.writeVnetHeader(Buffer.alloc(10), { gsoType: bad }), { code: 'ERR_INVALID_ARG_VALUE' });
    }
    assert.deepEqual((await nd.listAddresses({ ...o, link: 'lo' })).map((a) => a.address).sort(), ['127.0.0.1', '::1']);
  });
});

test('10: plain TypeErrors become argument errors with a code', async () => {
  await rejectsWith(nd.getSysctl('net.ipv4.ip_forward', null), 'ERR_INVALID_ARG_TYPE');
  await rejectsWith(nd.setSysctl('net.ipv4.ip_forward', 1, null), 'ERR_INVALID_ARG_TYPE');
  assert.throws(() => nd.writeVnetHeader(Buffer.alloc(10), null), { code: 'ERR_INVALID_ARG_TYPE' });
  await withNetns(async (ns) => {
    assert.throws(() => nd.spawn('true', [], { netns: ns, stdio: {} }), { code: 'ERR_INVALID_ARG_TYPE' });
    assert.throws(() => nd.spawn('true', [], { netns: ns, stdio: 42 }), { code: 'ERR_INVALID_ARG_TYPE' });
    await rejectsWith(nd.deleteRule({ netns: ns, action: Object.create(null) }), 'ERR_INVALID_ARG_VALUE');
    await rejectsWith(nd.addRule({ netns: ns, table: 100, action: Object.create(null) }), 'ERR_INVALID_ARG_VALUE');
  });
});

test('10: execFile validates before anything runs and rejects (never throws, never calls input)', async () => {
  await withNetns(async (ns) => {
    let called = 0;
    const input = () => {
      called++;
      return 'x';
    };
    const calls = [
      ['input', () => nd.execFile('cat', [], { netns: ns, input }), 'ERR_INVALID_ARG_TYPE'],
      ['timeout', () => nd.execFile('true', [], { netns: ns, timeout: -1 }), 'ERR_INVALID_ARG_VALUE'],
      ['timeout type', () => nd.execFile('true', [], { netns: ns, timeout: '5' }), 'ERR_INVALID_ARG_TYPE'],
      ['maxBuffer', () => nd.execFile('true', [], { netns: ns, maxBuffer: 0 }), 'ERR_INVALID_ARG_VALUE'],
      ['options null', () => nd.execFile('true', [], null), 'ERR_INVALID_ARG_TYPE'],
      ['command', () => nd.execFile(42, [], { netns: ns }), 'ERR_INVALID_ARG_TYPE'],
    ];
    for (const [what, fn, code] of calls) {
      let p;
      assert.doesNotThrow(() => (p = fn()), `${what}: rejects, does not throw`);
      assert.ok(p instanceof Promise, what);
      await rejectsWith(p, code);
    }
    assert.equal(called, 0, 'input was never called');
  });
});

// ---- 8: a FIFO (or any non-namespace file) as a namespace path ----------------------------------

test('8: a FIFO as { path } is refused at once (no hang, no frozen JS thread, exit works)', async () => {
  const r = await child(`
    const { execFileSync } = require('node:child_process');
    const { mkdtempSync } = require('node:fs');
    const dir = mkdtempSync('/tmp/netdev-fifo-');
    const fifo = dir + '/fifo';
    execFileSync('mkfifo', [fifo]);
    const settle = (p) => p.then(() => ({ ok: true }), (e) => ({ code: e.code, path: e.path }));
    (async () => {
      const out = {};
      out.open = await settle(nd.openNetns({ path: fifo }));
      out.links = await settle(nd.listLinks({ netns: { path: fifo } }));
      out.exec = await settle(nd.execFile('true', [], { netns: { path: fifo } }));
      out.file = await settle(nd.openNetns({ path: '/etc/hostname' }));
      out.dir = await settle(nd.openNetns({ path: '/tmp' }));
      out.pid = await settle(nd.openNetns({ pid: process.pid }).then((ns) => ns.close()));
      out.self = await settle(nd.openNetns({ path: '/proc/self/ns/net' }).then((ns) => ns.close()));
      out.mnt = await settle(nd.openNetns({ path: '/proc/self/ns/mnt' }));
      require('node:fs').rmSync(dir, { recursive: true, force: true });
      console.log(JSON.stringify(out));
      process.exit(0);
    })();`, { timeout: 15000 });
  assert.equal(r.timedOut, false, 'settled and exited');
  assert.equal(r.code, 0, r.stderr);
  const out = report(r);
  for (const k of ['open', 'links', 'exec', 'file', 'dir', 'mnt']) {
    assert.equal(out[k].code, 'EINVAL', `${k}: ${JSON.stringify(out[k])}`);
    assert.ok(out[k].path, `${k} names the path`);
  }
  assert.deepEqual(out.pid, { ok: true }, '/proc/PID/ns/net (a magic link) still works');
  assert.deepEqual(out.self, { ok: true });
});
// ---- 11: lower severity --------------------------------------------------------------------------

test('11: deleteNetns refuses a symlink planted in /run/netns (never unmounts its target)', async () => {
  const { symlinkSync, unlinkSync, lstatSync } = await import('node:fs');
  const name = `victim-${process.pid}`;
  const link = `evil-${process.pid}`;
  const victim = await nd.createNetns(name);
  victim.close();
  symlinkSync(`${nd.NETNS_RUN_DIR}/${name}`, `${nd.NETNS_RUN_DIR}/${link}`);
  try {
    const e = await rejectsWith(nd.deleteNetns(link), 'EINVAL');
    assert.equal(e.path, `${nd.NETNS_RUN_DIR}/${link}`);
    assert.ok(lstatSync(`${nd.NETNS_RUN_DIR}/${link}`).isSymbolicLink(), 'the entry was left alone');
    const again = await nd.openNetns(name); // still a mounted namespace
    again.close();
  } finally {
    try {
      unlinkSync(`${nd.NETNS_RUN_DIR}/${link}`);
    } catch {
      // removed by the unfixed deleteNetns
    }
    await nd.deleteNetns(name);
  }
});

test('11: Object.prototype.netns redirects nothing: options are read as own properties', async () => {
  await withNetns(async (ns) => {
    const mine = (await nd.listLinks()).map((l) => l.name);
    Object.prototype.netns = ns;
    try {
      assert.deepEqual((await nd.listLinks()).map((l) => l.name), mine);
      assert.deepEqual((await nd.listLinks({})).map((l) => l.name), mine);
      await nd.createVeth({ name: 'proto0', peer: { name: 'proto1' } });
      assert.ok((await nd.listLinks()).some((l) => l.name === 'proto0'), 'created in the process namespace');
      assert.ok(!(await nd.listLinks({ netns: ns })).some((l) => l.name === 'proto0'), 'not in the polluting one');
      await nd.deleteLink('proto0');
    } finally {
      delete Object.prototype.netns;
    }
  });
});

test('11: watch() ignores netlink unicast from other processes (only the kernel is believed)', async () => {
  await withNetns(async (ns) => {
    const w = nd.watch({ netns: ns, link: true });
    const names = [];
    w.on('link', (e) => names.push(e.link.name));
    await w.ready;
    // Another process in the namespace sends a forged RTM_NEWLINK to every rtnetlink socket
    // subscribed to link events (the watcher's among them).
    const forge = `
import socket, struct
ports = []
for line in open('/proc/net/netlink').read().splitlines()[1:]:
    f = line.split()
    if f[1] == '0' and int(f[3], 16) & 1 and int(f[2]) != 0:
        ports.append(int(f[2]))
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
s.bind((0, 0))
name = b'forged0\\0'
attr = struct.pack('=HH', 4 + len(name), 3) + name + b'\\0' * ((4 - len(name) % 4) % 4)
body = struct.pack('=BxHiII', 0, 1, 4242, 0, 0) + attr
msg = struct.pack('=IHHII', 16 + len(body), 16, 0, 1, 0) + body
for p in ports:
    s.sendto(msg, (p, 0))
print(len(ports))
`;
    const { execFile } = await import('node:child_process');
    const sent = await new Promise((resolve, reject) =>
      execFile('nsenter', [`--net=/proc/${process.pid}/fd/${ns.fd}`, 'python3', '-c', forge], (err, out) => (err ? reject(err) : resolve(Number(out)))),
    );
    assert.ok(sent >= 1, 'the forged message was sent to the watcher');
    await nd.createVeth({ name: 'real0', netns: ns, peer: { name: 'real1' } });
    await waitFor(() => names.includes('real0'), { what: 'the real link event' });
    assert.ok(!names.includes('forged0'), `forged event delivered: ${names}`);
    w.close();
  });
});

test('11: a veth peer alias is applied; NUL in labels, aliases and names is refused', async () => {
  await withNetns(async (ns) => {
    const o = { netns: ns };
    await nd.createVeth({ name: 'va0', netns: ns, alias: 'end a', peer: { name: 'va1', alias: 'end b' } });
    assert.equal((await nd.getLink('va0', o)).alias, 'end a');
    assert.equal((await nd.getLink('va1', o)).alias, 'end b');
    await withNetns(async (other) => {
      await nd.createVeth({ name: 'vb0', netns: ns, peer: { name: 'vb1', netns: other, alias: 'far end', up: true } });
      const far = await nd.getLink('vb1', { netns: other });
      assert.equal(far.alias, 'far end');
      assert.equal(far.up, true);
      await nd.deleteLink('vb0', o);
    });
    await nameCacheReady(ns, 'va0'); // the namespace's name cache holds one descriptor while it lives
    const fds = fdCount();
    const cases = [
      () => nd.createVeth({ name: 'vc0', netns: ns, alias: 'a\0b' }),
      () => nd.createVeth({ name: 'vc0', netns: ns, peer: { name: 'vc1', alias: 'a\0b' } }),
      () => nd.setLink('va0', { alias: 'x\0y' }, o),
      () => nd.addAddress('va0', '10.7.0.1/24', { ...o, label: 'va0\0x' }),
      () => nd.createVeth({ name: 'd\0x', netns: ns }),
      () => nd.createNetns('n\0x'),
    ];
    for (const fn of cases) await rejectsWith(fn(), 'ERR_INVALID_ARG_VALUE');
    assert.equal(fdCount(), fds);
    assert.equal((await nd.getLink('va0', o)).alias, 'end a');
    assert.deepEqual((await nd.listLinks(o)).map((l) => l.name).sort(), ['lo', 'va0', 'va1']);
  });
});

test('11: an IPv6 zone id (fe80::1%lo) is refused in validation', async () => {
  await withNetns(async (ns) => {
    const o = { netns: ns };
    const cases = [
      () => nd.addAddress('lo', 'fe80::1%lo', o),
      () => nd.addAddress('lo', 'fe80::1%lo/64', o),
      () => nd.addRoute({ ...o, destination: 'fe80::%lo/64', device: 'lo' }),
      () => nd.addRoute({ ...o, destination: '2001:db8::/64', gateway: 'fe80::1%lo', device: 'lo' }),
      () => nd.addNeighbour({ ...o, device: 'lo', address: 'fe80::1%lo', mac: '02:00:00:00:00:01' }),
      () => nd.connectTcp({ ...o, host: 'fe80::1%lo', port: 80 }),
    ];
    for (const fn of cases) {
      const e = await rejectsWith(fn(), 'ERR_INVALID_ARG_VALUE');
      assert.match(e.message, /zone/);
    }
  });
});

// ---- 6: half-applied operations ----------------------------------------------------------------

/** The settings of a link that a failed setLink must leave as they were. */
async function stateOf(name, ns) {
  const l = await nd.getLink(name, { netns: ns });
  return { name: l.name, mtu: l.mtu, up: l.up, promisc: l.flags.includes('PROMISC'), group: l.group, master: l.master, alias: l.alias };
}

test('6: a name template in a create function is refused before anything is created', async () => {
  await withNetns(async (ns) => {
    await rejectsWith(nd.createVeth({ name: 'veth%d', peer: { name: 'peer%d' }, netns: ns }), 'ERR_INVALID_ARG_VALUE');
    await rejectsWith(nd.createBridge({ name: 'br%d', netns: ns }), 'ERR_INVALID_ARG_VALUE');
    await rejectsWith(nd.setLink('lo', { name: 'x%d' }, { netns: ns }), 'ERR_INVALID_ARG_VALUE');
    assert.deepEqual((await nd.listLinks({ netns: ns })).map((l) => l.name), ['lo']);
  });
});

test('6: setLink is all or nothing: a refused master or name keeps none of the other changes', async () => {
  await withNetns(async (ns) => {
    await nd.createVeth({ name: 'a0', peer: { name: 'a0p' }, netns: ns });
    await nd.createVeth({ name: 'b0', peer: { name: 'b0p' }, netns: ns });
    const before = await stateOf('a0', ns);
    // A veth cannot be a master: the kernel refuses it after applying mtu, up and promisc.
    await rejectsWith(nd.setLink('a0', { mtu: 1400, up: true, promisc: true, master: 'b0' }, { netns: ns }), 'ENOTSUP');
    assert.deepEqual(await stateOf('a0', ns), before);
    // A rename onto an existing name fails after mtu and group were applied.
    await rejectsWith(nd.setLink('a0', { name: 'b0', mtu: 1400, group: 7, alias: 'x' }, { netns: ns }), 'EEXIST');
    assert.deepEqual(await stateOf('a0', ns), before);
    // A move refused by the target (it has a link of that name) changes nothing either: the kernel
    // moves first and applies the rest after.
    await withNetns(async (other) => {
      await nd.createVeth({ name: 'a0', peer: { name: 'x0' }, netns: other });
      await rejectsWith(nd.setLink('a0', { mtu: 1300, moveTo: other }, { netns: ns }), 'EEXIST');
      assert.deepEqual(await stateOf('a0', ns), before);
    });
    // And a request that succeeds still does everything.
    await nd.setLink('a0', { mtu: 1400, up: true, group: 7 }, { netns: ns });
    assert.deepEqual(await stateOf('a0', ns), { ...before, mtu: 1400, up: true, group: 7 });
  });
});

test('6: createBridge named like an existing link (EEXIST) leaves that link\'s alias alone', async () => {
  await withNetns(async (ns) => {
    await rejectsWith(nd.createBridge({ name: 'lo', alias: 'attacker text', netns: ns }), 'EEXIST');
    assert.equal((await nd.getLink('lo', { netns: ns })).alias, null);
    const br = await nd.createBridge({ name: 'br0', alias: 'mine', netns: ns });
    assert.equal(br.alias, 'mine');
    assert.equal((await nd.getLink('br0', { netns: ns })).alias, 'mine');
  });
});

test('6: deleteLinks refused by the kernel (lo) deletes nothing and restores every group', async () => {
  await withNetns(async (ns) => {
    await nd.createVeth({ name: 'd1', peer: { name: 'd1p' }, netns: ns });
    await nd.setLink('d1', { group: 5 }, { netns: ns });
    await rejectsWith(nd.deleteLinks(['d1', 'lo'], { netns: ns }), 'ENOTSUP');
    const groups = Object.fromEntries((await nd.listLinks({ netns: ns })).map((l) => [l.name, l.group]));
    assert.deepEqual(groups, { lo: 0, d1: 5, d1p: 0 });
  });
});

tunTest('6: openTun that fails at a later queue (EMFILE) leaves no persistent device behind', async () => {
  await withNetns(async (ns) => {
    const path = `/proc/${process.pid}/fd/${ns.fd}`;
    // A child with a low fd limit: the first queues open, a later one fails with EMFILE.
    const openIn = async (name) => {
      const c = spawnNode('prlimit', ['--nofile=64:64', process.execPath, '-e', `
        require('netdev').openTun({ netns: { path: ${JSON.stringify(path)} }, name: '${name}', queues: 100, persist: true })
          .then(() => console.log('opened'), (e) => console.log(e.code));`], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      c.stdout.on('data', (d) => (out += d));
      await once(c, 'close');
      return out.trim();
    };
    assert.equal(await openIn('pq0'), 'EMFILE');
    assert.deepEqual((await nd.listLinks({ netns: ns })).map((l) => l.name), ['lo']);
    // Attaching to a device that was persistent before leaves it persistent when a queue fails.
    const dev = await nd.openTun({ netns: ns, name: 'pq1', persist: true, queues: 2 });
    dev.close();
    assert.equal(await openIn('pq1'), 'EMFILE');
    assert.deepEqual((await nd.listLinks({ netns: ns })).map((l) => l.name), ['lo', 'pq1']);
    await nd.deletePersistentTun('pq1', { netns: ns });
  });
});

// ---- second review: what the JS property fuzzer found --------------------------------------------

test('options are read once, as own properties: a getter cannot answer twice, a prototype nothing', async () => {
  await withNetns(async (ns) => {
    let reads = 0;
    const options = {
      get netns() {
        reads++;
        return ns;
      },
    };
    await nd.createVeth({ name: 'g0', peer: { name: 'g1' }, netns: ns });
    await nd.setLink('g0', { mtu: 1400, up: true }, options);
    assert.equal(reads, 1, 'the netns option read once for every step of setLink');
    // An inherited option is no option: Object.prototype.mtu (a polluted dependency) changes nothing.
    Object.defineProperty(Object.prototype, 'mtu', { value: 1280, configurable: true, enumerable: false, writable: true });
    try {
      await nd.createVeth({ name: 'h0', peer: { name: 'h1' }, netns: ns });
      await nd.setLink('g1', { up: true }, { netns: ns });
    } finally {
      delete Object.prototype.mtu;
    }
    const mtus = Object.fromEntries((await nd.listLinks({ netns: ns })).map((l) => [l.name, l.mtu]));
    assert.deepEqual(mtus, { lo: 65536, g0: 1400, g1: 1500, h0: 1500, h1: 1500 });
    // A link reference given as an object is read once too, and only its own index.
    let indexReads = 0;
    const g0 = await nd.getLink('g0', { netns: ns });
    const ref = {
      get index() {
        indexReads++;
        return indexReads === 1 ? g0.index : 1;
      },
    };
    await nd.setLink(ref, { mtu: 1300, alias: 'x', group: 3 }, { netns: ns });
    assert.equal(indexReads, 1);
    const after = await nd.getLink('g0', { netns: ns });
    assert.deepEqual([after.mtu, after.alias, after.group], [1300, 'x', 3]);
  });
});

test('createUdpSocket reads options.type once and leaks no fd when Node refuses the socket', async () => {
  await withNetns(async (ns) => {
    const fds = fdCount();
    let reads = 0;
    const options = {
      netns: ns,
      address: '127.0.0.1',
      get type() {
        reads++;
        return reads === 1 ? 'udp4' : 'bogus';
      },
    };
    const sock = await nd.createUdpSocket(options);
    assert.equal(reads, 1);
    assert.equal(sock.address().family, 'IPv4');
    sock.close();
    await waitFor(() => fdCount() === fds, { what: 'the socket fd to close' });
  });
});

test('setLink with moveTo finds the master in the target namespace, where the kernel applies it', async () => {
  await withNetns(async (a) => {
    await withNetns(async (b) => {
      const br = await nd.createBridge({ name: 'mbr0', netns: b });
      await nd.createVeth({ name: 'mv0', peer: { name: 'mv1' }, netns: a });
      // Before the fix, 'mbr0' was looked up in a (ENODEV), or a's own mbr0 was given to b's kernel.
      await nd.setLink('mv0', { moveTo: b, master: 'mbr0', up: true }, { netns: a });
      const moved = await nd.getLink('mv0', { netns: b });
      assert.equal(moved.master, br.index);
      const [ip] = await ipJson(b, '-d', 'link', 'show', 'mv0');
      assert.equal(ip.master, 'mbr0');
      await rejectsWith(nd.getLink('mv0', { netns: a }), 'ENODEV');
    });
  });
});

test('Netns, TunDevice and Watcher refuse to be constructed from outside netdev', () => {
  for (const [Ctor, args] of [[nd.Netns, [{ fd: 0 }, 'x', null]], [nd.TunDevice, ['t', 'tun', false, [0], { maxBatch: 1, budget: 1 }]], [nd.Watcher, [{}, ['link']]]]) {
    assert.throws(() => new Ctor(...args), (e) => e instanceof TypeError && e.code === 'ERR_ILLEGAL_CONSTRUCTOR', Ctor.name);
    class Sub extends Ctor {}
    assert.throws(() => new Sub(...args), (e) => e.code === 'ERR_ILLEGAL_CONSTRUCTOR', `a subclass of ${Ctor.name}`);
  }
});

test('NetdevError checks its init like an argument; "ports" is no link kind', async () => {
  for (const init of [undefined, null, {}, { errnum: 'EEXIST', syscall: 'x' }, { errnum: 0, syscall: 'x' }, { errnum: 17 }, { errnum: 17, syscall: 'x', extack: 5 }])
    assert.throws(() => new nd.NetdevError(init), (e) => typeof e.code === 'string' && e.code.startsWith('ERR_INVALID_ARG_'), JSON.stringify(init));
  const e = new nd.NetdevError({ errnum: 17, syscall: 'rtnetlink', extack: 'exists' });
  assert.deepEqual([e.code, e.errno, e.extack], ['EEXIST', -17, 'exists']);
  await withNetns(async (ns) => {
    await rejectsWith(nd.createLinkOfKind({ name: 'k0', kind: 'ports', data: {}, netns: ns }), 'ERR_INVALID_ARG_VALUE');
    assert.deepEqual((await nd.listLinks({ netns: ns })).map((l) => l.name), ['lo']);
  });
});

test('writeVnetHeader checks every field before writing a byte', () => {
  const buf = Buffer.alloc(12, 0xaa);
  assert.throws(() => nd.writeVnetHeader(buf, { flags: 1, gsoType: 'tcpv4', hdrLen: 54, gsoSize: -1 }), { code: 'ERR_INVALID_ARG_VALUE' });
  assert.throws(() => nd.writeVnetHeader(buf, { flags: 1, ecn: 'yes' }), { code: 'ERR_INVALID_ARG_TYPE' });
  assert.deepEqual(buf, Buffer.alloc(12, 0xaa), 'nothing written');
});

tunTest('TunDevice.write never throws; writeMany checks every packet before writing one', async () => {
  await withNetns(async (ns) => {
    const dev = await nd.openTun({ name: 'wm0', netns: ns });
    try {
      await nd.setLink('wm0', { up: true }, { netns: ns });
      for (const [packet, queue] of [[1, 0], [Buffer.alloc(0), 0], [pkt('a'), 7], [pkt('a'), 'x'], [null, undefined]]) {
        let p;
        assert.doesNotThrow(() => { p = dev.write(packet, queue); });
        await assert.rejects(p, (e) => e.code.startsWith('ERR_INVALID_ARG_'));
      }
      const rx = async () => (await nd.getLink('wm0', { netns: ns })).stats.rxPackets;
      const before = await rx();
      await rejectsWith(dev.writeMany([pkt('a'), pkt('b'), 'not a packet']), 'ERR_INVALID_ARG_TYPE');
      await rejectsWith(dev.writeMany([pkt('a'), Buffer.alloc(70000)]), 'ERR_INVALID_ARG_VALUE');
      assert.equal(await rx(), before, 'not one packet of a refused writeMany was written');
      await dev.writeMany([pkt('a'), pkt('b')]);
      assert.equal(await rx(), before + 2);
    } finally {
      dev.close();
    }
    dev.write(pkt('a')).catch(() => undefined);
    await rejectsWith(dev.write(pkt('a')), 'ERR_TUN_CLOSED');
  });
});

tunTest('openTun sets txqueuelen as part of the open: a refusal leaves no persistent device', async () => {
  await withNetns(async (ns) => {
    const dev = await nd.openTun({ name: 'tq0', netns: ns, txqueuelen: 1234 });
    const [ip] = await ipJson(ns, 'link', 'show', 'tq0');
    assert.equal(ip.txqlen, 1234);
    dev.close();
    // The kernel refuses a negative length (EINVAL); netdev's own validation never sends one, so
    // the refusal is provoked through the addon: the device the open made persistent goes.
    const r = await child(`
      const { binding } = require('./dist/cjs/core/binding.js');
      binding().tunOpen(${JSON.stringify(`/proc/${process.pid}/fd/${ns.fd}`)}, { name: 'tq1', persist: true, txqlen: -5, queues: 1 })
        .then(() => console.log(JSON.stringify('opened')), (e) => console.log(JSON.stringify([e.errnum, e.detail])));`);
    assert.deepEqual(report(r), [22, 'SIOCSIFTXQLEN']);
    assert.deepEqual((await nd.listLinks({ netns: ns })).map((l) => l.name), ['lo']);
  });
});

test('setBridgePort puts back what it changed when the kernel refuses a later setting', async () => {
  await withNetns(async (ns) => {
    await nd.createBridge({ name: 'sb0', stp: true, netns: ns });
    await nd.createVeth({ name: 'sp0', peer: { name: 'sp1' }, master: 'sb0', netns: ns });
    const cost = (await nd.getLink('sp0', { netns: ns })).port.cost;
    // With the kernel's STP on, a port state is STP's to set (EBUSY), after the cost was applied.
    await rejectsWith(nd.setBridgePort('sp0', { cost: cost + 7, state: 'disabled' }, { netns: ns }), 'EBUSY');
    assert.equal((await nd.getLink('sp0', { netns: ns })).port.cost, cost);
    await nd.setBridgePort('sp0', { cost: cost + 7 }, { netns: ns });
    assert.equal((await nd.getLink('sp0', { netns: ns })).port.cost, cost + 7);
  });
});

test('execFile: a program that does not read its input (EPIPE) is a result, not a crash', async () => {
  const r = await child(`
    (async () => {
      const ns = await nd.createNetns();
      const results = [];
      for (let i = 0; i < 20; i++) {
        const res = await nd.execFile('true', [], { netns: ns, input: Buffer.alloc(1 << 20) });
        results.push(res.code);
      }
      ns.close();
      console.log(JSON.stringify(results));
    })();`);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(report(r), Array(20).fill(0));
});

test('setLink: a refused master leaves the port on its old master, and nothing else changed', async () => {
  await withNetns(async (ns) => {
    const br = await nd.createBridge({ name: 'rb0', netns: ns });
    await nd.createVeth({ name: 'rp0', peer: { name: 'rp1' }, master: 'rb0', netns: ns });
    // The kernel takes the port off its bridge, then finds no link 99999 (EINVAL).
    await rejectsWith(nd.setLink('rp0', { master: 99999 }, { netns: ns }), 'EINVAL');
    assert.equal((await nd.getLink('rp0', { netns: ns })).master, br.index);
    // lo takes no ports (ENOTSUP); the MTU is not even tried, so lo keeps ::1 (an MTU under 1280,
    // applied and undone, would have cost it its IPv6 address).
    const addrs = async () => (await nd.listAddresses({ netns: ns, link: 'lo' })).map((a) => a.address).sort();
    const had = await addrs();
    await rejectsWith(nd.setLink('lo', { mtu: 68, master: 'lo' }, { netns: ns }), 'ENOTSUP');
    assert.deepEqual(await addrs(), had);
    assert.equal((await nd.getLink('lo', { netns: ns })).mtu, 65536);
    await rejectsWith(nd.setLink('missing0', {}, { netns: ns }), 'ENODEV');
  });
});

test('argument errors come before the first system call: FDB entries, candidates, filters, targets', async () => {
  await withNetns(async (ns) => {
    const fd = { fd: ns.fd };
    // Every addon entry that touches the system is counted while the calls run: none may be
    // reached (before the fix: the link lookup, the { fd } duplication, earlier candidates).
    const b = createRequire(import.meta.url)('../../dist/cjs/core/binding.js').binding();
    const names = ['rtnl', 'rtnlDump', 'netnsFromFd', 'netnsOpen', 'netnsCurrent'];
    const saved = names.map((n) => b[n]);
    const reached = [];
    names.forEach((n, i) => { b[n] = (...args) => { reached.push(n); return saved[i].apply(b, args); }; });
    try {
      await rejectsWith(nd.addFdb('missing0', undefined, { netns: ns }), 'ERR_INVALID_ARG_TYPE');
      await rejectsWith(nd.addFdb('missing0', { mac: 'xx' }, { netns: ns }), 'ERR_INVALID_ARG_VALUE');
      await rejectsWith(nd.deleteFdb('missing0', { mac: '02:00:00:00:00:01', bogus: 1 }, { netns: ns }), 'ERR_INVALID_ARG_VALUE');
      await rejectsWith(nd.listLinks({ netns: fd, master: [] }), 'ERR_INVALID_ARG_TYPE');
      await rejectsWith(nd.setNetnsId({ path: 'relative' }, 1, { netns: fd }), 'ERR_INVALID_ARG_VALUE');
      await rejectsWith(nd.getNetnsId({ path: '.' }, { netns: fd }), 'ERR_INVALID_ARG_VALUE');
      await rejectsWith(nd.findNetnsById(0, { candidates: [ns, { path: 'a/b' }] }), 'ERR_INVALID_ARG_VALUE');
    } finally {
      names.forEach((n, i) => { b[n] = saved[i]; });
    }
    assert.deepEqual(reached, []);
  });
});

test('nested and constructor options are read once, own properties only (GsoSplitter, NetdevError, addRoutes, vlans)', async () => {
  /** An object whose every key counts its reads, over a prototype that must never be read. */
  function counted(values) {
    const reads = {};
    const inherited = [];
    const proto = new Proxy({}, { get: (_t, key) => { if (typeof key === 'string') inherited.push(key); return undefined; } });
    const o = Object.create(proto);
    for (const [key, value] of Object.entries(values)) {
      reads[key] = 0;
      Object.defineProperty(o, key, { enumerable: true, get: () => { reads[key]++; return value; } });
    }
    return { o, check: (what) => {
      for (const [key, n] of Object.entries(reads)) assert.equal(n, 1, `${what}: ${key} read ${n} times`);
      assert.deepEqual(inherited, [], `${what}: read through the prototype`);
    } };
  }
  let c = counted({ vnetHdr: true });
  new nd.GsoSplitter(c.o);
  c.check('GsoSplitter');
  c = counted({ vnetHdr: false, maxSegments: 8 });
  new nd.TcpCoalescer(c.o);
  c.check('TcpCoalescer');
  c = counted({ errnum: 17, syscall: 'x', extack: 'y' });
  new nd.NetdevError(c.o);
  c.check('NetdevError');
  await withNetns(async (ns) => {
    await nd.createVeth({ name: 'q0', peer: { name: 'q1' }, up: true, netns: ns });
    c = counted({ destination: '10.77.0.0/24', device: 'q0' });
    const [r] = await nd.addRoutes([c.o], { netns: ns });
    assert.equal(r, undefined);
    c.check('addRoutes specs[0]');
    const hop = counted({ gateway: '10.78.0.1', device: 'q0' });
    await nd.addAddress('q0', '10.78.0.2/24', { netns: ns });
    await nd.addRoute({ destination: '10.79.0.0/24', multipath: [hop.o], netns: ns });
    hop.check('multipath[0]');
    c = counted({ vid: 1 });
    await nd.addBridgeVlan('q0', c.o, { netns: ns }).catch(() => undefined); // no bridge: refused, but read once
    c.check('addBridgeVlan vlan');
    c = counted({ path: `/proc/${process.pid}/fd/${ns.fd}` });
    assert.equal(await nd.findNetnsById(7, { candidates: [c.o] }), null);
    c.check('findNetnsById candidates[0]');
  });
});

tunTest('a TUN reader whose device is deleted reports EBADFD (the read\'s errno), not libuv\'s EBADF', async () => {
  await withNetns(async (ns) => {
    const dev = await nd.openTun({ name: 'tb0', netns: ns, persist: true });
    try {
      dev.onPackets(() => {});
      const error = new Promise((resolve) => dev.once('error', resolve));
      await nd.deleteLink('tb0', { netns: ns });
      const e = await error;
      assert.equal(e.code, 'EBADFD');
      assert.equal(e.errno, -77);
      assert.match(e.message, /^EBADFD: file descriptor in bad state, read tun tb0 queue 0/);
    } finally {
      dev.close();
    }
  });
});

test('setLink with moveTo is all or nothing: what can be known is checked before the move, the rest undone', async () => {
  await withNetns(async (a) => {
    await withNetns(async (b) => {
      await nd.createVeth({ name: 'mm0', peer: { name: 'mm1' }, up: true, netns: a });
      await nd.addAddress('mm0', '10.91.0.1/24', { netns: a });
      await nd.createVeth({ name: 'bv0', peer: { name: 'bv1' }, netns: b });
      const inA = async () => (await nd.listLinks({ netns: a })).map((l) => l.name).sort();
      const addrs = async () => (await nd.listAddresses({ netns: a, link: 'mm0', family: 4 })).map((x) => x.address);
      // A master that takes no ports (a veth there): refused before anything moves (the fuzzer's
      // case: the link used to land in b, without its addresses, and the call rejected).
      await rejectsWith(nd.setLink('mm0', { moveTo: b, master: 'bv0', up: true }, { netns: a }), 'ENOTSUP');
      // An MTU the device cannot take: refused before the move too.
      await rejectsWith(nd.setLink('mm0', { moveTo: b, mtu: 65536 }, { netns: a }), 'EINVAL');
      assert.deepEqual(await inA(), ['lo', 'mm0', 'mm1']);
      assert.deepEqual(await addrs(), ['10.91.0.1']);
    });
  });
});

tunTest('setLink with moveTo: a refusal only the kernel knows, after the move, brings the link back', async () => {
  await withNetns(async (a) => {
    await withNetns(async (b) => {
      // A bridge takes Ethernet ports only, a TUN device is none (EINVAL), which the kernel says
      // after the move: the link comes back, under its name, up as it was.
      await nd.createBridge({ name: 'bb0', netns: b });
      await nd.createPersistentTun({ name: 'tt0', netns: a });
      await nd.setLink('tt0', { up: true }, { netns: a });
      await rejectsWith(nd.setLink('tt0', { moveTo: b, name: 'renamed', master: 'bb0' }, { netns: a }), 'EINVAL');
      const back = await nd.getLink('tt0', { netns: a });
      assert.equal(back.flags.includes('UP'), true);
      await rejectsWith(nd.getLink('renamed', { netns: b }), 'ENODEV');
      await nd.deletePersistentTun('tt0', { netns: a });
    });
  });
});

test('setLink: a refused rename leaves the MAC as it was (the MAC goes last: lo\'s cannot be put back)', async () => {
  await withNetns(async (ns) => {
    await nd.createVeth({ name: 'tk0', peer: { name: 'tk1' }, netns: ns });
    const lo = await nd.getLink('lo', { netns: ns });
    // The fuzzer's case: the kernel applied the MAC, then refused the name (EEXIST), and lo's
    // all-zero MAC could not be set back (no valid Ethernet address).
    await rejectsWith(nd.setLink('lo', { mac: '02:00:00:00:00:01', up: false, name: 'tk0' }, { netns: ns }), 'EEXIST');
    const after = await nd.getLink('lo', { netns: ns });
    assert.deepEqual([after.mac, after.up, after.name], [lo.mac, lo.up, 'lo']);
  });
});

test('errors: extack is only ever the kernel\'s text; netdev\'s own context is in detail (and the message)', async () => {
  await withNetns(async (ns) => {
    await nd.createVeth({ name: 'xe0', peer: { name: 'xe1' }, netns: ns });
    const kernel = await rejectsWith(nd.setLink('xe0', { mtu: 65536 }, { netns: ns }), 'EINVAL');
    assert.equal(kernel.extack, 'mtu greater than device maximum');
    assert.equal(kernel.detail, undefined);
    const name = `xe-${process.pid}`;
    const made = await nd.createNetns(name);
    try {
      const ours = await rejectsWith(nd.createNetns(name), 'EEXIST');
      assert.equal(ours.extack, undefined, 'not the kernel speaking');
      assert.equal(ours.detail, 'namespace already exists');
      assert.match(ours.message, /\(namespace already exists\)$/);
    } finally {
      made.close();
      await nd.deleteNetns(name);
    }
    const wrong = await rejectsWith(nd.setLinkData('xe0', { miimon: 1 }, { netns: ns }), 'ENOTSUP');
    assert.deepEqual([wrong.extack, wrong.detail], [undefined, "netdev has no settings table for kind 'veth'"]);
  });
});
