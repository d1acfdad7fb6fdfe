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

/**
 * Builds one message's attributes. Records where each attribute starts, so that an extended-ack
 * offset from the kernel can be mapped back to the part of the request it points into.
 */
export class AttrWriter {
  private buf = Buffer.allocUnsafe(256);
  private len = 0;
  private readonly open: number[] = [];

  get length(): number {
    return this.len;
  }

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const b = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(b, 0, 0, this.len);
    this.buf = b;
  }

  /** Raw bytes (already in wire form), unpadded. */
  raw(bytes: Uint8Array): this {
    this.room(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
    return this;
  }

  attr(type: number, value: Uint8Array): this {
    const total = 4 + value.length;
    this.room(align4(total));
    this.buf.writeUInt16LE(total, this.len);
    this.buf.writeUInt16LE(type, this.len + 2);
    this.buf.set(value, this.len + 4);
    this.buf.fill(0, this.len + total, this.len + align4(total));
    this.len += align4(total);
    return this;
  }

  str(type: number, s: string): this {
    return this.attr(type, Buffer.from(`${s}\0`));
  }

  be32(type: number, v: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(v >>> 0);
    return this.attr(type, b);
  }

  be64(type: number, v: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(v);
    return this.attr(type, b);
  }

  begin(type: number): this {
    this.room(4);
    this.open.push(this.len);
    this.buf.writeUInt16LE(type | NLA_F_NESTED, this.len + 2);
    this.len += 4;
    return this;
  }

  end(): this {
    const at = this.open.pop();
    if (at === undefined) throw new Error('netdev: nf_tables attribute nesting');
    this.buf.writeUInt16LE(this.len - at, at);
    return this;
  }

  bytes(): Buffer {
    if (this.open.length) throw new Error('netdev: nf_tables attribute left open');
    return this.buf.subarray(0, this.len);
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

/** Frames messages back to back (seq and portid are the transport's). */
export function frame(msgs: readonly NftMessage[]): Buffer {
  const size = msgs.reduce((n, m) => n + align4(ATTRS_AT + m.attrs.length), 0);
  const out = Buffer.alloc(size);
  let o = 0;
  const subsys = k('NFNL_SUBSYS_NFTABLES');
  for (const m of msgs) {
    const len = ATTRS_AT + m.attrs.length;
    out.writeUInt32LE(len, o);
    out.writeUInt16LE(m.batch ? m.type : (subsys << 8) | m.type, o + 4);
    out.writeUInt16LE(m.flags, o + 6);
    out[o + 16] = m.family;
    out[o + 17] = k('NFNETLINK_V0');
    // res_id: the batch's subsystem on its delimiters, 0 otherwise (big-endian).
    out.writeUInt16BE(m.batch ? subsys : 0, o + 18);
    out.set(m.attrs, o + ATTRS_AT);
    o += align4(len);
  }
  return out;
}

/** BATCH_BEGIN (with the generation it is valid for, when given) … BATCH_END around msgs. */
export function batch(msgs: readonly NftMessage[], genid?: number): NftMessage[] {
  const begin = new AttrWriter();
  if (genid !== undefined) begin.be32(k('NFNL_BATCH_GENID'), genid);
  return [
    { type: k('NFNL_MSG_BATCH_BEGIN'), batch: true, flags: 0, family: k('AF_UNSPEC'), attrs: begin.bytes() },
    ...msgs,
    { type: k('NFNL_MSG_BATCH_END'), batch: true, flags: 0, family: k('AF_UNSPEC'), attrs: Buffer.alloc(0) },
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
