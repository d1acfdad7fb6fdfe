/**
 * nf_tables expressions: what a router's rules are made of, as the kernel's expression types
 * (meta, payload, cmp, bitwise, ct, immediate, nat, masq, redir, counter, reject), encoded into a
 * rule's NFTA_RULE_EXPRESSIONS list and decoded back from a dump.
 * @internal
 */
import { k } from '../core/binding.js';
import { AttrWriter, EMPTY, attrMap, attrs, be32, be64, text } from './wire.js';

/** One expression, as encoded or as read back. */
export type Expr =
  | { type: 'meta'; key: 'iifname' | 'oifname' | 'nfproto' | 'l4proto'; dreg: number }
  | { type: 'payload'; base: 'network' | 'transport'; offset: number; len: number; dreg: number }
  | { type: 'cmp'; op: 'eq' | 'neq' | 'lt' | 'lte' | 'gt' | 'gte'; sreg: number; data: Buffer }
  | { type: 'range'; op: 'eq' | 'neq'; sreg: number; from: Buffer; to: Buffer }
  | { type: 'bitwise'; sreg: number; dreg: number; len: number; mask: Buffer; xor: Buffer }
  | { type: 'ct'; key: 'state'; dreg: number }
  | { type: 'immediate'; dreg: number; data: Buffer }
  | { type: 'verdict'; verdict: 'accept' | 'drop' | 'return' | 'jump' | 'goto'; chain?: string }
  | { type: 'nat'; nat: 'snat' | 'dnat'; family: 4 | 6; addrMin?: number; addrMax?: number; protoMin?: number; protoMax?: number; flags: number }
  | { type: 'masq'; flags: number; protoMin?: number; protoMax?: number }
  | { type: 'redir'; flags: number; protoMin?: number; protoMax?: number }
  | { type: 'counter'; packets: bigint; bytes: bigint }
  | { type: 'reject'; kind: 'icmpx' | 'tcp-rst' | 'icmp'; code: number }
  | { type: 'other'; name: string };

/** The attribute types every expression writes, read from the addon once. */
let common: { elem: number; name: number; data: number; value: number; reg1: number; reg2: number } | undefined;
const C = (): NonNullable<typeof common> =>
  (common ??= { elem: k('NFTA_LIST_ELEM'), name: k('NFTA_EXPR_NAME'), data: k('NFTA_EXPR_DATA'), value: k('NFTA_DATA_VALUE'), reg1: k('NFT_REG_1'), reg2: k('NFT_REG_2') });

/** The registers (NFT_REG_1 / NFT_REG_2: 16-byte registers, as nft uses them). */
export const REG1 = (): number => C().reg1;
export const REG2 = (): number => C().reg2;

const META_KEYS = { iifname: 'NFT_META_IIFNAME', oifname: 'NFT_META_OIFNAME', nfproto: 'NFT_META_NFPROTO', l4proto: 'NFT_META_L4PROTO' } as const;
const CMP_OPS = { eq: 'NFT_CMP_EQ', neq: 'NFT_CMP_NEQ', lt: 'NFT_CMP_LT', lte: 'NFT_CMP_LTE', gt: 'NFT_CMP_GT', gte: 'NFT_CMP_GTE' } as const;
const RANGE_OPS = { eq: 'NFT_RANGE_EQ', neq: 'NFT_RANGE_NEQ' } as const;
const BASES = { network: 'NFT_PAYLOAD_NETWORK_HEADER', transport: 'NFT_PAYLOAD_TRANSPORT_HEADER' } as const;
const VERDICTS = { accept: 'NF_ACCEPT', drop: 'NF_DROP', return: 'NFT_RETURN', jump: 'NFT_JUMP', goto: 'NFT_GOTO' } as const;

function reverse<T extends string>(table: Record<T, Parameters<typeof k>[0]>): Map<number, T> {
  return new Map((Object.entries(table) as [T, Parameters<typeof k>[0]][]).map(([n, c]) => [k(c), n]));
}

/** NFTA_DATA_VALUE or NFTA_DATA_VERDICT inside a nest of type `type`. */
function data(w: AttrWriter, type: number, value: Buffer): void {
  w.begin(type).attr(C().value, value).end();
}

// Expressions shared by many rules (the matches every port forward repeats) are encoded once: a
// rule of thousands then copies their bytes instead of writing them attribute by attribute.
const encodedOnce = new WeakMap<Expr, Buffer>();

/**
 * Marks an expression as shared and never changed (it is frozen): writeExpr copies the bytes it
 * encodes to now.
 */
export function shared<T extends Expr>(e: T): T {
  const w = new AttrWriter();
  try {
    encode(w, e);
  } catch (err) {
    w.abandon();
    throw err;
  }
  Object.freeze(e);
  encodedOnce.set(e, Buffer.from(w.bytes())); // its own copy: not a view of a chunk
  return e;
}

/** Writes one expression's list element (NFTA_LIST_ELEM { NAME, DATA }). */
export function writeExpr(w: AttrWriter, e: Expr): void {
  const once = encodedOnce.get(e);
  if (once !== undefined) w.raw(once);
  else encode(w, e);
}

function encode(w: AttrWriter, e: Expr): void {
  const c = C();
  w.begin(c.elem);
  w.str(c.name, e.type === 'verdict' ? 'immediate' : e.type);
  w.begin(c.data);
  switch (e.type) {
    case 'meta':
      w.be32(k('NFTA_META_KEY'), k(META_KEYS[e.key])).be32(k('NFTA_META_DREG'), e.dreg);
      break;
    case 'payload':
      w.be32(k('NFTA_PAYLOAD_DREG'), e.dreg).be32(k('NFTA_PAYLOAD_BASE'), k(BASES[e.base]));
      w.be32(k('NFTA_PAYLOAD_OFFSET'), e.offset).be32(k('NFTA_PAYLOAD_LEN'), e.len);
      break;
    case 'cmp':
      w.be32(k('NFTA_CMP_SREG'), e.sreg).be32(k('NFTA_CMP_OP'), k(CMP_OPS[e.op]));
      data(w, k('NFTA_CMP_DATA'), e.data);
      break;
    case 'range':
      w.be32(k('NFTA_RANGE_SREG'), e.sreg).be32(k('NFTA_RANGE_OP'), k(RANGE_OPS[e.op]));
      data(w, k('NFTA_RANGE_FROM_DATA'), e.from);
      data(w, k('NFTA_RANGE_TO_DATA'), e.to);
      break;
    case 'bitwise':
      w.be32(k('NFTA_BITWISE_SREG'), e.sreg).be32(k('NFTA_BITWISE_DREG'), e.dreg).be32(k('NFTA_BITWISE_LEN'), e.len);
      data(w, k('NFTA_BITWISE_MASK'), e.mask);
      data(w, k('NFTA_BITWISE_XOR'), e.xor);
      break;
    case 'ct':
      w.be32(k('NFTA_CT_KEY'), k('NFT_CT_STATE')).be32(k('NFTA_CT_DREG'), e.dreg);
      break;
    case 'immediate':
      w.be32(k('NFTA_IMMEDIATE_DREG'), e.dreg);
      data(w, k('NFTA_IMMEDIATE_DATA'), e.data);
      break;
    case 'verdict':
      w.be32(k('NFTA_IMMEDIATE_DREG'), k('NFT_REG_VERDICT'));
      w.begin(k('NFTA_IMMEDIATE_DATA')).begin(k('NFTA_DATA_VERDICT'));
      w.be32(k('NFTA_VERDICT_CODE'), k(VERDICTS[e.verdict]));
      if (e.chain !== undefined) w.str(k('NFTA_VERDICT_CHAIN'), e.chain);
      w.end().end();
      break;
    case 'nat':
      w.be32(k('NFTA_NAT_TYPE'), k(e.nat === 'snat' ? 'NFT_NAT_SNAT' : 'NFT_NAT_DNAT'));
      w.be32(k('NFTA_NAT_FAMILY'), k(e.family === 4 ? 'NFPROTO_IPV4' : 'NFPROTO_IPV6'));
      if (e.addrMin !== undefined) w.be32(k('NFTA_NAT_REG_ADDR_MIN'), e.addrMin);
      if (e.addrMax !== undefined) w.be32(k('NFTA_NAT_REG_ADDR_MAX'), e.addrMax);
      if (e.protoMin !== undefined) w.be32(k('NFTA_NAT_REG_PROTO_MIN'), e.protoMin);
      if (e.protoMax !== undefined) w.be32(k('NFTA_NAT_REG_PROTO_MAX'), e.protoMax);
      if (e.flags) w.be32(k('NFTA_NAT_FLAGS'), e.flags);
      break;
    case 'masq':
    case 'redir': {
      const [flags, min, max] =
        e.type === 'masq'
          ? (['NFTA_MASQ_FLAGS', 'NFTA_MASQ_REG_PROTO_MIN', 'NFTA_MASQ_REG_PROTO_MAX'] as const)
          : (['NFTA_REDIR_FLAGS', 'NFTA_REDIR_REG_PROTO_MIN', 'NFTA_REDIR_REG_PROTO_MAX'] as const);
      if (e.protoMin !== undefined) w.be32(k(min), e.protoMin);
      if (e.protoMax !== undefined) w.be32(k(max), e.protoMax);
      if (e.flags) w.be32(k(flags), e.flags);
      break;
    }
    case 'counter':
      // A new counter starts at zero: nft sends no attribute for it, and neither does netdev.
      if (e.bytes !== 0n || e.packets !== 0n) w.be64(k('NFTA_COUNTER_BYTES'), e.bytes).be64(k('NFTA_COUNTER_PACKETS'), e.packets);
      break;
    case 'reject':
      w.be32(k('NFTA_REJECT_TYPE'), k(e.kind === 'tcp-rst' ? 'NFT_REJECT_TCP_RST' : e.kind === 'icmpx' ? 'NFT_REJECT_ICMPX_UNREACH' : 'NFT_REJECT_ICMP_UNREACH'));
      if (e.kind !== 'tcp-rst') w.attr(k('NFTA_REJECT_ICMP_CODE'), Buffer.from([e.code]));
      break;
    case 'other':
      throw new Error(`netdev: cannot encode the nf_tables expression ${e.name}`);
  }
  w.end().end();
}

/** Reads one NFTA_LIST_ELEM back. */
export function readExpr(elem: Buffer): Expr {
  const top = attrMap(elem);
  const name = text(top.get(k('NFTA_EXPR_NAME'))) ?? '';
  const d = attrMap(top.get(k('NFTA_EXPR_DATA')) ?? EMPTY);
  const u = (c: Parameters<typeof k>[0]): number | undefined => be32(d.get(k(c)));
  const value = (c: Parameters<typeof k>[0]): Buffer => attrMap(d.get(k(c)) ?? EMPTY).get(k('NFTA_DATA_VALUE')) ?? EMPTY;
  switch (name) {
    case 'meta': {
      const key = reverse(META_KEYS).get(u('NFTA_META_KEY') ?? -1);
      return key ? { type: 'meta', key, dreg: u('NFTA_META_DREG') ?? 0 } : { type: 'other', name };
    }
    case 'payload': {
      const base = reverse(BASES).get(u('NFTA_PAYLOAD_BASE') ?? -1);
      if (!base || u('NFTA_PAYLOAD_DREG') === undefined) return { type: 'other', name };
      return { type: 'payload', base, offset: u('NFTA_PAYLOAD_OFFSET') ?? 0, len: u('NFTA_PAYLOAD_LEN') ?? 0, dreg: u('NFTA_PAYLOAD_DREG') ?? 0 };
    }
    case 'cmp': {
      const op = reverse(CMP_OPS).get(u('NFTA_CMP_OP') ?? -1);
      return op ? { type: 'cmp', op, sreg: u('NFTA_CMP_SREG') ?? 0, data: value('NFTA_CMP_DATA') } : { type: 'other', name };
    }
    case 'range': {
      const op = reverse(RANGE_OPS).get(u('NFTA_RANGE_OP') ?? -1);
      return op ? { type: 'range', op, sreg: u('NFTA_RANGE_SREG') ?? 0, from: value('NFTA_RANGE_FROM_DATA'), to: value('NFTA_RANGE_TO_DATA') } : { type: 'other', name };
    }
    case 'bitwise':
      return {
        type: 'bitwise', sreg: u('NFTA_BITWISE_SREG') ?? 0, dreg: u('NFTA_BITWISE_DREG') ?? 0, len: u('NFTA_BITWISE_LEN') ?? 0,
        mask: value('NFTA_BITWISE_MASK'), xor: value('NFTA_BITWISE_XOR'),
      };
    case 'ct':
      return u('NFTA_CT_KEY') === k('NFT_CT_STATE') && u('NFTA_CT_DREG') !== undefined ? { type: 'ct', key: 'state', dreg: u('NFTA_CT_DREG') ?? 0 } : { type: 'other', name };
    case 'immediate': {
      const dreg = u('NFTA_IMMEDIATE_DREG') ?? 0;
      const imm = attrMap(d.get(k('NFTA_IMMEDIATE_DATA')) ?? EMPTY);
      if (dreg !== k('NFT_REG_VERDICT')) return { type: 'immediate', dreg, data: imm.get(k('NFTA_DATA_VALUE')) ?? EMPTY };
      const v = attrMap(imm.get(k('NFTA_DATA_VERDICT')) ?? EMPTY);
      const code = v.get(k('NFTA_VERDICT_CODE'));
      const verdict = reverse(VERDICTS).get(code && code.length >= 4 ? code.readInt32BE(0) : -999);
      if (!verdict) return { type: 'other', name };
      const chain = text(v.get(k('NFTA_VERDICT_CHAIN')));
      return chain === undefined ? { type: 'verdict', verdict } : { type: 'verdict', verdict, chain };
    }
    case 'nat': {
      const e: Extract<Expr, { type: 'nat' }> = {
        type: 'nat', nat: u('NFTA_NAT_TYPE') === k('NFT_NAT_SNAT') ? 'snat' : 'dnat', family: u('NFTA_NAT_FAMILY') === k('NFPROTO_IPV6') ? 6 : 4,
        flags: u('NFTA_NAT_FLAGS') ?? 0,
      };
      const set = (key: 'addrMin' | 'addrMax' | 'protoMin' | 'protoMax', c: Parameters<typeof k>[0]): void => {
        const x = u(c);
        if (x !== undefined) e[key] = x;
      };
      set('addrMin', 'NFTA_NAT_REG_ADDR_MIN');
      set('addrMax', 'NFTA_NAT_REG_ADDR_MAX');
      set('protoMin', 'NFTA_NAT_REG_PROTO_MIN');
      set('protoMax', 'NFTA_NAT_REG_PROTO_MAX');
      return e;
    }
    case 'masq':
    case 'redir': {
      const m = name === 'masq';
      const e: Extract<Expr, { type: 'masq' | 'redir' }> = { type: m ? 'masq' : 'redir', flags: u(m ? 'NFTA_MASQ_FLAGS' : 'NFTA_REDIR_FLAGS') ?? 0 };
      const min = u(m ? 'NFTA_MASQ_REG_PROTO_MIN' : 'NFTA_REDIR_REG_PROTO_MIN');
      const max = u(m ? 'NFTA_MASQ_REG_PROTO_MAX' : 'NFTA_REDIR_REG_PROTO_MAX');
      if (min !== undefined) e.protoMin = min;
      if (max !== undefined) e.protoMax = max;
      return e;
    }
    case 'counter':
      return { type: 'counter', packets: be64(d.get(k('NFTA_COUNTER_PACKETS'))) ?? 0n, bytes: be64(d.get(k('NFTA_COUNTER_BYTES'))) ?? 0n };
    case 'reject': {
      const t = u('NFTA_REJECT_TYPE');
      const code = d.get(k('NFTA_REJECT_ICMP_CODE'))?.[0] ?? 0;
      return { type: 'reject', kind: t === k('NFT_REJECT_TCP_RST') ? 'tcp-rst' : t === k('NFT_REJECT_ICMPX_UNREACH') ? 'icmpx' : 'icmp', code };
    }
    default:
      return { type: 'other', name };
  }
}

/** The expressions of a rule's NFTA_RULE_EXPRESSIONS value. */
export function readExprs(list: Buffer): Expr[] {
  return attrs(list)
    .filter((a) => a.type === k('NFTA_LIST_ELEM'))
    .map((a) => readExpr(a.value));
}
