/**
 * Network namespaces: create, delete, list and open them, and the `netns` option every operation
 * takes. Named namespaces follow iproute2 exactly (`/run/netns/NAME` bind mounts on a shared
 * mount point), so `ip netns list` and `ip netns exec` see them and vice versa.
 */
import { promises as fs } from 'node:fs';
import { binding, k, type NativeNetnsHandle, type NativeNs } from '../core/binding.js';
import { illegalConstructor, invalidType, invalidValue, native, nativeSync } from '../core/errors.js';
import { NETNS_RUN_DIR, describeHandle, describePath } from '../core/nsdesc.js';
import { allowNameCache, forgetNames } from '../netlink/names.js';
import { transact } from '../netlink/rtnl.js';
import * as v from '../core/validate.js';

// Defined with the namespace descriptions (nsdesc.ts), which must not import this module.
export { NETNS_RUN_DIR };

/**
 * A namespace to operate in: a name under /run/netns (as `ip -n NAME`), `{ path }` of a
 * namespace file, `{ pid }` of a process living in it, `{ fd }` of an open namespace file, or an
 * open {@link Netns} handle (fastest: its rtnetlink sockets are pooled).
 *
 * References are taken when a call is made and held until it settles: `{ fd }` is duplicated at
 * call time (the caller may close its fd once the call has returned), and a `Netns` closed while
 * the call is under way stays open for that call (see docs/security.md).
 */
export type NetnsRef = string | Netns | { path: string } | { pid: number } | { fd: number };

/** Options accepted by every operation. */
export interface NetnsOption {
  /** The namespace to operate in; the process's own namespace when omitted. */
  netns?: NetnsRef | undefined;
}

/**
 * An open network namespace. Holding it keeps the namespace alive (an anonymous one dies with
 * its last handle); operations through it reuse pooled rtnetlink sockets bound to it. Close it
 * with `close()` or `await using`.
 */
export class Netns implements Disposable, AsyncDisposable {
  /** @internal */
  readonly handle: NativeNetnsHandle;
  /** The name under /run/netns, for a named namespace opened or created by name. */
  readonly name: string | null;
  /** The namespace file this handle was opened from, if any. */
  readonly path: string | null;

  /** @internal Handles come from {@link createNetns} and {@link openNetns}. */
  constructor(handle: NativeNetnsHandle, name: string | null, path: string | null) {
    if (!constructing) throw illegalConstructor('Netns', 'createNetns() or openNetns()');
    this.handle = handle;
    this.name = name;
    this.path = path;
    allowNameCache(handle);
    describeHandle(handle, name !== null ? `namespace ${name}` : path !== null ? describePath(path) : `namespace net:[${handle.inode}]`);
  }

  /** The open file descriptor of the namespace (-1 once closed). */
  get fd(): number {
    return this.handle.fd;
  }

  /** Whether close() was called. */
  get closed(): boolean {
    return this.handle.closed;
  }

  /** The namespace's inode number: equal for two handles on the same namespace. */
  get inode(): number {
    return this.handle.inode;
  }

  /**
   * Closes the handle, its pooled sockets and its link-name cache (a netlink socket it opens
   * once a link is named in an operation; see docs/architecture.md). Idempotent. Does not delete
   * a named namespace.
   * Calls already made with the handle keep the namespace open until they settle.
   */
  close(): void {
    forgetNames(this.handle);
    this.handle.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }
}

let constructing = false;

/** The one way to make a Netns (its constructor refuses to run from outside this module). */
function makeNetns(handle: NativeNetnsHandle, name: string | null, path: string | null): Netns {
  constructing = true;
  try {
    return new Netns(handle, name, path);
  } finally {
    constructing = false;
  }
}

function pathOfName(name: string): string {
  return `${NETNS_RUN_DIR}/${v.netnsName(name)}`;
}

/** Options of {@link createNetns}. */
export interface CreateNetnsOptions {
  /**
   * Bring the namespace's loopback device `lo` up, so that 127.0.0.1, ::1 and the namespace's
   * own addresses are reachable from inside it. Default true; false leaves it down, exactly as
   * `ip netns add` does.
   */
  loopbackUp?: boolean;
}

/**
 * Creates a network namespace, with its loopback device up (unless `loopbackUp: false`). With a
 * name: like `ip netns add NAME` (visible to `ip netns`, lives until {@link deleteNetns}).
 * Without: an anonymous namespace that lives as long as the returned handle (or anything else
 * inside it).
 *
 * Unlike `ip netns add`, `lo` is brought up by default (as containers and pyroute2 do): with it
 * down, even connecting to one of the namespace's own addresses times out.
 *
 * `ip netns add NAME; ip -n NAME link set lo up` (`{ loopbackUp: false }`: `ip netns add NAME`)
 */
export async function createNetns(name?: string, options: CreateNetnsOptions = {}): Promise<Netns> {
  if (name !== undefined) v.netnsName(name);
  options = v.options(options, 'options', ['loopbackUp']);
  if (options.loopbackUp !== undefined) v.bool(options.loopbackUp, 'options.loopbackUp');
  const op = name === undefined ? 'createNetns' : `createNetns ${name}`;
  const handle = await native(binding().netnsCreate(name === undefined ? null : NETNS_RUN_DIR, name ?? null), op);
  const ns = makeNetns(handle, name ?? null, name === undefined ? null : pathOfName(name));
  if (options.loopbackUp !== false) {
    try {
      // Straight to rtnetlink rather than through setLink: link/ builds on this module.
      await transact(handle, [{ type: k('RTM_NEWLINK'), link: { name: 'lo', up: true } }], `${op} (lo up)`);
    } catch (e) {
      ns.close();
      if (name !== undefined) await deleteNetns(name).catch(() => undefined);
      throw e;
    }
  }
  return ns;
}

/**
 * Deletes a named namespace: unmounts and removes /run/netns/NAME. The namespace itself goes away
 * once nothing else (a process, an open handle, a socket) holds it.
 *
 * `ip netns delete NAME`
 */
export async function deleteNetns(name: string): Promise<void> {
  await native(binding().netnsDelete(pathOfName(name)), `deleteNetns ${name}`);
}

/** Lists the named namespaces (the entries of /run/netns), sorted. `ip netns list` */
export async function listNetns(): Promise<string[]> {
  try {
    return (await fs.readdir(NETNS_RUN_DIR)).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

/**
 * Opens a handle on a namespace given by name, `{ path }`, `{ pid }`, `{ fd }` (duplicated; the
 * caller keeps its own) or another handle (duplicated). With no argument: the process's own.
 *
 * `ip netns exec NAME …` / `nsenter --net=PATH`
 */
export async function openNetns(ref?: NetnsRef): Promise<Netns> {
  ref = refArg(ref, 'netns');
  const b = binding();
  if (ref === undefined) return makeNetns(b.netnsCurrent(), null, null);
  if (ref instanceof Netns) {
    if (ref.closed) throw invalidValue('netns', ref, 'is a closed handle');
    return makeNetns(nativeSync(() => b.netnsFromFd(ref.fd), 'openNetns'), ref.name, ref.path);
  }
  if (typeof ref === 'object' && ref !== null && Object.hasOwn(ref, 'fd')) {
    const fd = v.integer((ref as { fd: unknown }).fd, 'netns.fd', 0, 2 ** 31 - 1);
    return makeNetns(nativeSync(() => b.netnsFromFd(fd), 'openNetns'), null, null);
  }
  const path = pathOf(ref);
  const handle = await native(b.netnsOpen(path), 'openNetns');
  return makeNetns(handle, typeof ref === 'string' ? ref : null, path);
}

/**
 * The `netns` option of an options object: its own property only. An inherited one (say
 * `Object.prototype.netns`, set by a polluted dependency) would redirect every call made without
 * `netns`; it is not an option anyone gave. Every function reads the option through this.
 * @internal
 */
export function netnsOf(options: unknown): NetnsRef | undefined {
  // Callers hand in the snapshot of their options (validate.ts): the reference in it is a copy.
  if (typeof options !== 'object' || options === null || !Object.hasOwn(options, 'netns')) return undefined;
  return (options as NetnsOption).netns;
}

/**
 * A namespace reference given as an argument of its own (not inside an options object, which
 * validate.ts copies whole): a `{ path }`, `{ pid }` or `{ fd }` is copied, each property read
 * once and never through its prototype; a name or a Netns is kept.
 * @internal
 */
export function refArg<T>(ref: T, arg: string): T {
  if (typeof ref !== 'object' || ref === null || ref instanceof Netns) return ref;
  return v.object(ref, arg) as T;
}

/** The namespace file of a name, `{ path }` or `{ pid }` (validated; arg names it). @internal */
export function pathOf(ref: unknown, arg = 'netns'): string {
  const what = 'a name, { path }, { pid }, { fd } or a Netns';
  if (typeof ref === 'string') return `${NETNS_RUN_DIR}/${v.netnsName(ref, arg)}`;
  if (typeof ref !== 'object' || ref === null) throw invalidType(arg, what, ref);
  if (Object.hasOwn(ref, 'path')) {
    const p = v.string((ref as { path: unknown }).path, `${arg}.path`);
    if (!p.startsWith('/')) throw invalidValue(`${arg}.path`, p, 'must be an absolute path');
    return p;
  }
  if (Object.hasOwn(ref, 'pid')) return `/proc/${v.integer((ref as { pid: unknown }).pid, `${arg}.pid`, 1, 2 ** 22)}/ns/net`;
  throw invalidType(arg, what, ref);
}

/**
 * Checks a namespace reference without any system call, for one resolved later (by
 * {@link handleFor}) after other system calls: bad references must fail before the first.
 * @internal
 */
export function checkNetnsRef(ref: unknown, arg: string): asserts ref is NetnsRef {
  if (ref instanceof Netns) {
    if (ref.closed) throw invalidValue(arg, ref, 'is a closed handle');
  } else if (typeof ref === 'object' && ref !== null && Object.hasOwn(ref, 'fd')) {
    v.integer((ref as { fd: unknown }).fd, `${arg}.fd`, 0, 2 ** 31 - 1);
  } else {
    pathOf(ref, arg);
  }
}

/**
 * Resolves the `netns` option for one operation, at call time: validates synchronously (so bad
 * references fail before any system call) and returns what the addon takes plus a release
 * function, to be called exactly once when the operation is over (extra calls do nothing).
 *
 * The namespace is referenced now, for the whole operation: a `Netns` is held (its `close()`
 * during the operation takes effect for new calls at once, but the namespace stays open until
 * release, so every request of the operation reaches it), and `{ fd }` is duplicated now (the
 * caller may close its fd as soon as the call returns). A name, `{ path }` or `{ pid }` is a
 * path, opened by each request.
 * @internal
 */
export function resolveNetns(ref: NetnsRef | undefined, arg = 'netns'): { ns: NativeNs; release: () => void } {
  if (ref === undefined) return { ns: null, release: noop };
  if (ref instanceof Netns) {
    if (ref.closed) throw invalidValue(arg, ref, 'is a closed handle');
    const h = ref.handle;
    h.hold();
    return { ns: h, release: once(() => { h.unhold(); }) };
  }
  if (typeof ref === 'object' && ref !== null && Object.hasOwn(ref, 'fd')) {
    const fd = v.integer((ref as { fd: unknown }).fd, `${arg}.fd`, 0, 2 ** 31 - 1);
    const h = nativeSync(() => binding().netnsFromFd(fd), 'openNetns');
    describeHandle(h, `namespace net:[${h.inode}] (fd ${fd})`);
    return { ns: h, release: once(() => { h.close(); }) };
  }
  return { ns: pathOf(ref, arg), release: noop };
}

/**
 * An open handle for ref, for requests that carry a namespace as a destination (moving a link,
 * creating a veth peer elsewhere, a namespace id). Call it at call time, before any await: a
 * `Netns` is held and `{ fd }` duplicated synchronously (see {@link resolveNetns}); a name,
 * `{ path }` or `{ pid }` is opened. The addon holds the destination again for each request that
 * names it, so its fd cannot be closed, and the number reused, before the kernel has read it.
 * @internal
 */
export async function handleFor(ref: NetnsRef, arg = 'netns'): Promise<{ handle: NativeNetnsHandle; release: () => void }> {
  const { ns, release } = resolveNetns(ref, arg);
  if (ns !== null && typeof ns !== 'string') return { handle: ns, release };
  const opened = await openNetns(ref);
  return { handle: opened.handle, release: once(() => { opened.close(); }) };
}

function noop(): void {}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}

/**
 * Runs fn with the namespace of `options.netns` resolved (held for the call, released after,
 * however fn ends). @internal
 */
export async function inNetns<T>(options: NetnsOption, fn: (ns: NativeNs) => Promise<T>): Promise<T> {
  const { ns, release } = resolveNetns(netnsOf(options));
  try {
    return await fn(ns);
  } finally {
    release();
  }
}
