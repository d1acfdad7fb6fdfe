/**
 * TUN/TAP devices and their packet I/O. Reading is event-driven and batched: every wakeup drains
 * up to `maxBatch` packets into one reusable buffer and makes one call to your handler with a
 * {@link PacketBatch} (zero-copy views, no allocation per packet on the batch path). Writes are one
 * packet per write(); when the kernel's queue is full the write waits for writability (never
 * spins) and the device emits `'drain'`.
 */
import { EventEmitter } from 'node:events';
import { constants } from 'node:os';
import { Duplex } from 'node:stream';
import { binding, k, type NativePacketQueue } from '../core/binding.js';
import { NetdevError, illegalConstructor, invalidType, invalidValue, native, nativeSync, refusedByState } from '../core/errors.js';
import { readPacketList, type PacketList } from './packet_list.js';
import { readLink } from '../link/links.js';
import { netnsOf, resolveNetns, type NetnsOption } from '../netns/netns.js';
import { transact } from '../netlink/rtnl.js';
import * as v from '../core/validate.js';

/** Offloads a vnetHdr device accepts (TUNSETOFFLOAD). */
export interface TunOffload {
  csum?: boolean;
  tso4?: boolean;
  tso6?: boolean;
  ecn?: boolean;
  /** UDP segmentation offload (Linux 6.2+; older kernels refuse it with EINVAL). Needs csum. */
  uso4?: boolean;
  uso6?: boolean;
}

/** Options of {@link openTun} / {@link openTap}. */
export interface OpenTunOptions extends NetnsOption {
  /** A name, a template such as `tap%d`, or omitted (the kernel picks tunN/tapN). Reading it back: `device.name`. */
  name?: string;
  /** Number of queues (IFF_MULTI_QUEUE when > 1): one fd each, packets spread by flow. Default 1. */
  queues?: number;
  /** Prefix each packet with a struct virtio_net_hdr (10 bytes). Default false. */
  vnetHdr?: boolean;
  /** Offloads (need vnetHdr): super-packets up to 64 KB. Cleared when omitted (the mask survives re-attach). */
  offload?: TunOffload;
  /** Keep the 4-byte struct tun_pi before each packet (IFF_NO_PI is the default). */
  packetInfo?: boolean;
  /** Make the device persistent (it survives close; delete with deletePersistentTun/Tap). */
  persist?: boolean;
  /** Only this uid (and/or `group`) may attach. */
  owner?: number;
  group?: number;
  /** Carrier on (default) or off. */
  carrier?: boolean;
  /**
   * Send buffer of the device's queues in bytes (TUNSETSNDBUF; the kernel's default is unlimited):
   * a write gets EAGAIN, and waits for writability, while this much written data is still queued
   * in the kernel.
   */
  sndbuf?: number;
  /** Transmit queue length set at open (the kernel's 500 drops bursts silently). Default 5000; null keeps it. */
  txqueuelen?: number | null;
  /** Packets per batch at most (1-4096). Default 64. */
  maxBatch?: number;
  /** Bytes per batch at most. Default 256 KiB. */
  batchBytes?: number;
}

/** One wakeup's packets. Valid only during the handler call: the buffer is reused afterwards. */
export interface PacketBatch extends PacketList {
  /** Number of packets. */
  readonly count: number;
  /** The queue they were read from (0 for single-queue devices). */
  readonly queue: number;
  /** The shared receive buffer and each packet's offset and length in it (zero-allocation access). */
  readonly buffer: Buffer;
  readonly offsets: Int32Array;
  readonly lengths: Int32Array;
  /** A zero-copy view of packet i (allocates one Buffer object). */
  packet(i: number): Buffer;
}

class Batch implements PacketBatch {
  count = 0;
  readonly buffer: Buffer;
  readonly offsets: Int32Array;
  readonly lengths: Int32Array;
  constructor(
    readonly queue: number,
    q: NativePacketQueue,
  ) {
    this.buffer = Buffer.from(q.rxBuffer);
    this.offsets = q.rxOffsets;
    this.lengths = q.rxLengths;
  }
  packet(i: number): Buffer {
    if (!Number.isInteger(i) || i < 0 || i >= this.count) throw invalidValue('i', i, `must be an index below ${this.count}`, true);
    const o = this.offsets[i]!;
    return this.buffer.subarray(o, o + this.lengths[i]!);
  }
}

interface PendingWrite {
  data: Uint8Array;
  resolve: () => void;
  reject: (e: unknown) => void;
}

const MAX_PACKET = 65536 + 64;

/** What {@link TunDevice.writeBatch} throws when the kernel refuses one of the packets. */
export interface PacketWriteError extends NetdevError {
  /** The refused packet's index in the batch (as given to writeBatch, `indices` included). */
  readonly index: number;
  /** How many packets of this call were written before it (none after it were). */
  readonly written: number;
  /** The queue written to. */
  readonly queue: number;
}

/** An open TUN or TAP device: its queues, reading, writing. */
export class TunDevice extends EventEmitter {
  /** The device name (as the kernel named it, for templates). */
  readonly name: string;
  readonly kind: 'tun' | 'tap' | 'macvtap' | 'ipvtap';
  /** Whether packets carry a virtio_net_hdr. */
  readonly vnetHdr: boolean;
  private readonly queues: NativePacketQueue[];
  private readonly batches: Batch[];
  private readonly fds: number[];
  private readonly pending: PendingWrite[][];
  private readonly waiting: boolean[];
  private handler: ((batch: PacketBatch) => void) | undefined;
  private closedFlag = false;

  /** @internal Devices come from {@link openTun}, {@link openTap} and {@link openMacvtap}. */
  constructor(name: string, kind: TunDevice['kind'], vnetHdr: boolean, fds: number[], sizes: { maxBatch: number; budget: number }) {
    if (!constructing) throw illegalConstructor('TunDevice', 'openTun(), openTap() or openMacvtap()');
    super();
    this.name = name;
    this.kind = kind;
    this.vnetHdr = vnetHdr;
    const b = binding();
    this.fds = fds.slice();
    this.queues = fds.map((fd) => new b.PacketQueue(fd, { maxPacket: MAX_PACKET, maxBatch: sizes.maxBatch, budget: sizes.budget }));
    this.batches = this.queues.map((q, i) => new Batch(i, q));
    this.pending = this.queues.map(() => []);
    this.waiting = this.queues.map(() => false);
  }

  /**
   * The queues' file descriptors (one per queue), e.g. to fstat them or hand one to a child
   * process. They belong to this object: do not close them; they are closed by close().
   */
  get fileDescriptors(): readonly number[] {
    return this.closedFlag ? [] : this.fds.slice();
  }

  /** Number of queues. */
  get queueCount(): number {
    return this.queues.length;
  }

  /** Whether close() was called. */
  get closed(): boolean {
    return this.closedFlag;
  }

  /**
   * The fast path: `handler(batch)` runs once per wakeup per queue with every packet read then.
   * Replaces any previous handler and starts reading.
   */
  onPackets(handler: (batch: PacketBatch) => void): void {
    if (typeof handler !== 'function') throw invalidType('handler', 'a function', handler);
    this.checkOpen();
    this.handler = handler;
    this.queues.forEach((q, i) => {
      q.start((n) => {
        this.onRead(i, n);
      });
    });
  }

  /** Stops reading (packets then queue up in the kernel and are dropped when its queue is full). */
  pause(): void {
    for (const q of this.queues) q.pause();
  }

  /** Resumes reading after pause(). */
  resume(): void {
    if (this.handler) for (const q of this.queues) q.start();
  }

  private onRead(queue: number, n: number): void {
    if (n < 0) {
      this.emit('error', new NetdevError({ errnum: -n, syscall: 'read', operation: `tun ${this.name} queue ${queue}` }));
      return;
    }
    const batch = this.batches[queue]!;
    batch.count = n;
    this.handler?.(batch);
    batch.count = 0;
  }

  /**
   * Writes packets without copying them: a batch from `onPackets` (on the queue it came from), or
   * any {@link PacketList} such as a {@link GsoSplitter} or {@link TcpCoalescer} (on `queue`,
   * default 0); all of them, or those at `indices`. One write() per packet. Returns how many were
   * written at once; the rest (when the kernel's queue is full) are copied and written when it
   * drains, in order.
   *
   * Every packet is checked to lie inside the buffer before anything is written (a RangeError
   * naming the packet's index otherwise). If the kernel refuses a packet (EINVAL for a malformed
   * one), this throws a {@link PacketWriteError}: its `index` is the refused packet's index in the
   * batch, the `written` packets before it were written, it and the packets after it were not
   * (write those again if you want them). A refused packet is never retried.
   */
  writeBatch(batch: PacketList, indices?: readonly number[], queue?: number): number {
    this.checkOpen();
    if (typeof batch !== 'object' || batch === null) throw invalidType('batch', 'a PacketBatch or PacketList', batch);
    const isBatch = batch instanceof Batch;
    // Each property is read once, and only those values are checked and handed to the addon.
    const list = isBatch ? { count: batch.count, buffer: batch.buffer, offsets: batch.offsets, lengths: batch.lengths } : readPacketList(batch, 'batch', 1, MAX_PACKET);
    const qi = queue ?? (isBatch ? batch.queue : 0);
    if (!Number.isInteger(qi) || qi < 0 || qi >= this.queues.length) throw invalidValue('queue', qi, `must be below ${this.queues.length}`, true);
    const q = this.queues[qi]!;
    let offsets = list.offsets;
    let lengths = list.lengths;
    let count = list.count;
    let chosen: number[] | undefined;
    if (indices !== undefined) {
      const given: unknown = indices;
      if (!Array.isArray(given)) throw invalidType('indices', 'an array of packet indices', indices);
      chosen = Array.from(indices);
      offsets = new Int32Array(chosen.length);
      lengths = new Int32Array(chosen.length);
      chosen.forEach((i, j) => {
        if (!Number.isInteger(i) || i < 0 || i >= list.count) throw invalidValue(`indices[${j}]`, i, 'is not a packet of the batch', true);
        offsets[j] = list.offsets[i]!;
        lengths[j] = list.lengths[i]!;
      });
      count = chosen.length;
    }
    const buf = list.buffer;
    if (this.pending[qi]!.length > 0) {
      for (let j = 0; j < count; j++) this.enqueue(qi, Buffer.from(buf.subarray(offsets[j], offsets[j]! + lengths[j]!)));
      return 0;
    }
    const r = q.writeBatch(buf, offsets, lengths, 0, count);
    if (r < 0) {
      // The kernel refused one packet (not backpressure): report it here, once, never retry it.
      const written = Math.floor(-r / 256);
      const index = chosen === undefined ? written : chosen[written]!;
      const e = new NetdevError({ errnum: -r % 256, syscall: 'write', operation: `tun ${this.name} writeBatch packet ${index}` });
      throw Object.assign(e, { index, written, queue: qi }) as PacketWriteError;
    }
    for (let j = r; j < count; j++) this.enqueue(qi, Buffer.from(buf.subarray(offsets[j], offsets[j]! + lengths[j]!)));
    return r;
  }

  /** Writes one packet (one write()). Resolves once the kernel took it; never throws. */
  write(packet: Uint8Array, queue = 0): Promise<void> {
    try {
      this.checkWrite(packet, 'packet', queue);
      return this.send(packet, queue);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Writes several packets in order (one write() each). Every packet is checked before the first
   * is written: a bad one rejects the call with nothing written.
   */
  async writeMany(packets: readonly Uint8Array[], queue = 0): Promise<void> {
    this.checkOpen();
    const list = v.array(packets, 'packets', 2 ** 20, 'an array of Buffers') as Uint8Array[];
    list.forEach((p, i) => { this.checkWrite(p, `packets[${i}]`, queue); });
    await Promise.all(list.map((p) => this.send(p, queue)));
  }

  private checkWrite(packet: unknown, arg: string, queue: unknown): asserts packet is Uint8Array {
    this.checkOpen();
    if (!(packet instanceof Uint8Array)) throw invalidType(arg, 'a Buffer or Uint8Array', packet);
    if (packet.length === 0 || packet.length > MAX_PACKET) throw invalidValue(arg, packet, `must be 1 to ${MAX_PACKET} bytes`, true);
    if (!Number.isInteger(queue) || (queue as number) < 0 || (queue as number) >= this.queues.length)
      throw invalidValue('queue', queue, `must be below ${this.queues.length}`, true);
  }

  /** One checked packet: written now, or queued behind the ones waiting for the kernel's queue. */
  private send(packet: Uint8Array, queue: number): Promise<void> {
    if (this.pending[queue]!.length === 0) {
      const r = this.queues[queue]!.write(packet, 0, packet.length);
      if (r >= 0) return Promise.resolve();
      if (r !== -11) return Promise.reject(new NetdevError({ errnum: -r, syscall: 'write', operation: `tun ${this.name}` }));
    }
    return new Promise((resolve, reject) => {
      this.pending[queue]!.push({ data: packet, resolve, reject });
      this.armWritable(queue);
    });
  }

  private enqueue(queue: number, data: Uint8Array): void {
    this.pending[queue]!.push({ data, resolve: noop, reject: (e) => { this.report(e); } });
    this.armWritable(queue);
  }

  /**
   * A failure of a write nobody awaits (the part of a writeBatch that waited for the kernel's
   * queue): to 'error' listeners, else a warning. Never an uncaught 'error' that ends the process.
   */
  private report(e: unknown): void {
    if (this.listenerCount('error') > 0) this.emit('error', e);
    else process.emitWarning(`netdev: ${String(e)}`, 'NetdevTunWarning');
  }

  private armWritable(queue: number): void {
    if (this.waiting[queue]) return;
    this.waiting[queue] = true;
    this.queues[queue]!.waitWritable(() => {
      this.waiting[queue] = false;
      this.flush(queue);
    });
  }

  private flush(queue: number): void {
    const list = this.pending[queue]!;
    const q = this.queues[queue]!;
    while (list.length > 0) {
      const w = list[0]!;
      const r = q.write(w.data, 0, w.data.length);
      if (r === -11) {
        this.armWritable(queue);
        return;
      }
      list.shift();
      if (r < 0) w.reject(new NetdevError({ errnum: -r, syscall: 'write', operation: `tun ${this.name}` }));
      else w.resolve();
    }
    this.emit('drain', queue);
  }

  /** Packets one by one (a copy each): `for await (const packet of device)`. Stops at close(). */
  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    const queue: Buffer[] = [];
    let wake: (() => void) | undefined;
    let error: unknown;
    const onError = (e: unknown): void => {
      error = e;
      wake?.();
    };
    const onClose = (): void => wake?.();
    this.on('error', onError);
    this.on('close', onClose);
    this.onPackets((batch) => {
      for (let i = 0; i < batch.count; i++) queue.push(Buffer.from(batch.packet(i)));
      if (queue.length > 4096) this.pause(); // the consumer is slow: let the kernel queue instead
      wake?.();
    });
    try {
      for (;;) {
        while (queue.length > 0) {
          yield queue.shift()!;
          if (queue.length === 0 && !this.closedFlag) this.resume();
        }
        if (error) throw error;
        if (this.closedFlag) return;
        await new Promise<void>((r) => (wake = r));
        wake = undefined;
      }
    } finally {
      this.off('error', onError);
      this.off('close', onClose);
    }
  }

  /** A Duplex stream: one packet per chunk each way, with backpressure. */
  stream(): Duplex {
    const duplex = new Duplex({
      read: () => {
        this.resume();
      },
      write: (chunk: Buffer, _enc, cb) => {
        this.write(chunk).then(() => {
          cb();
        }, cb);
      },
      destroy: (err, cb) => {
        this.close();
        cb(err);
      },
    });
    this.onPackets((batch) => {
      let more = true;
      for (let i = 0; i < batch.count; i++) more = duplex.push(Buffer.from(batch.packet(i)));
      if (!more) this.pause();
    });
    this.once('close', () => duplex.push(null));
    return duplex;
  }

  /** Turns the carrier on or off (TUNSETCARRIER). */
  setCarrier(on: boolean): void {
    this.checkOpen();
    v.bool(on, 'on');
    nativeSync(() => { binding().tunIoctl(this.fds[0]!, 'carrier', on ? 1 : 0); }, `tun ${this.name}`);
  }

  /** Multi-queue: detach a queue (packets stop going to it) or attach it back (TUNSETQUEUE). */
  setQueueAttached(queue: number, attached: boolean): void {
    this.checkOpen();
    v.integer(queue, 'queue', 0, this.queues.length - 1);
    nativeSync(() => { binding().tunIoctl(this.fds[queue]!, 'queue', attached ? 1 : 0); }, `tun ${this.name}`);
  }

  /** Makes the device persistent or not (TUNSETPERSIST). */
  setPersist(on: boolean): void {
    this.checkOpen();
    nativeSync(() => { binding().tunIoctl(this.fds[0]!, 'persist', v.bool(on, 'on') ? 1 : 0); }, `tun ${this.name}`);
  }

  /** Keeps the process alive while reading (default) or not. */
  ref(): this {
    for (const q of this.queues) q.ref();
    return this;
  }

  unref(): this {
    for (const q of this.queues) q.unref();
    return this;
  }

  /**
   * Closes every queue: the pollers stop before the fds close; pending writes reject with
   * ERR_TUN_CLOSED. A non-persistent device disappears with its last queue. Idempotent.
   */
  close(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    for (const q of this.queues) q.close();
    for (const list of this.pending) for (const w of list.splice(0)) w.reject(closedError(this.name));
    this.emit('close');
  }

  private checkOpen(): void {
    if (this.closedFlag) throw closedError(this.name);
  }
}

let constructing = false;

/** The one way to make a TunDevice (its constructor refuses to run from outside this module). */
function makeTunDevice(...args: ConstructorParameters<typeof TunDevice>): TunDevice {
  constructing = true;
  try {
    return new TunDevice(...args);
  } finally {
    constructing = false;
  }
}

function noop(): void {}

function closedError(name: string): Error {
  const e = new Error(`tun ${name} is closed`) as Error & { code: string };
  e.code = 'ERR_TUN_CLOSED';
  return e;
}

const OPEN_KEYS = [
  'netns', 'name', 'queues', 'vnetHdr', 'offload', 'packetInfo', 'persist', 'owner', 'group', 'carrier', 'txqueuelen',
  'maxBatch', 'batchBytes', 'sndbuf',
] as const;

function offloadMask(offload: TunOffload | undefined, vnetHdr: boolean): number {
  let mask = 0;
  if (offload === undefined) return mask;
  const off = v.object(offload, 'options.offload');
  v.knownKeys(off, 'options.offload', ['csum', 'tso4', 'tso6', 'ecn', 'uso4', 'uso6']);
  if (!vnetHdr) throw invalidValue('options.offload', off, 'needs vnetHdr: true');
  for (const [key, value] of Object.entries(off)) if (value !== undefined) v.bool(value, `options.offload.${key}`);
  if (off.csum) mask |= k('TUN_F_CSUM');
  if (off.tso4) mask |= k('TUN_F_TSO4');
  if (off.tso6) mask |= k('TUN_F_TSO6');
  if (off.ecn) mask |= k('TUN_F_TSO_ECN');
  if (off.uso4) mask |= k('TUN_F_USO4');
  if (off.uso6) mask |= k('TUN_F_USO6');
  if ((off.tso4 || off.tso6 || off.ecn || off.uso4 || off.uso6) && !off.csum) throw invalidValue('options.offload', off, 'TSO/USO need csum');
  return mask;
}

function batchSizes(options: { maxBatch?: number; batchBytes?: number }): { maxBatch: number; budget: number } {
  return {
    maxBatch: options.maxBatch === undefined ? 64 : v.integer(options.maxBatch, 'options.maxBatch', 1, 4096),
    budget: options.batchBytes === undefined ? 256 * 1024 : v.integer(options.batchBytes, 'options.batchBytes', MAX_PACKET, 64 * 1024 * 1024),
  };
}

/** `multiQueue`: ask for IFF_MULTI_QUEUE even with one queue (a persistent device others attach to). */
async function open(kind: 'tun' | 'tap', options: OpenTunOptions, multiQueue = false): Promise<TunDevice> {
  options = v.options(options, 'options', OPEN_KEYS);
  let name: string | undefined;
  if (options.name !== undefined) {
    name = v.string(options.name, 'options.name');
    // A template has exactly one %d; otherwise the usual interface-name rules.
    const plain = name.replace('%d', '0');
    if ((name.match(/%/g) ?? []).length > 1 || (name.includes('%') && !name.includes('%d'))) throw invalidValue('options.name', name, 'may hold one %d template at most');
    v.ifname(plain, 'options.name');
  }
  const queues = options.queues === undefined ? 1 : v.integer(options.queues, 'options.queues', 1, 256);
  const vnetHdr = options.vnetHdr === undefined ? false : v.bool(options.vnetHdr, 'options.vnetHdr');
  const offload = offloadMask(options.offload, vnetHdr);
  const txq = options.txqueuelen === undefined ? 5000 : options.txqueuelen === null ? null : v.integer(options.txqueuelen, 'options.txqueuelen', 0, 2 ** 31 - 1);
  const spec = {
    tap: kind === 'tap',
    ...(name !== undefined ? { name } : {}),
    queues,
    multiQueue: multiQueue || queues > 1,
    vnetHdr,
    offload,
    packetInfo: options.packetInfo === undefined ? false : v.bool(options.packetInfo, 'options.packetInfo'),
    persist: options.persist === undefined ? false : v.bool(options.persist, 'options.persist'),
    ...(options.owner !== undefined ? { owner: v.integer(options.owner, 'options.owner', 0, 2 ** 31 - 1) } : {}),
    ...(options.group !== undefined ? { group: v.integer(options.group, 'options.group', 0, 2 ** 31 - 1) } : {}),
    ...(options.carrier !== undefined ? { carrier: v.bool(options.carrier, 'options.carrier') ? 1 : 0 } : {}),
    ...(options.sndbuf !== undefined ? { sndbuf: v.integer(options.sndbuf, 'options.sndbuf', 1, 2 ** 31 - 1) } : {}),
    ...(txq !== null ? { txqlen: txq } : {}),
  };
  const sizes = batchSizes(options);
  const { ns, release } = resolveNetns(netnsOf(options));
  let res: { name: string; flags: number; fds: number[] };
  try {
    res = await native(binding().tunOpen(ns, spec), `open${kind === 'tun' ? 'Tun' : 'Tap'} ${name ?? ''}`.trim());
  } finally {
    release();
  }
  // Attaching to an existing device of the other kind would have failed in TUNSETIFF (EINVAL).
  return makeTunDevice(res.name, kind, vnetHdr, res.fds, sizes);
}

/**
 * Opens (creating if needed) a TUN device (layer 3: IP packets). With `name` of an existing
 * persistent device, attaches to it.
 *
 * `ip tuntap add dev NAME mode tun` + opening it (`[multi_queue] [vnet_hdr] [pi] [user U] [group G]`)
 */
export function openTun(options: OpenTunOptions = {}): Promise<TunDevice> {
  return open('tun', options);
}

/**
 * Opens (creating if needed) a TAP device (layer 2: Ethernet frames).
 *
 * `ip tuntap add dev NAME mode tap` + opening it
 */
export function openTap(options: OpenTunOptions = {}): Promise<TunDevice> {
  return open('tap', options);
}

/** Options of {@link openMacvtap}. */
export interface OpenMacvtapOptions extends NetnsOption {
  /** Number of queues: the character device is opened this many times (1-256). Default 1. */
  queues?: number;
  /** Prefix each frame with a virtio_net_hdr. Default false (the kernel's default, on, is cleared). */
  vnetHdr?: boolean;
  /** Offloads (need vnetHdr). Cleared when omitted. */
  offload?: TunOffload;
  /** Send buffer in bytes (TUNSETSNDBUF). */
  sndbuf?: number;
  maxBatch?: number;
  batchBytes?: number;
}

/**
 * Opens the character device of a macvtap or ipvtap link (`/dev/tapIFINDEX`, what QEMU is handed
 * as `-netdev tap,fd=N`) with the same packet engine as {@link openTap}: Ethernet frames of the
 * link, read in batches and written one per write(). The node is found from inside the link's
 * namespace (its sysfs), so links in any namespace work, and is made privately when the caller
 * may (CAP_MKNOD), else `/dev/tapIFINDEX` is used after checking its device number. Closing the
 * device leaves the link in place (delete it with deleteLink).
 *
 * `ip link add link LOWER name NAME type macvtap mode bridge` + `exec 3<>/dev/tap$(cat /sys/class/net/NAME/ifindex)`
 */
export async function openMacvtap(link: string, options: OpenMacvtapOptions = {}): Promise<TunDevice> {
  v.ifname(link, 'link');
  options = v.options(options, 'options', ['netns', 'queues', 'vnetHdr', 'offload', 'sndbuf', 'maxBatch', 'batchBytes']);
  const queues = options.queues === undefined ? 1 : v.integer(options.queues, 'options.queues', 1, 256);
  const vnetHdr = options.vnetHdr === undefined ? false : v.bool(options.vnetHdr, 'options.vnetHdr');
  const offload = offloadMask(options.offload, vnetHdr);
  const sizes = batchSizes(options);
  const spec = {
    link,
    queues,
    vnetHdr,
    offload,
    ...(options.sndbuf !== undefined ? { sndbuf: v.integer(options.sndbuf, 'options.sndbuf', 1, 2 ** 31 - 1) } : {}),
  };
  const op = `openMacvtap ${link}`;
  const { ns, release } = resolveNetns(netnsOf(options));
  let res: { name: string; ifindex: number; fds: number[] };
  let kind: string;
  try {
    const info = await readLink(ns, { name: link }, op);
    if (info.kind !== 'macvtap' && info.kind !== 'ipvtap')
      throw refusedByState(constants.errno.EINVAL, op, `a ${info.kind ?? 'plain'} link, not a macvtap/ipvtap link`);
    kind = info.kind;
    res = await native(binding().tapDevOpen(ns, spec), op);
  } finally {
    release();
  }
  return makeTunDevice(res.name, kind as TunDevice['kind'], vnetHdr, res.fds, sizes);
}

/** Options of {@link createPersistentTun}. */
export interface PersistentTunOptions extends NetnsOption {
  name: string;
  owner?: number;
  group?: number;
  multiQueue?: boolean;
  vnetHdr?: boolean;
  packetInfo?: boolean;
}

async function createPersistent(kind: 'tun' | 'tap', options: PersistentTunOptions): Promise<string> {
  options = v.options(options, 'options', ['netns', 'name', 'owner', 'group', 'multiQueue', 'vnetHdr', 'packetInfo']);
  const multiQueue = options.multiQueue === undefined ? false : v.bool(options.multiQueue, 'options.multiQueue');
  const dev = await open(kind, {
    ...(netnsOf(options) !== undefined ? { netns: netnsOf(options) } : {}),
    name: v.string(options.name, 'options.name'),
    persist: true,
    txqueuelen: null,
    ...(options.owner !== undefined ? { owner: options.owner } : {}),
    ...(options.group !== undefined ? { group: options.group } : {}),
    ...(options.vnetHdr !== undefined ? { vnetHdr: options.vnetHdr } : {}),
    ...(options.packetInfo !== undefined ? { packetInfo: options.packetInfo } : {}),
  }, multiQueue);
  dev.close();
  return dev.name;
}

/** `ip tuntap add dev NAME mode tun [user U] [group G] [multi_queue] [vnet_hdr] [pi]`: resolves with the device name. */
export function createPersistentTun(options: PersistentTunOptions): Promise<string> {
  return createPersistent('tun', options);
}

/** `ip tuntap add dev NAME mode tap [user U] [group G] [multi_queue] [vnet_hdr] [pi]`: resolves with the device name. */
export function createPersistentTap(options: PersistentTunOptions): Promise<string> {
  return createPersistent('tap', options);
}

/**
 * Deletes a persistent TUN/TAP device (`ip tuntap del dev NAME mode tun|tap`). Refuses links of
 * another kind.
 */
export async function deletePersistentTun(name: string, options: NetnsOption = {}): Promise<void> {
  v.ifname(name);
  options = v.options(options, 'options', ['netns']);
  const op = `deletePersistentTun ${name}`;
  const { ns, release } = resolveNetns(netnsOf(options));
  try {
    const link = await readLink(ns, { name }, op);
    if (link.kind !== 'tun') throw refusedByState(constants.errno.EINVAL, op, `a ${link.kind ?? 'non-TUN'} link, not a TUN/TAP device`);
    await transact(ns, [{ type: k('RTM_DELLINK'), link: { index: link.index } }], op);
  } finally {
    release();
  }
}

/** The same as {@link deletePersistentTun} (TUN and TAP devices are both kind `tun`). */
export const deletePersistentTap: (name: string, options?: NetnsOption) => Promise<void> = deletePersistentTun;


/** A virtio_net_hdr (the 10 bytes before each packet of a `vnetHdr` device). */
export interface VnetHeader {
  /** VIRTIO_NET_HDR_F_NEEDS_CSUM (1), F_DATA_VALID (2). */
  flags: number;
  /** GSO type: 'none', 'tcpv4', 'udp', 'tcpv6', 'udp_l4', with `ecn` for the ECN bit. */
  gsoType: 'none' | 'tcpv4' | 'udp' | 'tcpv6' | 'udp_l4' | number;
  ecn: boolean;
  /** Length of the headers (Ethernet + IP + TCP/UDP) the segments repeat. */
  hdrLen: number;
  /** Payload bytes per segment when the packet is a GSO super-packet. */
  gsoSize: number;
  csumStart: number;
  csumOffset: number;
}

/** Size of the header `vnetHdr` devices put before each packet. */
export const VNET_HDR_LEN = 10;

const GSO_NAMES: Record<number, VnetHeader['gsoType']> = { 0: 'none', 1: 'tcpv4', 3: 'udp', 4: 'tcpv6', 5: 'udp_l4' };

/** Decodes the virtio_net_hdr at `offset` (little-endian, as the kernel writes it for TUN). */
export function parseVnetHeader(buf: Uint8Array, offset = 0): VnetHeader {
  if (!(buf instanceof Uint8Array)) throw invalidType('buf', 'a Buffer or Uint8Array', buf);
  if (!Number.isInteger(offset) || offset < 0 || offset + VNET_HDR_LEN > buf.length)
    throw invalidValue('offset', offset, 'leaves no room for a 10-byte virtio_net_hdr', true);
  const d = new DataView(buf.buffer, buf.byteOffset + offset, VNET_HDR_LEN);
  const gso = d.getUint8(1);
  return {
    flags: d.getUint8(0),
    gsoType: GSO_NAMES[gso & 0x7f] ?? gso & 0x7f,
    ecn: (gso & 0x80) !== 0,
    hdrLen: d.getUint16(2, true),
    gsoSize: d.getUint16(4, true),
    csumStart: d.getUint16(6, true),
    csumOffset: d.getUint16(8, true),
  };
}

/** Encodes a virtio_net_hdr into `buf` at `offset` (for writing to a `vnetHdr` device). */
export function writeVnetHeader(buf: Uint8Array, header: Partial<VnetHeader>, offset = 0): void {
  if (!(buf instanceof Uint8Array)) throw invalidType('buf', 'a Buffer or Uint8Array', buf);
  header = v.object(header, 'header');
  if (!Number.isInteger(offset) || offset < 0 || offset + VNET_HDR_LEN > buf.length)
    throw invalidValue('offset', offset, 'leaves no room for a 10-byte virtio_net_hdr', true);
  const codes: Record<string, number> = { none: 0, tcpv4: 1, udp: 3, tcpv6: 4, udp_l4: 5 };
  const type = header.gsoType === undefined ? 0 : typeof header.gsoType === 'number' ? v.integer(header.gsoType, 'header.gsoType', 0, 127) : v.lookup(codes, header.gsoType);
  if (type === undefined) throw invalidValue('header.gsoType', header.gsoType, 'is not a GSO type');
  // Every field is checked before the first byte is written: a bad one leaves buf as it was.
  const flags = v.integer(header.flags ?? 0, 'header.flags', 0, 255);
  const ecn = header.ecn === undefined ? false : v.bool(header.ecn, 'header.ecn');
  const hdrLen = v.integer(header.hdrLen ?? 0, 'header.hdrLen', 0, 65535);
  const gsoSize = v.integer(header.gsoSize ?? 0, 'header.gsoSize', 0, 65535);
  const csumStart = v.integer(header.csumStart ?? 0, 'header.csumStart', 0, 65535);
  const csumOffset = v.integer(header.csumOffset ?? 0, 'header.csumOffset', 0, 65535);
  const d = new DataView(buf.buffer, buf.byteOffset + offset, VNET_HDR_LEN);
  d.setUint8(0, flags);
  d.setUint8(1, type | (ecn ? 0x80 : 0));
  d.setUint16(2, hdrLen, true);
  d.setUint16(4, gsoSize, true);
  d.setUint16(6, csumStart, true);
  d.setUint16(8, csumOffset, true);
}
