/**
 * Live kernel events: links, addresses, routes, neighbours and rules appearing, changing and
 * going away, as `ip monitor` shows them, typed. The watcher keeps the state it has seen, so it
 * can tell an addition from a change, and when the kernel drops notifications (ENOBUFS: its
 * buffer overflowed) it says so with a `resync` event and brings you up to date from a fresh dump
 * (additions, changes and deletions computed against what it knew): never a silent gap.
 */
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { binding, k, type MonitorMessage, type NativeMonitor, type NativeNs } from '../core/binding.js';
import { expand } from '../netlink/expand.js';
import { NetdevError, illegalConstructor, invalidValue, native } from '../core/errors.js';
import type { Address } from '../ip/addresses.js';
import type { Link } from '../link/links.js';
import { netnsOf, openNetns, resolveNetns, type Netns, type NetnsOption } from '../netns/netns.js';
import type { Neighbour } from '../ip/neighbours.js';
import type { Route } from '../ip/routes.js';
import type { Rule } from '../ip/rules.js';
import * as v from '../core/validate.js';
import { KINDS, content, dumpSettled, routeBase, type Item, type Kind } from './kinds.js';

/** What changed. */
export type ChangeType = 'add' | 'change' | 'delete';

/** An event of {@link watch}. `existing` marks the current state delivered by `listExisting`. */
export type NetdevEvent =
  | { kind: 'link'; type: ChangeType; link: Link; existing?: boolean }
  | { kind: 'address'; type: ChangeType; address: Address; existing?: boolean }
  | { kind: 'route'; type: ChangeType; route: Route; existing?: boolean }
  | { kind: 'neighbour'; type: ChangeType; neighbour: Neighbour; existing?: boolean }
  | { kind: 'rule'; type: ChangeType; rule: Rule; existing?: boolean }
  /** Notifications were lost; the events that follow (until `synced`) bring the state up to date. */
  | { kind: 'resync'; reason: 'ENOBUFS' }
  /** The state is complete again: after the initial dump, and after each resync. */
  | { kind: 'synced' };

/** Options of {@link watch}. With no kind selected, all five are watched. */
export interface WatchOptions extends NetnsOption {
  link?: boolean;
  address?: boolean;
  route?: boolean;
  neighbour?: boolean;
  rule?: boolean;
  /** Deliver the current state first, as `add` events with `existing: true`. Default false. */
  listExisting?: boolean;
  /** Closes the watcher when aborted. */
  signal?: AbortSignal;
  /** The socket's receive buffer in bytes (SO_RCVBUFFORCE when allowed). Default 8 MiB. */
  receiveBuffer?: number;
}

/**
 * A live view of kernel changes: an EventEmitter (`'event'` for every event, plus `'link'`,
 * `'address'`, `'route'`, `'neighbour'`, `'rule'`, `'resync'`, `'synced'`, `'error'`) and an
 * async iterable of {@link NetdevEvent}. Unref'd by default: an idle watcher does not keep the
 * process alive (call `ref()` for that).
 */
export class Watcher extends EventEmitter implements AsyncIterable<NetdevEvent> {
  /** Resolves once subscribed and the initial state is known; rejects if that failed. */
  readonly ready: Promise<void>;
  private monitor: NativeMonitor | undefined;
  private readonly state = new Map<Kind, Map<string, Item>>();
  private readonly kinds: Kind[];
  private closedFlag = false;
  private referenced = false;
  private resyncing = false;
  private readonly queue: NetdevEvent[] = [];
  private wake: (() => void) | undefined;
  private iterating = 0;
  private paused = false;
  /**
   * The watched namespace, held by this watcher's own handle for its whole life (null: the
   * process's own): the socket and every resync dump use it, whatever the caller later does with
   * the reference it passed (closes its handle, reuses an fd number, renames a namespace).
   */
  private netns: Netns | null = null;
  private readonly netnsOpening: Promise<Netns> | null;

  /** @internal Watchers come from {@link watch}. */
  constructor(private readonly options: WatchOptions, kinds: Kind[]) {
    if (!constructing) throw illegalConstructor('Watcher', 'watch()');
    super();
    this.kinds = kinds;
    for (const kind of kinds) this.state.set(kind, new Map());
    // openNetns duplicates a handle or an { fd } synchronously, before watch() returns.
    this.netnsOpening = netnsOf(options) === undefined ? null : openNetns(netnsOf(options));
    this.ready = this.start();
    this.ready.catch((e: unknown) => {
      if (this.listenerCount('error') > 0) this.emit('error', e);
    });
  }

  /** Whether close() was called. */
  get closed(): boolean {
    return this.closedFlag;
  }

  private async start(): Promise<void> {
    try {
      if (this.netnsOpening) {
        this.netns = await this.netnsOpening;
        if (this.closedFlag) this.netns.close();
      }
      if (this.closedFlag) return;
      const ns = this.netns?.handle ?? null;
      const groups = this.kinds.flatMap((kind) => KINDS[kind].groups.map((g) => k(g)));
      const rcvbuf = this.options.receiveBuffer ?? 8 * 1024 * 1024;
      const { fds } = await native(binding().monitorOpen(ns, groups, rcvbuf), 'watch');
      const fd = fds[0]!;
      if (this.closedFlag) {
        fs.closeSync(fd);
        return;
      }
      const b = binding();
      this.monitor = new b.Monitor(fd, (m) => {
        this.onMessages(m);
      });
      if (!this.referenced) this.monitor.unref();
      // Subscribed first, dumped second: nothing that happens in between is missed (it is queued
      // in the socket and read after the dump).
      await this.sync(ns, this.options.listExisting === true, false);
      if (this.closedFlag) return;
      this.monitor.start();
    } catch (e) {
      // A watcher that could not start holds nothing.
      this.netns?.close();
      throw e;
    }
  }

  /** Dumps every watched kind; on a resync, emits the differences against the known state. */
  private async sync(ns: NativeNs, existing: boolean, resync: boolean): Promise<void> {
    for (const kind of this.kinds) {
      const info = KINDS[kind];
      const fresh = new Map<string, Item>();
      for (const d of await dumpSettled(ns, info.dump(), `watch ${kind}`)) {
        const item = info.convert(d);
        if (item) fresh.set(info.key(item), item);
      }
      if (this.closedFlag) return;
      const known = this.state.get(kind)!;
      if (resync) {
        for (const [key, item] of fresh) {
          const old = known.get(key);
          if (!old) this.deliver(kind, 'add', item);
          else if (content(old) !== content(item)) this.deliver(kind, 'change', item);
        }
        for (const [key, item] of known) if (!fresh.has(key)) this.deliver(kind, 'delete', item);
      } else if (existing) for (const item of fresh.values()) this.deliver(kind, 'add', item, true);
      this.state.set(kind, fresh);
    }
    this.push({ kind: 'synced' });
  }

  private onMessages(m: MonitorMessage[] | number): void {
    if (this.closedFlag) return;
    if (typeof m === 'number') {
      if (m === -os.constants.errno.ENOBUFS) this.startResync();
      else this.fail(new NetdevError({ errnum: -m, syscall: 'recv', operation: 'watch' }));
      return;
    }
    // During a resync the notifications are newer than what was dropped: keep them for after the
    // dump, which they may postdate.
    if (this.resyncing) {
      this.held.push(m);
      return;
    }
    this.apply(m);
  }

  private held: MonitorMessage[][] = [];
  private again = false;

  private apply(m: MonitorMessage[]): void {
    for (const msg of m) {
      const kind = this.kinds.find((kk) => k(KINDS[kk].newType) === msg.type || k(KINDS[kk].delType) === msg.type);
      if (!kind) continue;
      // AF_BRIDGE link messages are about bridge ports (a port leaving its bridge is a DELLINK of
      // that family): not the link's own life.
      if (kind === 'link' && msg.family === k('AF_BRIDGE')) continue;
      const info = KINDS[kind];
      const deleting = msg.type === k(info.delType);
      const known = this.state.get(kind)!;
      for (const d of expand(msg.objects)) {
        const item = info.convert(d);
        if (!item) continue;
        const key = info.key(item);
        if (deleting) {
          known.delete(key);
          this.deliver(kind, 'delete', item);
        } else {
          let had = known.has(key);
          // `ip route replace`: the route under the kernel's key is replaced, whatever its next hop.
          if (kind === 'route' && msg.flags & k('NLM_F_REPLACE')) {
            const base = routeBase(item as Route);
            for (const [other, r] of known) if (routeBase(r as Route) === base && known.delete(other)) had = true;
          }
          known.set(key, item);
          this.deliver(kind, had ? 'change' : 'add', item);
        }
      }
    }
  }

  /** Starts a resync; whatever goes wrong in it ends the watcher through fail(), never unhandled. */
  private startResync(): void {
    this.resync().catch((e: unknown) => {
      this.fail(e);
    });
  }

  private async resync(): Promise<void> {
    if (!this.monitor) return;
    if (this.resyncing) {
      // Lost again while catching up: another round once this one is done.
      this.again = true;
      return;
    }
    this.resyncing = true;
    try {
      this.push({ kind: 'resync', reason: 'ENOBUFS' });
      this.monitor.drop(); // what is queued predates the dump
      this.monitor.start();
      // The watcher's own handle: still open whatever the caller did with its reference.
      await this.sync(this.netns?.handle ?? null, false, true);
    } catch (e) {
      this.fail(e);
    } finally {
      this.resyncing = false;
      const held = this.held;
      this.held = [];
      for (const m of held) if (!this.closedFlag) this.apply(m);
      if (this.again && !this.closedFlag) {
        this.again = false;
        this.startResync();
      }
    }
  }

  private deliver(kind: Kind, type: ChangeType, item: Item, existing = false): void {
    const key = kind as string;
    // One object per kind's event type, keyed by the kind: built generically, narrowed here once.
    const e: object = { kind, type, [key]: item, ...(existing ? { existing: true } : {}) };
    this.push(e as NetdevEvent);
  }

  private push(e: NetdevEvent): void {
    this.emit('event', e);
    this.emit(e.kind, e);
    if (this.iterating > 0) {
      this.queue.push(e);
      // A consumer far behind: stop reading; the kernel's buffer then overflows and a resync
      // catches up later, instead of this queue growing without bound.
      if (this.queue.length > 100000 && !this.paused) {
        this.paused = true;
        this.monitor?.pause();
      }
      this.wake?.();
    }
  }

  private fail(e: unknown): void {
    if (this.listenerCount('error') > 0) this.emit('error', e);
    else if (this.iterating === 0) process.emitWarning(`netdev watch stopped: ${String(e)}`, 'NetdevWatchWarning');
    this.queue.push({ kind: 'synced' });
    this.failure = e;
    this.close();
  }

  private failure: unknown;

  /** Keeps the process alive while watching. */
  ref(): this {
    this.referenced = true;
    this.monitor?.ref();
    return this;
  }

  /** Lets the process exit while watching (the default). */
  unref(): this {
    this.referenced = false;
    this.monitor?.unref();
    return this;
  }

  /** Stops watching: the socket closes, iterators end. Idempotent. */
  close(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    this.monitor?.close();
    this.monitor = undefined;
    this.netns?.close();
    this.wake?.();
    this.emit('close');
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<NetdevEvent> {
    this.iterating++;
    try {
      for (;;) {
        while (this.queue.length > 0) {
          yield this.queue.shift()!;
          if (this.paused && this.queue.length < 1000 && !this.closedFlag) {
            this.paused = false;
            this.monitor?.start();
          }
        }
        if (this.failure !== undefined) throw this.failure;
        if (this.closedFlag) return;
        await new Promise<void>((r) => (this.wake = r));
        this.wake = undefined;
      }
    } finally {
      this.iterating--;
    }
  }
}

/** Set while watch() constructs a Watcher: its constructor refuses to run otherwise. */
let constructing = false;

/**
 * Watches the kernel's changes in a namespace. Await `watcher.ready` before making changes you
 * want to see; iterate it, or listen to its events.
 *
 * ```ts
 * const w = watch({ netns, link: true, address: true, listExisting: true, signal });
 * for await (const e of w) if (e.kind === 'link') console.log(e.type, e.link.name);
 * ```
 *
 * `ip monitor link address route neigh rule`
 */
export function watch(options: WatchOptions = {}): Watcher {
  options = v.options(options, 'options', ['netns', 'link', 'address', 'route', 'neighbour', 'rule', 'listExisting', 'signal', 'receiveBuffer']);
  const o = options as Record<string, unknown>;
  const all: Kind[] = ['link', 'address', 'route', 'neighbour', 'rule'];
  for (const kind of all) if (o[kind] !== undefined) v.bool(o[kind], `options.${kind}`);
  if (options.listExisting !== undefined) v.bool(options.listExisting, 'options.listExisting');
  if (options.receiveBuffer !== undefined) v.integer(options.receiveBuffer, 'options.receiveBuffer', 4096, 2 ** 30);
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) throw invalidValue('options.signal', options.signal, 'must be an AbortSignal');
  resolveNetns(netnsOf(options)).release(); // validates now, before anything is opened
  const chosen = all.filter((kind) => o[kind] === true);
  constructing = true;
  let w: Watcher;
  try {
    w = new Watcher(options, chosen.length > 0 ? chosen : all);
  } finally {
    constructing = false;
  }
  const signal = options.signal;
  if (signal) {
    if (signal.aborted) w.close();
    else {
      const onAbort = (): void => { w.close(); };
      signal.addEventListener('abort', onAbort, { once: true });
      w.once('close', () => { signal.removeEventListener('abort', onAbort); });
    }
  }
  return w;
}
