/**
 * Packets laid out in one buffer: the {@link PacketList} shape that devices write and the GSO
 * helpers fill, its one-read check for lists a caller hands in, the {@link PacketBatch} a device
 * hands its handler (a view of a queue's receive buffer), and the growable output list that
 * {@link GsoSplitter} and {@link TcpCoalescer} reuse (no allocation per packet once it has grown
 * to the largest batch seen).
 */
import type { NativePacketQueue } from '../core/binding.js';
import { invalidType, invalidValue } from '../core/errors.js';

/** Packets laid out in one buffer (what {@link TunDevice.writeBatch} writes). */
export interface PacketList {
  readonly count: number;
  readonly buffer: Buffer;
  readonly offsets: Int32Array;
  readonly lengths: Int32Array;
}

/**
 * Reads a caller's PacketList once and checks that snapshot: the right array types, `count`
 * within them, every packet inside the buffer and `minLength` to `maxLength` bytes long. Use the
 * returned values only: a getter may answer differently the next time it is read. @internal
 */
export function readPacketList(list: PacketList, arg: string, minLength = 0, maxLength = Infinity): PacketList {
  if (typeof list !== 'object' || list === null) throw invalidType(arg, 'a PacketList (count, buffer: Buffer, offsets/lengths: Int32Array)', list);
  const { count, buffer, offsets, lengths } = list;
  if (!(buffer instanceof Uint8Array) || !(offsets instanceof Int32Array) || !(lengths instanceof Int32Array))
    throw invalidType(arg, 'a PacketList (count, buffer: Buffer, offsets/lengths: Int32Array)', list);
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0 || count > offsets.length || count > lengths.length)
    throw invalidValue(`${arg}.count`, count, 'exceeds its offsets/lengths', true);
  for (let i = 0; i < count; i++) {
    const o = offsets[i]!;
    const l = lengths[i]!;
    if (o < 0 || l < minLength || l > maxLength || o + l > buffer.length)
      throw invalidValue(`${arg} packet ${i}`, `${o}+${l}`, `must be ${minLength} to ${maxLength} bytes inside the buffer`, true);
  }
  return { count, buffer, offsets, lengths };
}

/** One batch of packets. Valid only during the handler call: the buffer is reused afterwards. */
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

export class Batch implements PacketBatch {
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

/** A growable output area of packets. */
export class Output implements PacketList {
  count = 0;
  buffer: Buffer;
  offsets: Int32Array;
  lengths: Int32Array;
  protected used = 0;
  constructor(bytes: number, packets: number) {
    this.buffer = Buffer.alloc(bytes);
    this.offsets = new Int32Array(packets);
    this.lengths = new Int32Array(packets);
  }
  /** A zero-copy view of packet i (valid until the next call that refills this object). */
  packet(i: number): Buffer {
    if (!Number.isInteger(i) || i < 0 || i >= this.count) throw invalidValue('i', i, `must be an index below ${this.count}`, true);
    return this.buffer.subarray(this.offsets[i], this.offsets[i]! + this.lengths[i]!);
  }
  protected reset(bytes: number, packets: number): void {
    this.count = 0;
    this.used = 0;
    if (this.buffer.length < bytes) this.buffer = Buffer.alloc(Math.max(bytes, this.buffer.length * 2));
    if (this.offsets.length < packets) {
      const n = Math.max(packets, this.offsets.length * 2);
      this.offsets = new Int32Array(n);
      this.lengths = new Int32Array(n);
    }
  }
  /** Reserves `len` bytes for the next packet; returns its offset. */
  protected add(len: number): number {
    const o = this.used;
    this.offsets[this.count] = o;
    this.lengths[this.count] = len;
    this.count++;
    this.used += len;
    return o;
  }
}
