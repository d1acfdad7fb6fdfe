// Test helpers: netdev/testing's fixtures (a fresh namespace per test, bounded polls), `ip -j`
// cross-checks inside a namespace, fd counting.
import { execFile } from 'node:child_process';
import assert from 'node:assert/strict';
import { accessSync, constants as fsConstants, existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { createRequire } from 'node:module';
import { listAddresses, listLinks, openTap, openTun } from 'netdev';
import { withNetns, withNetnsN, waitFor } from 'netdev/testing';
import { fdCount, fdMap } from '../scripts/fds.mjs';

// The fixtures users get (netdev/testing) are the ones these tests use.
export { fdCount, fdMap, waitFor, withNetns, withNetnsN };

const execFileP = promisify(execFile);

/** `ip -j ARGS` run inside the namespace of a Netns handle (through /proc/PID/fd/N). */
export async function ipJson(ns, ...args) {
  const { stdout } = await execFileP('nsenter', [`--net=/proc/${process.pid}/fd/${ns.fd}`, 'ip', '-j', ...args]);
  return stdout.trim() ? JSON.parse(stdout) : [];
}

/** `bridge -j ARGS` inside the namespace. */
export async function bridgeJson(ns, ...args) {
  const { stdout } = await execFileP('nsenter', [`--net=/proc/${process.pid}/fd/${ns.fd}`, 'bridge', '-j', ...args]);
  return stdout.trim() ? JSON.parse(stdout) : [];
}


/**
 * Waits until link names in `ns` are served from its name cache (lib/netlink/names.ts), whose
 * monitor socket opens in the background after the first lookup: call it before counting fds in
 * a test that looks names up, so the baseline includes that one descriptor of the namespace's.
 */
export async function nameCacheReady(ns, link) {
  const { binding } = createRequire(import.meta.url)('../dist/cjs/core/binding.js');
  for (let i = 0; i < 500; i++) {
    const before = binding().dispatcherStats().completed;
    await listAddresses({ netns: ns, link });
    if (binding().dispatcherStats().completed - before === 1) return;
  }
  assert.fail(`names in the namespace were never served from its cache (${link})`);
}

/** Asserts that a promise rejects with the given code; returns the error. */
export async function rejectsWith(promise, code) {
  try {
    await promise;
  } catch (e) {
    if (e.code !== code) throw new Error(`expected ${code}, got ${e.code}: ${e.message}`, { cause: e });
    return e;
  }
  throw new Error(`expected rejection with ${code}, but it resolved`);
}

/**
 * Whether this process may open /dev/net/tun. Root always may; an unprivileged user inside a user
 * namespace only if the node itself allows it (mode 0666 on most distributions, 0600 on some
 * machines): no namespace can change a device node's permissions.
 */
export function tunAccessible() {
  return accessible('/dev/net/tun');
}

/** Whether this process may read and write `path` (a device node). */
export function accessible(path) {
  try {
    accessSync(path, fsConstants.R_OK | fsConstants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The errno that opening `path` read-write would give this process, found without opening it:
 * undefined when it would succeed (used to predict the library's answer, not to replace it).
 */
export function openErrno(path) {
  if (!existsSync(path)) return 'ENOENT';
  return accessible(path) ? undefined : 'EACCES';
}

/** The ranges of /proc/self/uid_map (or gid_map): [{ inside, outside, count }]. */
export function idMap(which = 'uid') {
  return readFileSync(`/proc/self/${which}_map`, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number))
    .map(([inside, outside, count]) => ({ inside, outside, count }));
}

/** Whether `id` has a mapping in this process's user namespace (what TUNSETOWNER requires). */
export function idMapped(id, which = 'uid') {
  return idMap(which).some((r) => id >= r.inside && id < r.inside + r.count);
}

/** Whether the process is in the initial user namespace (its uid map is the identity over all ids). */
export function initialUserNs() {
  const m = idMap('uid');
  return m.length === 1 && m[0].inside === 0 && m[0].outside === 0 && m[0].count === 4294967295;
}

/** Whether capability number `cap` is in this process's effective set. */
export function hasCap(cap) {
  const hex = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))[1];
  return ((BigInt(`0x${hex}`) >> BigInt(cap)) & 1n) === 1n;
}

/**
 * Whether mknod of a character device works here: CAP_MKNOD (27) counts only in the initial user
 * namespace, so never inside `unshare -r` (the unprivileged sandbox).
 */
export function canMknod() {
  return initialUserNs() && hasCap(27);
}

/** This process's child processes (zombies included), as 'PID STATE NAME' lines. */
export function childProcesses() {
  const mine = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === process.pid) mine.push(`${pid} ${fields[0]} ${stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))}`);
    } catch {
      // exited meanwhile
    }
  }
  return mine;
}

// tunTest: a test that needs /dev/net/tun shows up in every environment and asserts what the
// library really does there. Without access to /dev/net/tun (an unprivileged run where the node is 0600: no namespace
// changes a device node's mode), a test that needs it asserts the documented EACCES of opening a
// TUN and a TAP instead, says so in its name, and prints why. CI runs as root, where every such
// test runs in full.
const TUN = tunAccessible();
// Computed when needed: the kernel-matrix guest imports this file and has no /dev/net/tun at all.
const noTun = () => `/dev/net/tun (${existsSync('/dev/net/tun') ? `mode 0${(statSync('/dev/net/tun').mode & 0o777).toString(8)}` : 'absent'}) is not readable and writable by uid ${process.getuid()} of this user namespace: openTun/openTap answer EACCES; the full test needs root or a 0666 node`;
export function tunTest(name, fn) {
  if (TUN) return test(name, fn);
  return test(`${name} [no access to /dev/net/tun: asserts the documented EACCES instead]`, async (t) => {
    await withNetns(async (ns) => {
      const fds = fdCount();
      const e = await rejectsWith(openTun({ name: 'tun0', netns: ns }), 'EACCES');
      assert.equal(e.path, '/dev/net/tun');
      await rejectsWith(openTap({ name: 'tap0', netns: ns }), 'EACCES');
      assert.equal(fdCount(), fds);
      assert.deepEqual((await listLinks({ netns: ns })).map((l) => l.name), ['lo'], 'nothing created');
    });
    t.diagnostic(noTun());
  });
}

/** The Internet checksum (RFC 1071) of buf[start, end), over `initial` (a pseudo-header sum). */
export function checksum(buf, start, end, initial = 0) {
  let sum = initial;
  for (let i = start; i < end; i += 2) sum += (buf[i] << 8) | (i + 1 < end ? buf[i + 1] : 0);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return ~sum & 0xffff;
}

/**
 * An IPv4/UDP packet SRC:SPORT -> DST:DPORT with valid checksums. Self-contained but for
 * checksum(): child scripts inline both with Function.prototype.toString.
 */
export function udp4(src, dst, sport, dport, payload) {
  const p = Buffer.alloc(28 + payload.length);
  p[0] = 0x45;
  p.writeUInt16BE(p.length, 2);
  p[8] = 64;
  p[9] = 17;
  Buffer.from(src.split('.').map(Number)).copy(p, 12);
  Buffer.from(dst.split('.').map(Number)).copy(p, 16);
  p.writeUInt16BE(checksum(p, 0, 20), 10);
  p.writeUInt16BE(sport, 20);
  p.writeUInt16BE(dport, 22);
  p.writeUInt16BE(8 + payload.length, 24);
  payload.copy(p, 28);
  let pseudo = 0;
  for (let i = 12; i < 20; i += 2) pseudo += p.readUInt16BE(i);
  pseudo += 17 + 8 + payload.length;
  const c = checksum(p, 20, p.length, pseudo);
  p.writeUInt16BE(c === 0 ? 0xffff : c, 26);
  return p;
}
