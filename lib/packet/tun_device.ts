/**
 * TUN/TAP devices and their packet I/O. Reading is event-driven and batched: a wakeup drains
 * up to `maxBatch` packets into one reusable buffer and makes one call to your handler with a
 * {@link PacketBatch} (zero-copy views, no allocation per packet on the batch path). Writes are one
 * packet per write(); when the kernel's queue is full the write waits for writability (never
 * spins) and the device emits `'drain'`.
 */
import { EventEmitter } from 'node:events';
import { Duplex } from 'node:stream';
import { binding, type NativePacketQueue } from '../core/binding.js';
import { NetdevError, illegalConstructor, invalidType, invalidValue, nativeSync } from '../core/errors.js';
import { Batch, readPacketList, type PacketBatch, type PacketList } from './packet_list.js';
import * as v from '../core/validate.js';

interface PendingWrite {
  data: Uint8Array;
  resolve: () => void;
  reject: (e: unknown) => void;
}

export const MAX_PACKET = 65536 + 64;

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
   * The fast path: `handler(batch)` runs once per batch per queue (up to `maxBatch` packets or
   * `batchBytes`); a wakeup that finds more hands over up to 8 batches, each after the handler
   * returned from the one before. The batch is valid until the handler returns. Replaces any
   * previous handler and starts reading.
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

/** The one way to make a TunDevice (its constructor refuses to run otherwise): what tun.ts opens devices with. */
export function makeTunDevice(...args: ConstructorParameters<typeof TunDevice>): TunDevice {
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
