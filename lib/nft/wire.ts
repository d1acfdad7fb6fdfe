/**
 * The nf_tables wire format: netlink messages on NETLINK_NETFILTER (an nlmsghdr, a nfgenmsg, then
 * attributes), written and read here with the constants of the uapi headers the addon was built
 * against (`k()`). nf_tables integers are big-endian (network order) in attributes; data values
 * are raw bytes in the order the kernel's registers hold them.
 * @internal
 */
import { k } from '../core/binding.js';

const NLA_F_NESTED = 0x8000;
const NLA_TYPE_MASK = 0x3fff;
const align4 = (n: number): number => (n + 3) & ~3;

/** No bytes (shared: never written). */
export const EMPTY = Buffer.alloc(0);

// Attributes are written into shared chunks: each message's attributes are a view of the chunk
// they were written in (10,000 rules are 10,000 views of a few chunks, not 10,000 buffers grown
// and copied). A chunk is never written again once full: the views keep it.
const CHUNK = 1 << 20;
let chunk = Buffer.allocUnsafe(CHUNK);
let chunkUsed = 0;
/** The writer the shared chunk's free space is lent to; another made meanwhile gets its own buffer. */
let active: object | null = null;

// The NUL-terminated UTF-8 of the strings attributes repeat (expression, table and chain names).
const strings = new Map<string, Buffer>();
function encoded(s: string): Buffer {
  let b = strings.get(s);
  if (b === undefined) {
    b = Buffer.from(`${s}\0`);
    if (strings.size < 1024) strings.set(s, b);
  }
  return b;
}

/** Builds one message's attributes (little-endian nlattr headers, big-endian integers). */
export class AttrWriter {
  private buf: Buffer;
  private start: number;
  private len = 0;
  private readonly open: number[] = [];
  private done = false;
  /** Who the shared chunk is lent to (compared with `active`). */
  private readonly token = {};
  /**
   * When set, where each value attr() writes lands (offset from the first attribute, length): a
   * rule template's slots (nft.ts ruleTemplate).
   */
  record: { at: number; len: number }[] | undefined;

  constructor() {
    if (active !== null) {
      this.buf = Buffer.allocUnsafe(256);
      this.start = 0;
      return;
    }
    if (chunk.length - chunkUsed < 4096) {
      chunk = Buffer.allocUnsafe(CHUNK);
      chunkUsed = 0;
    }
    active = this.token;
    this.buf = chunk;
    this.start = chunkUsed;
  }

  get length(): number {
    return this.len;
  }

  /** Room for n more bytes; moves what was written to a new chunk when this one is full. */
  private room(n: number): number {
    if (this.done) throw new Error('netdev: nf_tables attributes written after bytes()');
    const at = this.start + this.len;
    if (at + n <= this.buf.length) return at;
    const shared = active === this.token;
    const fresh = Buffer.allocUnsafe(Math.max(shared ? CHUNK : 256, (this.len + n) * 2));
    this.buf.copy(fresh, 0, this.start, at);
    this.start = 0;
    this.buf = fresh;
    // The shared chunk's borrower moves the chunk with it: the rest of the fresh one is lent next.
    if (shared) {
      chunk = fresh;
      chunkUsed = 0;
    }
    return this.len;
  }

  private head(type: number, payload: number): number {
    const total = 4 + payload;
    if (total > 0xffff) throw new RangeError(`netdev: an nf_tables attribute of ${total} bytes (at most 65535)`);
    const padded = align4(total);
    const at = this.room(padded);
    const b = this.buf;
    // Byte by byte (little-endian, as the kernel reads nlattr): no call per field.
    b[at] = total & 0xff;
    b[at + 1] = total >>> 8;
    b[at + 2] = type & 0xff;
    b[at + 3] = type >>> 8;
    for (let i = at + total; i < at + padded; i++) b[i] = 0;
    this.len += padded;
    return at + 4;
  }

  attr(type: number, value: Uint8Array): this {
    const at = this.head(type, value.length); // first: head() may move the message to a new buffer
    this.buf.set(value, at);
    this.record?.push({ at: at - this.start, len: value.length });
    return this;
  }

  str(type: number, s: string): this {
    const bytes = encoded(s);
    const at = this.head(type, bytes.length);
    this.buf.set(bytes, at);
    return this;
  }

  be32(type: number, v: number): this {
    const at = this.head(type, 4);
    const b = this.buf;
    b[at] = v >>> 24;
    b[at + 1] = (v >>> 16) & 0xff;
    b[at + 2] = (v >>> 8) & 0xff;
    b[at + 3] = v & 0xff;
    return this;
  }

  be64(type: number, v: bigint): this {
    const at = this.head(type, 8);
    this.buf.writeBigUInt64BE(v, at);
    return this;
  }

  /** Bytes already encoded as whole attributes (their length a multiple of 4), copied as they are. */
  raw(bytes: Uint8Array): this {
    const at = this.room(bytes.length);
    this.buf.set(bytes, at);
    this.len += bytes.length;
    return this;
  }

  begin(type: number): this {
    const at = this.room(4);
    this.open.push(this.len);
    const t = type | NLA_F_NESTED;
    this.buf[at + 2] = t & 0xff;
    this.buf[at + 3] = t >>> 8;
    this.len += 4;
    return this;
  }

  end(): this {
    const rel = this.open.pop();
    if (rel === undefined) throw new Error('netdev: nf_tables attribute nesting');
    const n = this.len - rel;
    if (n > 0xffff) throw new RangeError(`netdev: an nf_tables attribute of ${n} bytes (at most 65535)`);
    this.buf[this.start + rel] = n & 0xff;
    this.buf[this.start + rel + 1] = n >>> 8;
    return this;
  }

  /** Gives up the message (an error while writing it): the shared chunk is lent to the next writer. */
  abandon(): void {
    this.done = true;
    if (active === this.token) active = null;
  }

  /** The attributes written: a view of the chunk, which no later writer touches. */
  bytes(): Buffer {
    if (this.open.length) throw new Error('netdev: nf_tables attribute left open');
    if (!this.done) {
      this.done = true;
      if (active === this.token) {
        active = null;
        chunkUsed = align4(this.start + this.len);
      }
    }
    return this.buf.subarray(this.start, this.start + this.len);
  }
}

/** An nf_tables message: type NFT_MSG_* (or a batch's NFNL_MSG_*), flags, family and attributes. */
export interface NftMessage {
  /** NFT_MSG_x: the subsystem is added here. Batch delimiters pass `batch: true`. */
  type: number;
  batch?: boolean;
  flags: number;
  family: number;
  attrs: Buffer;
}

const NLMSG_HDRLEN = 16;
const NFGEN_LEN = 4;
/** Where a message's attributes begin, from its first byte (an extack offset counts from there). */
export const ATTRS_AT = NLMSG_HDRLEN + NFGEN_LEN;

/**
 * Messages that frame themselves back to back (a block of rules, nft.ts RuleBlock), straight into
 * the batch's buffer: 10,000 rules are not written into a buffer of their own first.
 */
export interface Framed {
  /** How many messages it writes. */
  count: number;
  /** How many bytes it writes (whole messages: a multiple of 4). */
  size: number;
  write(out: Buffer, at: number): void;
}

const isFramed = (m: NftMessage | Framed): m is Framed => Object.hasOwn(m, 'write');

// The buffer batches are framed in for the addon, which copies them before its call returns: one
// buffer serves them all (a fresh one for 10,000 rules is 1,200 page faults on the JS thread).
let scratch: Buffer | undefined;
const SCRATCH_KEPT = 8 << 20;
function scratchOf(size: number): Buffer {
  if (scratch !== undefined && scratch.length >= size) return scratch.subarray(0, size);
  const b = Buffer.allocUnsafeSlow(Math.max(size, 64 << 10));
  if (b.length <= SCRATCH_KEPT) scratch = b; // a larger one is used once (the kept one stays)
  return b.subarray(0, size);
}

/**
 * Frames messages back to back (seq and portid are the transport's). `transient`: into the shared
 * buffer, for a caller that hands it to the addon at once (which copies it), and keeps no view.
 */
export function frame(msgs: readonly (NftMessage | Framed)[], transient = false): Buffer {
  let size = 0;
  for (const m of msgs) size += isFramed(m) ? m.size : ATTRS_AT + m.attrs.length; // attributes are padded: sizes stay aligned
  // Every byte is written below (headers and attributes): no need to zero it first.
  const out = transient ? scratchOf(size) : Buffer.allocUnsafe(size);
  const subsys = k('NFNL_SUBSYS_NFTABLES');
  const version = k('NFNETLINK_V0');
  let o = 0;
  for (const m of msgs) {
    if (isFramed(m)) {
      m.write(out, o);
      o += m.size;
      continue;
    }
    const len = ATTRS_AT + m.attrs.length;
    out.writeUInt32LE(len, o);
    out.writeUInt16LE(m.batch ? m.type : (subsys << 8) | m.type, o + 4);
    out.writeUInt16LE(m.flags, o + 6);
    out.fill(0, o + 8, o + 16); // seq and port id: the transport's
    out[o + 16] = m.family;
    out[o + 17] = version;
    // res_id: the batch's subsystem on its delimiters, 0 otherwise (big-endian).
    out.writeUInt16BE(m.batch ? subsys : 0, o + 18);
    out.set(m.attrs, o + ATTRS_AT);
    o += len;
  }
  return out;
}

/** BATCH_BEGIN (with the generation it is valid for, when given) … BATCH_END around msgs. */
export function batch<M extends NftMessage | Framed>(msgs: readonly M[], genid?: number): (M | NftMessage)[] {
  const begin = new AttrWriter();
  if (genid !== undefined) begin.be32(k('NFNL_BATCH_GENID'), genid);
  return [
    { type: k('NFNL_MSG_BATCH_BEGIN'), batch: true, flags: 0, family: k('AF_UNSPEC'), attrs: begin.bytes() },
    ...msgs,
    { type: k('NFNL_MSG_BATCH_END'), batch: true, flags: 0, family: k('AF_UNSPEC'), attrs: EMPTY },
  ];
}

/** One attribute read back: its type (flags masked off) and value. */
export interface Attr {
  type: number;
  value: Buffer;
}

/** The attributes of a buffer (a message's, or a nest's value). */
export function attrs(b: Buffer): Attr[] {
  const out: Attr[] = [];
  let o = 0;
  while (o + 4 <= b.length) {
    const len = b.readUInt16LE(o);
    if (len < 4 || o + len > b.length) break;
    out.push({ type: b.readUInt16LE(o + 2) & NLA_TYPE_MASK, value: b.subarray(o + 4, o + len) });
    o += align4(len);
  }
  return out;
}

/** The attributes by type (the last of a type wins). */
export function attrMap(b: Buffer): Map<number, Buffer> {
  return new Map(attrs(b).map((a) => [a.type, a.value]));
}

/** A NUL-terminated string attribute's text. */
export function text(b: Buffer | undefined): string | undefined {
  if (b === undefined) return undefined;
  const z = b.indexOf(0);
  return b.toString('utf8', 0, z < 0 ? b.length : z);
}

export const be32 = (b: Buffer | undefined): number | undefined => (b && b.length >= 4 ? b.readUInt32BE(0) : undefined);
export const be64 = (b: Buffer | undefined): bigint | undefined => (b && b.length >= 8 ? b.readBigUInt64BE(0) : undefined);

/** One received message: its NFT_MSG_* type (subsystem removed), family and attributes. */
export interface Received {
  type: number;
  family: number;
  attrs: Buffer;
}

/** Splits reply bytes (whole messages back to back) into nf_tables messages. */
export function messages(b: Buffer): Received[] {
  const out: Received[] = [];
  let o = 0;
  while (o + ATTRS_AT <= b.length) {
    const len = b.readUInt32LE(o);
    if (len < NLMSG_HDRLEN || o + len > b.length) break;
    if (len >= ATTRS_AT) out.push({ type: b.readUInt16LE(o + 4) & 0xff, family: b[o + 16]!, attrs: b.subarray(o + ATTRS_AT, o + len) });
    o += align4(len);
  }
  return out;
}
