/**
 * The link name → index cache: an operation given a link by name would otherwise look the name up
 * (one RTM_GETLINK round trip) on every call, doubling the cost of an awaited call.
 *
 * It is sound only if it knows of every change made before it is read. A namespace with a cache
 * has a netlink socket subscribed to RTNLGRP_LINK (a monitor, never polled): the kernel queues a
 * notification on it inside the very system call that creates, renames, moves, deletes or changes
 * a link, before that call returns. Before every read the queue is drained without blocking
 * (`flush()`); any notification at all, or an overflow, empties the cache. So a cached index is
 * used only if no link of the namespace has changed since it was looked up, and the window left
 * (a change between this read and the request reaching the kernel) is the one every lookup has
 * between its reply and the request that uses it.
 *
 * An entry is stored only if the monitor was subscribed before the lookup was sent and nothing was
 * queued since (an epoch, bumped by every emptying). Only long-lived handles (a `Netns`, and the
 * process's own namespace) get a cache; at most MAX_NAMESPACES monitors are open (the least
 * recently used is closed first), each cache holds at most MAX_NAMES names, and a handle's monitor
 * is closed with the handle (or when it is collected).
 * @internal
 */
import { binding, k, type NativeMonitor, type NativeNetnsHandle, type NativeNs } from '../core/binding.js';

const MAX_NAMESPACES = 64;
const MAX_NAMES = 4096;
/** The monitor's receive buffer: small, since only "something changed" matters. */
const RCVBUF = 64 * 1024;

interface Cache {
  names: Map<string, number>;
  monitor: NativeMonitor | null;
  /** Bumped whenever the cache is emptied; a lookup stores its answer only in the epoch it began. */
  epoch: number;
  closed: boolean;
  /** No monitor could be opened: the namespace does without a cache (no retry on every call). */
  failed: boolean;
}

const noop = (): void => undefined;
let own: Cache | undefined;
const byHandle = new WeakMap<NativeNetnsHandle, Cache>();
const cacheable = new WeakSet<NativeNetnsHandle>();
/** Caches with an open (or opening) monitor, least recently used first. */
const open = new Set<Cache>();
const collected = new FinalizationRegistry<Cache>((c) => { close(c); });

function close(c: Cache): void {
  c.closed = true;
  c.names.clear();
  open.delete(c);
  c.monitor?.close();
  c.monitor = null;
}

/** Lets `handle` (a Netns's, which lives as long as its user keeps it) have a name cache. */
export function allowNameCache(handle: NativeNetnsHandle): void {
  cacheable.add(handle);
}

/** Closes the cache of `handle` (when the Netns is closed: its monitor pins the namespace). */
export function forgetNames(handle: NativeNetnsHandle): void {
  const c = byHandle.get(handle);
  if (c) {
    byHandle.delete(handle);
    collected.unregister(c);
    close(c);
  }
}

function cacheOf(ns: NativeNs, create: boolean): Cache | undefined {
  if (typeof ns === 'string') return undefined;
  if (ns !== null && (ns.closed || !cacheable.has(ns))) return undefined;
  let c = ns === null ? own : byHandle.get(ns);
  if (c?.closed && !c.failed) {
    // Closed to make room for another namespace's: a new one is made on the next lookup.
    if (ns === null) own = undefined;
    else byHandle.delete(ns);
    c = undefined;
  }
  if (c || !create) return c;
  c = { names: new Map(), monitor: null, epoch: 0, closed: false, failed: false };
  if (ns === null) own = c;
  else {
    byHandle.set(ns, c);
    collected.register(ns, c, c);
  }
  subscribe(ns, c);
  return c;
}

function subscribe(ns: NativeNs, c: Cache): void {
  open.add(c);
  if (open.size > MAX_NAMESPACES) {
    const oldest = open.values().next().value;
    if (oldest) close(oldest);
  }
  const b = binding();
  b.monitorOpen(ns, [k('RTNLGRP_LINK')], RCVBUF).then(
    ({ fds }) => {
      const fd = fds[0]!;
      if (c.closed) {
        // Gone meanwhile: the descriptor is still ours to close.
        new b.Monitor(fd, noop).close();
        return;
      }
      c.monitor = new b.Monitor(fd, noop);
      c.epoch++; // lookups begun before the subscription store nothing
    },
    () => {
      // No monitor (a namespace that went away, no descriptors left): lookups as before.
      c.failed = true;
      close(c);
    },
  );
}

/** Drains the monitor; empties the cache if anything changed. False when the cache is unusable. */
function fresh(c: Cache): boolean {
  if (c.closed || !c.monitor) return false;
  const queued = c.monitor.flush();
  if (queued !== 0) {
    c.names.clear();
    c.epoch++;
  }
  return true;
}

/**
 * The index of `name` in `ns` from the cache, as fresh as a lookup now; or, when it is not
 * cached, the token to pass to {@link learnIndex} with the answer of the lookup sent next
 * (undefined: the answer cannot be kept). Makes the namespace's cache on first use.
 */
export function cachedIndex(ns: NativeNs, name: string): { index: number } | { token: number | undefined } {
  const c = cacheOf(ns, true);
  if (!c || !fresh(c)) return { token: undefined };
  open.delete(c);
  open.add(c); // most recently used
  const index = c.names.get(name);
  return index === undefined ? { token: c.epoch } : { index };
}

/** Stores a lookup's answer, unless a link of `ns` changed since {@link cachedIndex} gave `token`. */
export function learnIndex(ns: NativeNs, name: string, index: number, token: number | undefined): void {
  if (token === undefined) return;
  const c = cacheOf(ns, false);
  if (!c || !fresh(c) || c.epoch !== token) return;
  if (c.names.size >= MAX_NAMES) c.names.clear();
  c.names.set(name, index);
}
