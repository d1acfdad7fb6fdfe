/**
 * Fixtures for tests that build real network topologies: a fresh namespace per test with
 * guaranteed teardown, bounded polls instead of sleeps, and a runner that puts a whole test
 * command in a private network namespace. Framework-neutral: they work under node:test, jest and
 * vitest alike (see docs/testing.md).
 *
 * ```ts
 * import { withNetns, waitFor } from 'netdev/testing';
 * test('veth pair', () => withNetns(async (ns) => { … }));
 * ```
 * @packageDocumentation
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createNetns, type Netns } from '../index.js';
import { invalidType, invalidValue } from '../core/errors.js';
import * as v from '../core/validate.js';

/**
 * Runs `fn` with a fresh anonymous namespace (loopback up) and closes it afterwards, whatever
 * `fn` did: the namespace, and every link, address and route in it, is gone when the promise
 * settles (as soon as nothing else holds it).
 *
 * `ip netns add NS; …; ip netns del NS`, without a name to clash on
 */
export async function withNetns<T>(fn: (ns: Netns) => T | Promise<T>): Promise<T> {
  if (typeof fn !== 'function') throw invalidType('fn', 'a function', fn);
  const ns = await createNetns();
  try {
    return await fn(ns);
  } finally {
    ns.close();
  }
}

/** Runs `fn` with `count` fresh namespaces (1-64), all closed afterwards. */
export async function withNetnsN<T>(count: number, fn: (list: Netns[]) => T | Promise<T>): Promise<T> {
  v.integer(count, 'count', 1, 64);
  if (typeof fn !== 'function') throw invalidType('fn', 'a function', fn);
  const list: Netns[] = [];
  try {
    for (let i = 0; i < count; i++) list.push(await createNetns());
    return await fn(list);
  } finally {
    for (const ns of list) ns.close();
  }
}

/**
 * A namespace per test for frameworks with hooks: call `setup()` in `beforeEach` and `teardown()`
 * in `afterEach` (node:test, jest and vitest all have them); `ns` is the current one.
 *
 * ```ts
 * const fx = netnsFixture();
 * beforeEach(() => fx.setup());
 * afterEach(() => fx.teardown());
 * test('…', async () => { await createVeth({ name: 'v0', netns: fx.ns }); });
 * ```
 */
export interface NetnsFixture {
  /** The current test's namespace (throws outside setup … teardown). */
  readonly ns: Netns;
  setup(): Promise<Netns>;
  teardown(): Promise<void>;
}

/** Makes a {@link NetnsFixture}. */
export function netnsFixture(): NetnsFixture {
  let current: Netns | undefined;
  return {
    get ns(): Netns {
      if (!current) throw invalidValue('fixture', undefined, 'has no namespace: call setup() first (beforeEach)');
      return current;
    },
    async setup(): Promise<Netns> {
      current?.close();
      current = await createNetns();
      return current;
    },
    async teardown(): Promise<void> {
      current?.close();
      current = undefined;
    },
  };
}

/** Options of {@link waitFor}. */
export interface WaitForOptions {
  /** Give up after this many milliseconds (default 5000). */
  timeout?: number;
  /** Milliseconds between checks (default 10). */
  interval?: number;
  /** What is waited for, for the error message. */
  what?: string;
}

/**
 * Waits until `check()` returns a truthy value (or a promise of one) and resolves with it: a
 * bounded poll, for state the kernel reaches on its own time (a carrier, an address's duplicate
 * address detection, a neighbour entry). Rejects with `ETIMEDOUT` when `timeout` runs out.
 */
export async function waitFor<T>(check: () => T | Promise<T>, options: WaitForOptions = {}): Promise<NonNullable<T>> {
  if (typeof check !== 'function') throw invalidType('check', 'a function', check);
  options = v.options(options, 'options', ['timeout', 'interval', 'what']);
  const timeout = options.timeout === undefined ? 5000 : v.integer(options.timeout, 'options.timeout', 0, 2 ** 31 - 1);
  const interval = options.interval === undefined ? 10 : v.integer(options.interval, 'options.interval', 1, 60000);
  const what = options.what === undefined ? 'condition' : v.string(options.what, 'options.what');
  const end = Date.now() + timeout;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() >= end) {
      const e = new Error(`timed out after ${timeout} ms waiting for ${what}`) as Error & { code: string };
      e.code = 'ETIMEDOUT';
      throw e;
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

/**
 * Runs a command (a test runner, say) in a private network and mount namespace, with a private
 * /run (so /run/netns is private too): whatever it creates never touches the host's interfaces,
 * routes or named namespaces, and vanishes when it exits. As root: `unshare --net --mount`;
 * otherwise `unshare --user --map-root-user --net --mount`. Returns the command's exit code (a
 * signal is re-raised on this process). Inside such a sandbox already (`NETDEV_SANDBOX=1`), the
 * command runs as it is.
 *
 * `unshare --net --mount --propagation private -- sh -c 'mount -t tmpfs none /run; exec CMD'`
 */
export function runInSandbox(command: string, args: readonly string[] = []): number {
  const cmd = v.string(command, 'command', 4095, 1);
  const list = v.array(args, 'args', 4096, 'an array of strings');
  if (!list.every((a): a is string => typeof a === 'string' && !a.includes('\0'))) throw invalidType('args', 'an array of strings', args);
  if (process.env.NETDEV_SANDBOX === '1') return exitOf(spawnSync(cmd, list, { stdio: 'inherit' }));
  // unshare makes every mount private from "/" down, which needs "/" to be a mount point.
  const rootIsMount = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.split(' ')[4] === '/');
  if (!rootIsMount) throw invalidValue('command', cmd, 'cannot run: "/" is not a mount point (a chroot?); bind-mount the root onto itself first');
  const root = process.getuid?.() === 0;
  const unshare = root ? ['--net', '--mount', '--propagation', 'private'] : ['--user', '--map-root-user', '--net', '--mount', '--propagation', 'private'];
  const script = 'mount -t tmpfs -o mode=0755 netdev-run /run && mkdir -p /run/netns && exec "$@"';
  return exitOf(spawnSync('unshare', [...unshare, '--', 'sh', '-c', script, 'sh', cmd, ...list], {
    stdio: 'inherit',
    env: { ...process.env, NETDEV_SANDBOX: '1' },
  }));
}

function exitOf(r: ReturnType<typeof spawnSync>): number {
  if (r.error) throw r.error;
  if (r.signal) process.kill(process.pid, r.signal);
  return r.status ?? 1;
}
export { startOvs, type PrivateOvs, type StartOvsOptions } from './ovs.js';
