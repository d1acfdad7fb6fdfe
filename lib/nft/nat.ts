/**
 * NAT and forwarding for a router namespace, as the tutorials' verbs (masquerade, SNAT, DNAT /
 * port forwards, a forward policy), over nf_tables netlink: no `nft` or `iptables` binary. netdev
 * keeps its rules in one `inet` table of its own (`netdev_nat` unless named) and never touches
 * another table.
 */
import { k, type NativeNs } from '../core/binding.js';
import { NetdevError, invalidType, invalidValue } from '../core/errors.js';
import * as v from '../core/validate.js';
import { inNetns, type NetnsOption } from '../netns/netns.js';
import { ipBytes, ipText, maskLength, network, prefixMask, writeIp } from './addr.js';
import { REG1, REG2, shared as once, type Expr } from './expr.js';
import {
  apply, delRule, delTable, echoedRules, generation, listChains, listRules, listTables, newChain, newRule, newTable, ownerPortid, releaseOwner, ruleTemplate,
  type BatchPart, type ChainSpec, type Part, type RuleBlock, type RuleInfo, type RuleTemplate, type TableInfo,
} from './nft.js';
import { frame } from './wire.js';

/** `masquerade`: rewrite the source of packets leaving through `outInterface` to its address. */
export interface MasqueradeRule {
  /** The interface packets leave through (`-o`, `oifname`). */
  outInterface: string;
  /** Only packets from this prefix (`-s 10.0.0.0/8`, `ip saddr`). */
  source?: string;
}

/** `SNAT --to-source`: rewrite the source to a fixed address. */
export interface SnatRule {
  /** Only packets from this prefix (`-s`). */
  source?: string;
  /** Only packets leaving through this interface (`-o`). */
  outInterface?: string;
  /** The address sources are rewritten to (of the family of `source`). */
  toSource: string;
}

/** `DNAT --to-destination`: rewrite the destination (a floating IP, a port forward). */
export interface DnatRule {
  /** Only packets to this prefix (`-d 192.168.0.106`). */
  destination?: string;
  /** Only packets arriving through this interface (`-i`). */
  inInterface?: string;
  /** The transport protocol; required with `port` or `toPort`. */
  protocol?: 'tcp' | 'udp';
  /** Only packets to this port, or this range of ports, first and last included (`--dport 8000:8100`). */
  port?: number | [number, number];
  /** The address destinations are rewritten to. */
  toDestination: string;
  /** The port destinations are rewritten to (`--to-destination A:PORT`). */
  toPort?: number;
}

/** One `allow` entry of a forward policy: forwarded packets it accepts. */
export interface ForwardAllow {
  inInterface?: string;
  outInterface?: string;
}

/** The forward chain (`iptables -P FORWARD DROP` and its `-A FORWARD … -j ACCEPT` rules). */
export interface ForwardPolicy {
  /** What happens to a forwarded packet no rule accepted. */
  policy: 'accept' | 'drop';
  /** Accept packets of established or related connections (`ct state established,related accept`). */
  allowEstablished?: boolean;
  allow?: ForwardAllow[];
}

/** What {@link configureNat} applies. */
export interface NatConfig extends NetnsOption {
  /** netdev's table (an `inet` table); default `netdev_nat`. */
  table?: string;
  masquerade?: MasqueradeRule[];
  snat?: SnatRule[];
  dnat?: DnatRule[];
  forward?: ForwardPolicy;
  /**
   * Bind the table to this process (NFT_TABLE_F_OWNER, Linux 5.12+): the kernel deletes it when
   * the process (or the worker thread) ends, however it ends.
   */
  owner?: boolean;
}

/** A rule as {@link listNat} reads it back: its handle and counters. */
export interface RuleState {
  /** The kernel's handle of the rule (what {@link deletePortForward} takes). */
  handle: number;
  packets: number;
  bytes: number;
}

/** What {@link listNat} returns. */
export interface NatState {
  table: string;
  /** Whether the table exists. */
  exists: boolean;
  /** Whether the table is bound to its creator's socket (`owner`). */
  owner: boolean;
  masquerade: (MasqueradeRule & RuleState)[];
  snat: (SnatRule & RuleState)[];
  dnat: (DnatRule & RuleState)[];
  forward?: ForwardPolicy;
  /** Rules of netdev's table that are none of the above (written by something else): their handles. */
  unrecognized: number[];
}

const DEFAULT_TABLE = 'netdev_nat';
const MAX_RULES = 65_536; // as many as any list in an argument (core/validate.ts)
// nft keywords a table must not be named (its listing could not be read back by nft -f).
const RESERVED = new Set(['netdev', 'ip', 'ip6', 'inet', 'arp', 'bridge', 'table', 'chain', 'rule', 'set', 'map', 'flowtable', 'element', 'counter', 'quota', 'ct', 'meta']);

function tableName(value: unknown, arg: string): string {
  if (value === undefined) return DEFAULT_TABLE;
  if (typeof value !== 'string') throw invalidType(arg, 'of type string', value);
  if (!/^[A-Za-z][A-Za-z0-9_-]{0,62}$/.test(value))
    throw invalidValue(arg, value, 'must be 1-63 letters, digits, "_" or "-", starting with a letter');
  if (RESERVED.has(value)) throw invalidValue(arg, value, 'is an nft keyword (nft could not read its own listing of it back)');
  return value;
}

const CHAINS: Record<'prerouting' | 'postrouting' | 'forward', ChainSpec> = {
  prerouting: { name: 'prerouting', type: 'nat', hook: 'prerouting', priority: -100 },
  postrouting: { name: 'postrouting', type: 'nat', hook: 'postrouting', priority: 100 },
  forward: { name: 'forward', type: 'filter', hook: 'forward', priority: 0 },
};

// --- validation -------------------------------------------------------------------------------

type Prefix = { family: 4 | 6; address: string; prefixLength: number };

/** The family of a validated IP literal. */
const familyOf = (address: string): 4 | 6 => (address.includes(':') ? 6 : 4);
/** A validated address as listNat writes it (`2001:DB8:0::1` is `2001:db8::1`). */
const ipCanonical = (address: string): string => (familyOf(address) === 4 ? address : ipText(ipBytes(address))); // net.isIPv4 takes canonical quads only
/** A prefix as listNat writes it: its network address (`10.0.0.1/8` is `10.0.0.0/8`). */
const prefixCanonical = (p: Prefix): string => `${ipText(network(ipBytes(p.address), p.prefixLength))}/${p.prefixLength}`;

function prefix(value: unknown, arg: string): Prefix {
  const c = v.cidr(value, arg);
  return { family: c.family, address: c.address, prefixLength: c.prefixLength };
}

/**
 * The entries of a list in an options snapshot (already copied by v.options: not copied again),
 * each checked by `of` (which also refuses keys it does not know).
 */
function entries<T>(value: unknown, arg: string, of: (o: Record<string, unknown>, arg: string) => T): T[] {
  if (value === undefined) return [];
  return v.array(value, arg, MAX_RULES, 'rules').map((e, i) => {
    // A snapshot's objects have no prototype; anything else (a class instance) was not copied.
    if (typeof e !== 'object' || e === null || Object.getPrototypeOf(e) !== null) throw invalidType(`${arg}[${i}]`, 'a plain object', e);
    return of(e as Record<string, unknown>, `${arg}[${i}]`);
  });
}

const MASQUERADE_KEYS = ['outInterface', 'source'];
const SNAT_KEYS = ['source', 'outInterface', 'toSource'];
const DNAT_KEYS = ['destination', 'inInterface', 'protocol', 'port', 'toDestination', 'toPort'] as const;
const ALLOW_KEYS = ['inInterface', 'outInterface'];

/** The DNAT fields of a verb's options. */
function dnatFields(options: object): Record<string, unknown> {
  const o = options as Record<string, unknown>;
  return Object.fromEntries(DNAT_KEYS.filter((key) => o[key] !== undefined).map((key) => [key, o[key]]));
}

function opt<T>(o: Record<string, unknown>, key: string, check: (x: unknown, arg: string) => T, arg: string): T | undefined {
  return o[key] === undefined ? undefined : check(o[key], `${arg}.${key}`);
}

const protocolOf = (x: unknown, arg: string): 'tcp' | 'udp' => {
  if (x !== 'tcp' && x !== 'udp') throw invalidValue(arg, x, "must be 'tcp' or 'udp'");
  return x;
};
const portOf = (x: unknown, arg: string): number => v.integer(x, arg, 1, 65535);
/** A port, or [first, last] (first < last): the range nft writes as `dport 8000-8100`. */
const portMatchOf = (x: unknown, arg: string): number | [number, number] => {
  if (!Array.isArray(x)) return portOf(x, arg);
  if (x.length !== 2) throw invalidValue(arg, x, 'must be a port or [first, last]');
  const first = portOf(x[0], `${arg}[0]`);
  const last = portOf(x[1], `${arg}[1]`);
  if (first >= last) throw invalidValue(arg, x, 'must have its first port below its last (a single port is a number)');
  return [first, last];
};

function masqueradeOf(o: Record<string, unknown>, arg: string): MasqueradeRule {
  v.knownKeys(o, arg, MASQUERADE_KEYS);
  if (o.outInterface === undefined) throw invalidValue(`${arg}.outInterface`, o.outInterface, 'is required (the interface packets leave through)');
  const r: MasqueradeRule = { outInterface: v.ifname(o.outInterface, `${arg}.outInterface`) };
  const s = opt(o, 'source', prefix, arg);
  if (s) r.source = prefixCanonical(s); // a /0 still limits it to its family
  return r;
}

/**
 * A NAT target address (`toKey`) and the prefix it goes with (`prefixKey`, optional), of one
 * family: an IPv6 target in an IPv4 rule is refused.
 */
function targetWithPrefix(o: Record<string, unknown>, toKey: string, prefixKey: string, arg: string): { to: string; prefix?: string } {
  const given = v.ip(o[toKey], `${arg}.${toKey}`);
  const to = ipCanonical(given);
  const p = opt(o, prefixKey, prefix, arg);
  if (!p) return { to };
  if (p.family !== familyOf(to)) throw invalidValue(`${arg}.${toKey}`, given, `must be an IPv${p.family} address, like ${prefixKey}`);
  // A /0 matches every address of the family, which the target's family already limits it to.
  return p.prefixLength === 0 ? { to } : { to, prefix: prefixCanonical(p) };
}

function snatOf(o: Record<string, unknown>, arg: string): SnatRule {
  v.knownKeys(o, arg, SNAT_KEYS);
  const t = targetWithPrefix(o, 'toSource', 'source', arg);
  const r: SnatRule = { toSource: t.to };
  if (t.prefix !== undefined) r.source = t.prefix;
  const out = opt(o, 'outInterface', v.ifname, arg);
  if (out !== undefined) r.outInterface = out;
  return r;
}

function dnatOf(o: Record<string, unknown>, arg: string): DnatRule {
  v.knownKeys(o, arg, DNAT_KEYS);
  const t = targetWithPrefix(o, 'toDestination', 'destination', arg);
  const r: DnatRule = { toDestination: t.to };
  if (t.prefix !== undefined) r.destination = t.prefix;
  const inIf = opt(o, 'inInterface', v.ifname, arg);
  if (inIf !== undefined) r.inInterface = inIf;
  const protocol = opt(o, 'protocol', protocolOf, arg);
  if (protocol !== undefined) r.protocol = protocol;
  const port = opt(o, 'port', portMatchOf, arg);
  if (port !== undefined) r.port = port;
  const toPort = opt(o, 'toPort', portOf, arg);
  if (toPort !== undefined) r.toPort = toPort;
  if ((port !== undefined || toPort !== undefined) && protocol === undefined)
    throw invalidValue(`${arg}.protocol`, undefined, "is required with a port ('tcp' or 'udp')");
  return r;
}

function forwardOf(value: unknown, arg: string): ForwardPolicy {
  const o = v.object(value, arg);
  v.knownKeys(o, arg, ['policy', 'allowEstablished', 'allow']);
  if (o.policy !== 'accept' && o.policy !== 'drop') throw invalidValue(`${arg}.policy`, o.policy, "must be 'accept' or 'drop'");
  const f: ForwardPolicy = { policy: o.policy };
  const est = opt(o, 'allowEstablished', v.bool, arg);
  if (est !== undefined) f.allowEstablished = est;
  if (o.allow !== undefined) {
    f.allow = entries(o.allow, `${arg}.allow`, (a, at) => {
      v.knownKeys(a, at, ALLOW_KEYS);
      const r: ForwardAllow = {};
      const inIf = opt(a, 'inInterface', v.ifname, at);
      const outIf = opt(a, 'outInterface', v.ifname, at);
      if (inIf === undefined && outIf === undefined) throw invalidValue(at, a, 'must name inInterface, outInterface or both');
      if (inIf !== undefined) r.inInterface = inIf;
      if (outIf !== undefined) r.outInterface = outIf;
      return r;
    });
  }
  return f;
}

// --- rules as expressions ---------------------------------------------------------------------

// Match data shared by every rule that uses it (never written after it is made): thousands of
// rules must not be thousands of small buffers for the collector.
const IFNAMSIZ = 16;
const ifnames = new Map<string, Buffer>();
const ifnameData = (name: string): Buffer => {
  let b = ifnames.get(name);
  if (!b) {
    b = Buffer.alloc(IFNAMSIZ);
    b.write(name);
    if (ifnames.size < 4096) ifnames.set(name, b);
  }
  return b;
};
const ZEROS = Buffer.alloc(16);

// The expressions that carry no per-rule data are made once and shared by every rule (none is
// ever changed): a rule of thousands is then a handful of objects, not dozens.
interface Shared {
  metaNfproto: Expr;
  family: Record<4 | 6, Expr>;
  metaL4: Expr;
  l4: Record<'tcp' | 'udp', Expr>;
  dport: Expr;
  counter: Expr;
  masq: Expr;
  accept: Expr;
  meta: Record<'iifname' | 'oifname', Expr>;
  /** The NAT statements: to the address in register 1, and the port in register 2 (`port`). */
  snat: Record<4 | 6, Expr>;
  dnat: Record<4 | 6, Expr>;
  dnatPort: Record<4 | 6, Expr>;
}
let shared: Shared | undefined;
function S(): Shared {
  if (shared) return shared;
  const r1 = REG1();
  const cmp = (data: Buffer): Expr => once({ type: 'cmp', op: 'eq', sreg: r1, data });
  // PROTO_SPECIFIED with a port, as nft writes it (the kernel would set it from the register).
  const dnatPort = (family: 4 | 6): Expr =>
    once({ type: 'nat', nat: 'dnat', family, addrMin: r1, protoMin: REG2(), flags: k('NF_NAT_RANGE_PROTO_SPECIFIED') });
  shared = {
    metaNfproto: once({ type: 'meta', key: 'nfproto', dreg: r1 }),
    family: { 4: cmp(Buffer.from([k('NFPROTO_IPV4')])), 6: cmp(Buffer.from([k('NFPROTO_IPV6')])) },
    metaL4: once({ type: 'meta', key: 'l4proto', dreg: r1 }),
    l4: { tcp: cmp(Buffer.from([k('IPPROTO_TCP')])), udp: cmp(Buffer.from([k('IPPROTO_UDP')])) },
    dport: once({ type: 'payload', base: 'transport', offset: 2, len: 2, dreg: r1 }),
    counter: once({ type: 'counter', packets: 0n, bytes: 0n }),
    masq: once({ type: 'masq', flags: 0 }),
    accept: once({ type: 'verdict', verdict: 'accept' }),
    meta: { iifname: once({ type: 'meta', key: 'iifname', dreg: r1 }), oifname: once({ type: 'meta', key: 'oifname', dreg: r1 }) },
    snat: { 4: once({ type: 'nat', nat: 'snat', family: 4, addrMin: r1, flags: 0 }), 6: once({ type: 'nat', nat: 'snat', family: 6, addrMin: r1, flags: 0 }) },
    dnat: { 4: once({ type: 'nat', nat: 'dnat', family: 4, addrMin: r1, flags: 0 }), 6: once({ type: 'nat', nat: 'dnat', family: 6, addrMin: r1, flags: 0 }) },
    dnatPort: { 4: dnatPort(4), 6: dnatPort(6) },
  };
  return shared;
}

const ifnameCmps = new Map<string, Expr>();
function matchIf(out: Expr[], key: 'iifname' | 'oifname', name: string): void {
  let cmp = ifnameCmps.get(name);
  if (!cmp) {
    cmp = { type: 'cmp', op: 'eq', sreg: REG1(), data: ifnameData(name) };
    if (ifnameCmps.size < 4096) ifnameCmps.set(name, once(cmp));
  }
  out.push(S().meta[key], cmp);
}

function matchFamily(out: Expr[], family: 4 | 6): void {
  out.push(S().metaNfproto, S().family[family]);
}

// Where saddr/daddr are in the IPv4 and IPv6 headers.
const ADDR_AT = { 4: { saddr: 12, daddr: 16, len: 4 }, 6: { saddr: 8, daddr: 24, len: 16 } } as const;

/**
 * An address prefix match, as nft encodes it: a prefix that ends on a byte loads and compares its
 * bytes alone (10.0.0.0/8: one byte); any other loads the whole address and masks it
 * (10.16.0.0/12: four bytes, mask fff00000); /0 matches everything and is no match at all. The
 * load (and mask) of a family, field and length are shared: only the compared bytes are a rule's.
 */
function matchAddr(out: Expr[], field: 'saddr' | 'daddr', p: Prefix): void {
  if (p.prefixLength === 0) return;
  const len = p.prefixLength % 8 === 0 ? p.prefixLength / 8 : ADDR_AT[p.family].len;
  out.push(...addrLoad(p.family, field, p.prefixLength, len));
  out.push({ type: 'cmp', op: 'eq', sreg: REG1(), data: network(ipBytes(p.address), p.prefixLength).subarray(0, len) });
}

const addrLoads = new Map<string, Expr[]>(); // at most 2 families x 2 fields x 129 lengths
function addrLoad(family: 4 | 6, field: 'saddr' | 'daddr', prefixLength: number, len: number): Expr[] {
  const key = `${family}${field}${prefixLength}`;
  let load = addrLoads.get(key);
  if (!load) {
    load = [once({ type: 'payload', base: 'network', offset: ADDR_AT[family][field], len, dreg: REG1() })];
    if (prefixLength % 8 !== 0) load.push(once({ type: 'bitwise', sreg: REG1(), dreg: REG1(), len, mask: prefixMask(prefixLength, len), xor: ZEROS.subarray(0, len) }));
    addrLoads.set(key, load);
  }
  return load;
}

const port16 = (p: number): Buffer => Buffer.from([p >> 8, p & 255]);

function masqueradeExprs(r: MasqueradeRule): Expr[] {
  const out: Expr[] = [];
  matchIf(out, 'oifname', r.outInterface);
  if (r.source !== undefined) {
    const p = prefix(r.source, 'source');
    matchFamily(out, p.family);
    matchAddr(out, 'saddr', p);
  }
  out.push(S().counter, S().masq);
  return out;
}

function snatExprs(r: SnatRule): Expr[] {
  const family = familyOf(r.toSource);
  const out: Expr[] = [];
  if (r.outInterface !== undefined) matchIf(out, 'oifname', r.outInterface);
  matchFamily(out, family);
  if (r.source !== undefined) matchAddr(out, 'saddr', prefix(r.source, 'source'));
  out.push(S().counter, { type: 'immediate', dreg: REG1(), data: ipBytes(r.toSource) }, S().snat[family]);
  return out;
}

function dnatExprs(r: DnatRule): Expr[] {
  const s = S();
  const family = familyOf(r.toDestination);
  const out: Expr[] = [];
  if (r.inInterface !== undefined) matchIf(out, 'iifname', r.inInterface);
  matchFamily(out, family);
  if (r.destination !== undefined) matchAddr(out, 'daddr', prefix(r.destination, 'destination'));
  if (r.protocol !== undefined) out.push(s.metaL4, s.l4[r.protocol]);
  if (typeof r.port === 'number') out.push(s.dport, { type: 'cmp', op: 'eq', sreg: REG1(), data: port16(r.port) });
  // A range as nft writes it: two compares of the one load.
  else if (r.port !== undefined)
    out.push(s.dport, { type: 'cmp', op: 'gte', sreg: REG1(), data: port16(r.port[0]) }, { type: 'cmp', op: 'lte', sreg: REG1(), data: port16(r.port[1]) });
  out.push(s.counter, { type: 'immediate', dreg: REG1(), data: ipBytes(r.toDestination) });
  if (r.toPort === undefined) out.push(s.dnat[family]);
  else out.push({ type: 'immediate', dreg: REG2(), data: port16(r.toPort) }, s.dnatPort[family]);
  return out;
}

function establishedExprs(): Expr[] {
  const bits = Buffer.alloc(4);
  bits.writeUInt32LE(k('NF_CT_STATE_ESTABLISHED') | k('NF_CT_STATE_RELATED')); // ct state is host-endian
  return [
    { type: 'ct', key: 'state', dreg: REG1() },
    { type: 'bitwise', sreg: REG1(), dreg: REG1(), len: 4, mask: bits, xor: ZEROS.subarray(0, 4) },
    { type: 'cmp', op: 'neq', sreg: REG1(), data: ZEROS.subarray(0, 4) },
    S().counter,
    S().accept,
  ];
}

function allowExprs(a: ForwardAllow): Expr[] {
  const out: Expr[] = [];
  if (a.inInterface !== undefined) matchIf(out, 'iifname', a.inInterface);
  if (a.outInterface !== undefined) matchIf(out, 'oifname', a.outInterface);
  out.push(S().counter, S().accept);
  return out;
}

/**
 * The expressions of one rule of a kind, validated as configureNat validates it: for the golden
 * bytes test (test/unit/nft-golden.test.mjs). @internal
 */
export function ruleExprs(kind: 'masquerade' | 'snat' | 'dnat' | 'established' | 'allow', rule: object): Expr[] {
  const o = v.object(rule, 'rule');
  switch (kind) {
    case 'masquerade':
      return masqueradeExprs(masqueradeOf(o, 'rule'));
    case 'snat':
      return snatExprs(snatOf(o, 'rule'));
    case 'dnat':
      return dnatExprs(dnatOf(o, 'rule'));
    case 'established':
      return establishedExprs();
    case 'allow':
      return allowExprs(o);
  }
}

const describeRule = (kind: string, r: object): string => `${kind} ${JSON.stringify(r)}`;

// --- a list of DNAT rules as one block ----------------------------------------------------------

/** What DNAT rules of one template share: all but their addresses and ports (the interface last: any text). */
function dnatShape(r: DnatRule): string {
  const dest = r.destination === undefined ? '' : r.destination.slice(r.destination.indexOf('/'));
  const port = r.port === undefined ? '' : typeof r.port === 'number' ? 'p' : 'r';
  return `${familyOf(r.toDestination)}${dest}|${r.protocol ?? ''}|${port}|${r.toPort === undefined ? '' : 't'}|${r.inInterface ?? ''}`;
}

/** The lengths of the values fillDnat writes for r, in its order (a template must have these slots). */
function dnatSlots(r: DnatRule): number[] {
  const addr = familyOf(r.toDestination) === 4 ? 4 : 16;
  const out: number[] = [];
  if (r.destination !== undefined) {
    const length = Number(r.destination.slice(r.destination.indexOf('/') + 1));
    out.push(length % 8 === 0 ? length / 8 : addr);
  }
  if (typeof r.port === 'number') out.push(2);
  else if (r.port !== undefined) out.push(2, 2);
  out.push(addr);
  if (r.toPort !== undefined) out.push(2);
  return out;
}

/**
 * Writes r's values into a copy of its shape's template at `base`, in the order dnatExprs writes
 * them: the destination's compared bytes (its network address: a canonical prefix), the port (or
 * the range's two), the target address, the target port.
 */
function fillDnat(out: Buffer, base: number, slots: RuleTemplate['slots'], r: DnatRule): void {
  let i = 0;
  const at = (): number => base + slots[i]!.at;
  if (r.destination !== undefined) {
    writeIp(out, at(), r.destination.slice(0, r.destination.indexOf('/')), slots[i]!.len);
    i++;
  }
  for (const port of r.port === undefined ? [] : typeof r.port === 'number' ? [r.port] : r.port) {
    out.writeUInt16BE(port, at());
    i++;
  }
  writeIp(out, at(), r.toDestination, slots[i]!.len);
  i++;
  if (r.toPort !== undefined) out.writeUInt16BE(r.toPort, at());
}

/**
 * A list of DNAT rules as one block of messages: each rule is its shape's template with its own
 * values (a template is made from the first rule of its shape, and checked to have the slots
 * fillDnat writes; a shape without one is encoded rule by rule). 10,000 port forwards are then a
 * copy and a few writes each, not 10,000 expression lists.
 */
function dnatBlock(table: string, rules: readonly DnatRule[]): RuleBlock {
  const templates = new Map<string, RuleTemplate | null>();
  const made = new Array<RuleTemplate | Buffer>(rules.length);
  let size = 0;
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i]!;
    const key = dnatShape(r);
    let t = templates.get(key);
    if (t === undefined) {
      const fresh = ruleTemplate(table, 'prerouting', dnatExprs(r));
      const want = dnatSlots(r);
      t = fresh.slots.length === want.length && fresh.slots.every((s, j) => s.len === want[j]) ? fresh : null;
      templates.set(key, t);
    }
    const m = t ?? frame([newRule(table, 'prerouting', dnatExprs(r), '')]);
    made[i] = m;
    size += Buffer.isBuffer(m) ? m.length : m.bytes.length;
  }
  const write = (out: Buffer, at: number): void => {
    let o = at;
    for (let i = 0; i < rules.length; i++) {
      const m = made[i]!;
      if (Buffer.isBuffer(m)) {
        out.set(m, o);
        o += m.length;
      } else {
        out.set(m.bytes, o);
        fillDnat(out, o, m.slots, rules[i]!);
        o += m.bytes.length;
      }
    }
  };
  return { count: rules.length, size, write, label: (i) => `dnat[${i}] ${describeRule('dnat', rules[i]!)}`, exprs: (i) => dnatExprs(rules[i]!) };
}

/** The DNAT rules' block, exactly as configureNat sends it: for the encoding's tests. @internal */
export function dnatBlockBytes(table: string, rules: readonly object[]): Buffer {
  return frame([dnatBlock(table, rules.map((r, i) => dnatOf(v.object(r, `rules[${i}]`), `rules[${i}]`)))]);
}

/** Each rule framed on its own, expression by expression (the reference dnatBlock must equal). @internal */
export function dnatRulesBytes(table: string, rules: readonly object[]): Buffer {
  return frame(rules.map((r, i) => newRule(table, 'prerouting', dnatExprs(dnatOf(v.object(r, `rules[${i}]`), `rules[${i}]`)), '')));
}

/** The batch parts that create the table as cfg says (the table itself first). */
function tableParts(table: string, cfg: Omit<NatConfig, 'netns' | 'table'>): BatchPart[] {
  const parts: BatchPart[] = [newTable(table, cfg.owner ? k('NFT_TABLE_F_OWNER') : 0)];
  const masq = cfg.masquerade ?? [];
  const snat = cfg.snat ?? [];
  const dnat = cfg.dnat ?? [];
  if (dnat.length) parts.push(newChain(table, CHAINS.prerouting));
  if (masq.length || snat.length) parts.push(newChain(table, CHAINS.postrouting));
  if (cfg.forward) parts.push(newChain(table, { ...CHAINS.forward, policy: cfg.forward.policy }));
  masq.forEach((r, i) => parts.push(newRule(table, 'postrouting', masqueradeExprs(r), () => `masquerade[${i}] ${describeRule('masquerade', r)}`)));
  snat.forEach((r, i) => parts.push(newRule(table, 'postrouting', snatExprs(r), () => `snat[${i}] ${describeRule('snat', r)}`)));
  if (dnat.length) parts.push(dnatBlock(table, dnat));
  if (cfg.forward?.allowEstablished) parts.push(newRule(table, 'forward', establishedExprs(), 'forward.allowEstablished'));
  (cfg.forward?.allow ?? []).forEach((a, i) => parts.push(newRule(table, 'forward', allowExprs(a), `forward.allow[${i}] ${JSON.stringify(a)}`)));
  return parts;
}

// --- reading rules back -----------------------------------------------------------------------

type Src = { kind: 'meta'; key: string } | { kind: 'payload'; base: string; offset: number; len: number } | { kind: 'ct' } | { kind: 'imm'; data: Buffer };

interface Parsed {
  inInterface?: string;
  outInterface?: string;
  family?: 4 | 6;
  source?: string;
  destination?: string;
  protocol?: 'tcp' | 'udp';
  port?: number | [number, number];
  established?: boolean;
  action?: 'masq' | 'snat' | 'dnat' | 'accept' | 'drop';
  to?: string;
  toPort?: number;
  packets: number;
  bytes: number;
  ok: boolean;
}

const ifText = (b: Buffer): string => {
  const z = b.indexOf(0);
  return b.toString('utf8', 0, z < 0 ? b.length : z);
};

/** Reads the matches and the action of one of netdev's rules; ok false for anything else. */
function parseRule(exprs: readonly Expr[]): Parsed {
  const regs = new Map<number, Src>();
  const masks = new Map<number, Buffer>();
  const p: Parsed = { packets: 0, bytes: 0, ok: true };
  for (const e of exprs) {
    switch (e.type) {
      case 'meta':
        regs.set(e.dreg, { kind: 'meta', key: e.key });
        masks.delete(e.dreg);
        break;
      case 'payload':
        regs.set(e.dreg, { kind: 'payload', base: e.base, offset: e.offset, len: e.len });
        masks.delete(e.dreg);
        break;
      case 'ct':
        regs.set(e.dreg, { kind: 'ct' });
        masks.delete(e.dreg);
        break;
      case 'bitwise':
        if (e.sreg !== e.dreg || e.xor.some((b) => b !== 0)) p.ok = false;
        masks.set(e.dreg, e.mask);
        break;
      case 'immediate':
        regs.set(e.dreg, { kind: 'imm', data: e.data });
        break;
      case 'cmp': {
        const s = regs.get(e.sreg);
        const mask = masks.get(e.sreg);
        if (!s) {
          p.ok = false;
          break;
        }
        if (s.kind === 'ct' && e.op === 'neq' && mask) {
          // Exactly established or related (the bits establishedExprs writes), compared with zero.
          const bits = k('NF_CT_STATE_ESTABLISHED') | k('NF_CT_STATE_RELATED');
          if (mask.length === 4 && mask.readUInt32LE(0) === bits && e.data.length === 4 && e.data.readUInt32LE(0) === 0) p.established = true;
          else p.ok = false;
          break;
        }
        const dport = s.kind === 'payload' && s.base === 'transport' && s.offset === 2 && s.len === 2 && e.data.length === 2;
        if (dport && (e.op === 'gte' || e.op === 'lte')) {
          // A port range: gte first, then lte (dnatExprs).
          const port = e.data.readUInt16BE(0);
          if (e.op === 'gte' && p.port === undefined) p.port = [port, port];
          else if (e.op === 'lte' && Array.isArray(p.port) && p.port[1] === p.port[0] && port > p.port[0]) p.port = [p.port[0], port];
          else p.ok = false;
          break;
        }
        if (e.op !== 'eq') {
          p.ok = false;
          break;
        }
        if (s.kind === 'meta') {
          if (s.key === 'iifname') p.inInterface = ifText(e.data);
          else if (s.key === 'oifname') p.outInterface = ifText(e.data);
          else if (s.key === 'nfproto') p.family = e.data[0] === k('NFPROTO_IPV6') ? 6 : 4;
          else if (s.key === 'l4proto') p.protocol = e.data[0] === k('IPPROTO_UDP') ? 'udp' : 'tcp';
        } else if (s.kind === 'payload' && s.base === 'network') {
          // A prefix's whole bytes, masked when the prefix does not end on a byte (matchAddr).
          const at = ([4, 6] as const).flatMap((f) => (['saddr', 'daddr'] as const).map((field) => ({ f, field, o: ADDR_AT[f][field], n: ADDR_AT[f].len })));
          const hit = at.find((x) => x.o === s.offset && s.len <= x.n && e.data.length === s.len);
          const len = mask ? maskLength(mask) : s.len * 8;
          if (!hit || len === undefined) {
            p.ok = false;
            break;
          }
          const full = Buffer.alloc(hit.n);
          e.data.copy(full);
          const text = `${ipText(full)}/${len}`;
          if (hit.field === 'saddr') p.source = text;
          else p.destination = text;
        } else if (s.kind === 'payload' && s.base === 'transport' && s.offset === 2 && s.len === 2 && e.data.length === 2) {
          p.port = e.data.readUInt16BE(0);
        } else p.ok = false;
        break;
      }
      case 'counter':
        p.packets = Number(e.packets);
        p.bytes = Number(e.bytes);
        break;
      case 'masq':
        p.action = 'masq';
        if (e.flags !== 0 || e.protoMin !== undefined || e.protoMax !== undefined) p.ok = false; // not one of netdev's
        break;
      case 'nat': {
        p.action = e.nat;
        // netdev writes one address and a port only for DNAT. The kernel reports the maximum
        // registers as the minimum ones and MAP_IPS (and PROTO_SPECIFIED with a port) as set; a
        // range or another flag is none of netdev's.
        const known = k('NF_NAT_RANGE_MAP_IPS') | k('NF_NAT_RANGE_PROTO_SPECIFIED');
        const single = (min: number | undefined, max: number | undefined): boolean => max === undefined || max === min;
        if (!single(e.addrMin, e.addrMax) || !single(e.protoMin, e.protoMax) || (e.flags & ~known) !== 0 || (e.nat === 'snat' && e.protoMin !== undefined)) p.ok = false;
        const a = e.addrMin === undefined ? undefined : regs.get(e.addrMin);
        if (a?.kind === 'imm' && (a.data.length === 4 || a.data.length === 16)) p.to = ipText(a.data);
        else p.ok = false;
        const port = e.protoMin === undefined ? undefined : regs.get(e.protoMin);
        if (port?.kind === 'imm' && port.data.length === 2) p.toPort = port.data.readUInt16BE(0);
        else if (port !== undefined) p.ok = false;
        break;
      }
      case 'verdict':
        if (e.verdict === 'accept' || e.verdict === 'drop') p.action = e.verdict;
        else p.ok = false;
        break;
      default:
        p.ok = false;
    }
  }
  if (Array.isArray(p.port) && p.port[0] === p.port[1]) p.ok = false; // a gte without its lte
  return p;
}

/** Builds the state of a table from its chains and rules (exported for the decoder's tests). @internal */
export function stateOf(table: string, exists: boolean, owner: boolean, policy: 'accept' | 'drop' | undefined, rules: RuleInfo[]): NatState {
  const st: NatState = { table, exists, owner, masquerade: [], snat: [], dnat: [], unrecognized: [] };
  if (policy !== undefined) st.forward = { policy, allowEstablished: false, allow: [] };
  for (const r of rules) {
    const p = parseRule(r.exprs);
    const rs: RuleState = { handle: Number(r.handle), packets: p.packets, bytes: p.bytes };
    if (p.ok && r.chain === 'postrouting' && p.action === 'masq' && p.outInterface !== undefined) {
      // A family guard without an address: a /0 source (masqueradeOf).
      const source = p.source ?? (p.family === undefined ? undefined : p.family === 4 ? '0.0.0.0/0' : '::/0');
      st.masquerade.push({ outInterface: p.outInterface, ...(source !== undefined ? { source } : {}), ...rs });
    } else if (p.ok && r.chain === 'postrouting' && p.action === 'snat' && p.to !== undefined) {
      st.snat.push({ ...(p.source !== undefined ? { source: p.source } : {}), ...(p.outInterface !== undefined ? { outInterface: p.outInterface } : {}), toSource: p.to, ...rs });
    } else if (p.ok && r.chain === 'prerouting' && p.action === 'dnat' && p.to !== undefined) {
      const d: DnatRule & RuleState = { toDestination: p.to, ...rs };
      if (p.destination !== undefined) d.destination = p.destination;
      if (p.inInterface !== undefined) d.inInterface = p.inInterface;
      if (p.protocol !== undefined) d.protocol = p.protocol;
      if (p.port !== undefined) d.port = p.port;
      if (p.toPort !== undefined) d.toPort = p.toPort;
      st.dnat.push(d);
    } else if (p.ok && r.chain === 'forward' && p.action === 'accept' && st.forward) {
      if (p.established) st.forward.allowEstablished = true;
      else if (p.inInterface !== undefined || p.outInterface !== undefined)
        st.forward.allow!.push({ ...(p.inInterface !== undefined ? { inInterface: p.inInterface } : {}), ...(p.outInterface !== undefined ? { outInterface: p.outInterface } : {}) });
      else st.unrecognized.push(rs.handle);
    } else st.unrecognized.push(rs.handle);
  }
  return st;
}

// --- the verbs --------------------------------------------------------------------------------

const isOwned = (flags: number): boolean => (flags & k('NFT_TABLE_F_OWNER')) !== 0;
const ATTEMPTS = 3;

/** What a change reads before it applies: the generation, the table, and whose it is. */
interface Before {
  genid: number;
  table: TableInfo | undefined;
  /** The table is owned by this environment's owner socket: changes must go through it. */
  ours: boolean;
}

/**
 * Runs a change as one batch guarded by the ruleset's generation: `build` sees the state read
 * just before and returns the parts (or undefined: nothing to do) and whether a new table is to be
 * owned; a batch refused because the ruleset changed in between (ERESTART) is built again from a
 * fresh read, up to 3 times. A table owned by this environment's socket is changed through it; a
 * table owned by another process through a pooled socket, which the kernel refuses (EPERM). The
 * owner socket is closed again once no table names it.
 */
async function change<T>(ns: NativeNs, name: string, operation: string, build: (b: Before) => Promise<{ parts: BatchPart[]; own: boolean; done: (echoed: Buffer[]) => T } | T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const genid = await generation(ns, operation);
    const [tables, portid] = await Promise.all([listTables(ns, operation), ownerPortid(ns, operation)]);
    const table = tables.find((t) => t.name === name);
    const ours = table !== undefined && isOwned(table.flags) && portid !== 0 && table.owner === portid;
    const plan = await build({ genid, table, ours });
    if (!isPlan(plan)) return plan;
    const viaOwner = ours || plan.own;
    try {
      return plan.done(await apply(ns, plan.parts, operation, { owner: viaOwner, genid }));
    } catch (e) {
      if (!(e instanceof NetdevError) || e.code !== 'ERESTART' || attempt >= ATTEMPTS) throw e;
    } finally {
      if (viaOwner) await releaseOwner(ns, operation).catch(() => undefined);
    }
  }
}

function isPlan<T>(x: { parts: BatchPart[]; own: boolean; done: (echoed: Buffer[]) => T } | T): x is { parts: BatchPart[]; own: boolean; done: (echoed: Buffer[]) => T } {
  return typeof x === 'object' && x !== null && Object.hasOwn(x, 'parts') && Object.hasOwn(x, 'done');
}

/**
 * Applies a router's NAT and forwarding as ONE atomic nf_tables batch that replaces netdev's table
 * (and nothing else): either all of it takes effect or none of it, and the batch is guarded by
 * the ruleset's generation (if anything changed the ruleset between reading it and applying, the
 * kernel refuses it and it is tried again, up to 3 times). Enable forwarding separately
 * (`setSysctl('net.ipv4.ip_forward', 1, { netns })`).
 *
 * `iptables -t nat -A POSTROUTING -o OUT [-s SRC] -j MASQUERADE`,
 * `iptables -t nat -A POSTROUTING [-s SRC] [-o OUT] -j SNAT --to-source ADDR`,
 * `iptables -t nat -A PREROUTING [-i IN] [-d DST] [-p tcp --dport P] -j DNAT --to-destination ADDR[:PORT]`,
 * `iptables -P FORWARD DROP`, `iptables -A FORWARD -m state --state ESTABLISHED,RELATED -j ACCEPT`,
 * `iptables -A FORWARD [-i IN] [-o OUT] -j ACCEPT`; in nft: `nft -f` of
 * `table inet netdev_nat { chain postrouting { type nat hook postrouting priority srcnat; oifname OUT masquerade } … }`
 * after `delete table inet netdev_nat`.
 */
export async function configureNat(config: NatConfig): Promise<void> {
  config = v.options(config, 'config', ['netns', 'table', 'masquerade', 'snat', 'dnat', 'forward', 'owner']);
  const table = tableName(config.table, 'config.table');
  const cfg: Omit<NatConfig, 'netns' | 'table'> = {
    masquerade: entries(config.masquerade, 'config.masquerade', masqueradeOf),
    snat: entries(config.snat, 'config.snat', snatOf),
    dnat: entries(config.dnat, 'config.dnat', dnatOf),
  };
  if (config.forward !== undefined) cfg.forward = forwardOf(config.forward, 'config.forward');
  if (config.owner !== undefined) cfg.owner = v.bool(config.owner, 'config.owner');
  const operation = `configureNat ${table}`;
  const body = tableParts(table, cfg);
  // An existing table is deleted and made again in the same transaction.
  await inNetns(config, (ns) =>
    change(ns, table, operation, async (b) => ({ parts: b.table ? [delTable(table), ...body] : body, own: cfg.owner === true, done: () => undefined })),
  );
}

/** Options of {@link listNat} and {@link clearNat}. */
export interface NatTableOptions extends NetnsOption {
  /** netdev's table; default `netdev_nat`. */
  table?: string;
}

/**
 * What netdev's table holds, read back from the kernel: the rules in the form
 * {@link configureNat} takes, each with its handle and counters.
 *
 * `nft -j list table inet netdev_nat`; `iptables -t nat -L -n -v` and `iptables -L FORWARD -n -v`.
 */
export async function listNat(options: NatTableOptions = {}): Promise<NatState> {
  options = v.options(options, 'options', ['netns', 'table']);
  const table = tableName(options.table, 'options.table');
  const operation = `listNat ${table}`;
  return inNetns(options, (ns) => listNatIn(ns, table, operation));
}

/**
 * Deletes netdev's table (its rules and chains), if it exists; resolves with whether it did.
 *
 * `nft delete table inet netdev_nat`; `iptables -t nat -F` and `iptables -P FORWARD ACCEPT`.
 */
export async function clearNat(options: NatTableOptions = {}): Promise<boolean> {
  options = v.options(options, 'options', ['netns', 'table']);
  const table = tableName(options.table, 'options.table');
  const operation = `clearNat ${table}`;
  return inNetns(options, (ns) => change(ns, table, operation, async (b) => (b.table ? { parts: [delTable(table)], own: false, done: () => true } : false)));
}

/** Options of {@link addPortForward}: one DNAT rule. */
export interface PortForwardOptions extends DnatRule, NatTableOptions {
  /** When the table does not exist yet: make it owned by this process (see {@link NatConfig.owner}). */
  owner?: boolean;
}

/**
 * Adds one DNAT rule (a port forward, a floating IP) to netdev's table, making the table and its
 * prerouting chain if they do not exist; resolves with the rule's handle. The rest of the table is
 * untouched.
 *
 * `iptables -t nat -A PREROUTING [-i IN] [-d DST] -p tcp --dport P -j DNAT --to-destination ADDR[:PORT]`;
 * `nft add rule inet netdev_nat prerouting [iifname IN] [ip daddr DST] tcp dport P dnat ip to ADDR[:PORT]`.
 */
export async function addPortForward(options: PortForwardOptions): Promise<{ handle: number }> {
  options = v.options(options, 'options', ['netns', 'table', 'owner', 'destination', 'inInterface', 'protocol', 'port', 'toDestination', 'toPort']);
  const table = tableName(options.table, 'options.table');
  const rule = dnatOf(dnatFields(options), 'options');
  const owner = options.owner === undefined ? false : v.bool(options.owner, 'options.owner');
  const operation = `addPortForward ${table}`;
  return inNetns(options, (ns) =>
    change(ns, table, operation, async (b) => {
      const parts: Part[] = [];
      if (!b.table) parts.push(newTable(table, owner ? k('NFT_TABLE_F_OWNER') : 0));
      if (!b.table || !(await listChains(ns, table, operation)).some((c) => c.name === 'prerouting')) parts.push(newChain(table, CHAINS.prerouting));
      parts.push(newRule(table, 'prerouting', dnatExprs(rule), () => describeRule('dnat', rule), true));
      const done = (echoed: Buffer[]): { handle: number } => {
        const made = echoedRules(echoed[echoed.length - 1]!)[0];
        if (!made) throw new NetdevError({ errnum: 71, syscall: 'nftables', operation, detail: 'the kernel did not echo the new rule' });
        return { handle: Number(made.handle) };
      };
      return { parts, own: !b.table && owner, done };
    }),
  );
}

/** Options of {@link deletePortForward}: the rule by its handle, or by what it matches. */
export interface DeletePortForwardOptions extends Partial<DnatRule>, NatTableOptions {
  handle?: number;
}

/**
 * Deletes one DNAT rule of netdev's table: the one with `handle`, or the first whose matches and
 * target equal the options given. Resolves with whether one was deleted.
 *
 * `iptables -t nat -D PREROUTING …`; `nft delete rule inet netdev_nat prerouting handle H`.
 */
export async function deletePortForward(options: DeletePortForwardOptions): Promise<boolean> {
  options = v.options(options, 'options', ['netns', 'table', 'handle', 'destination', 'inInterface', 'protocol', 'port', 'toDestination', 'toPort']);
  const table = tableName(options.table, 'options.table');
  const spec = dnatFields(options);
  const handle = options.handle === undefined ? undefined : v.integer(options.handle, 'options.handle', 1, Number.MAX_SAFE_INTEGER);
  const want = handle === undefined ? dnatOf(spec, 'options') : undefined;
  if (handle !== undefined && Object.keys(spec).length) throw invalidValue('options.handle', handle, 'is given with rule fields: give one or the other');
  const operation = `deletePortForward ${table}`;
  const same = (d: DnatRule): boolean =>
    want !== undefined && d.toDestination === want.toDestination && d.toPort === want.toPort && d.protocol === want.protocol &&
    d.inInterface === want.inInterface && d.destination === want.destination && JSON.stringify(d.port) === JSON.stringify(want.port);
  // The handle is read and deleted under the generation guard: a table made again in between (its
  // handles start over) makes the kernel refuse the batch, and the rule is looked up again.
  return inNetns(options, (ns) =>
    change(ns, table, operation, async (b) => {
      if (!b.table) return false;
      const st = await listNatIn(ns, table, operation, b.table);
      const found = st.dnat.find((d) => (handle !== undefined ? d.handle === handle : same(d)));
      if (!found) return false;
      return { parts: [delRule(table, 'prerouting', BigInt(found.handle), `dnat handle ${found.handle}`)], own: false, done: () => true };
    }),
  );
}

/** The state of netdev's table; `known`: its entry of a table list just read (no second read). */
async function listNatIn(ns: NativeNs, table: string, operation: string, known?: TableInfo): Promise<NatState> {
  const t = known ?? (await listTables(ns, operation)).find((x) => x.name === table);
  if (!t) return { table, exists: false, owner: false, masquerade: [], snat: [], dnat: [], unrecognized: [] };
  const [chains, rules] = await Promise.all([listChains(ns, table, operation), listRules(ns, table, operation)]);
  return stateOf(table, true, isOwned(t.flags), chains.find((c) => c.name === 'forward')?.policy, rules);
}
