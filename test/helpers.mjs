// Test helpers: a fresh namespace per test, `ip -j` cross-checks inside a namespace, fd counting.
import { execFile } from 'node:child_process';
import { accessSync, constants as fsConstants, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { promisify } from 'node:util';
import { createNetns } from 'netdev';

const execFileP = promisify(execFile);

/** Runs fn with a fresh anonymous namespace (loopback up), closed afterwards. */
export async function withNetns(fn) {
  const ns = await createNetns(undefined, { loopbackUp: true });
  try {
    return await fn(ns);
  } finally {
    ns.close();
  }
}

/** Runs fn with `count` fresh anonymous namespaces. */
export async function withNetnsN(count, fn) {
  const list = [];
  try {
    for (let i = 0; i < count; i++) list.push(await createNetns(undefined, { loopbackUp: true }));
    return await fn(list);
  } finally {
    for (const ns of list) ns.close();
  }
}

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

/** Open file descriptors of this process. */
export function fdCount() {
  return readdirSync('/proc/self/fd').length;
}

/** What each open fd points to (for a useful message when counts differ). */
export function fdMap() {
  const out = {};
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      out[fd] = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      // the directory's own fd, gone by now
    }
  }
  return out;
}

/** Waits until check() returns a truthy value (bounded poll, not a sleep). */
export async function waitFor(check, { timeout = 5000, interval = 10, what = 'condition' } = {}) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, interval));
  }
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
  try {
    accessSync('/dev/net/tun', fsConstants.R_OK | fsConstants.W_OK);
    return true;
  } catch {
    return false;
  }
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
