/**
 * Expands what the addon decoded into the objects lib/ returns. Links arrive as one columnar
 * batch per reply (numbers in a Float64Array, strings and kind-specific objects in arrays; see
 * native/rtnl/codec_link.cc): building plain objects here is far cheaper than setting ~60 properties
 * per link through N-API. The name tables come from the addon, which holds the uapi values.
 * @internal
 */
import { binding, type Decoded } from '../core/binding.js';
import { LINK_NUMS, LINK_STATS, LINK_STRS, type Checked, type LinkTables, type SameSet, type Slots } from '../core/contract.js';
import type { GreData } from './kinds/data.js';
import type { GeneveInfo, GreInfo, KnownKind, Link, LinkInfoByKind, LinkStats, OperState, OtherInfo, VethInfo, VxlanInfo } from './types.js';
import { registerBatches } from '../netlink/expand.js';

interface LinkBatch {
  linkBatch: number;
  nums: Float64Array;
  strs: (string | undefined)[];
  extra: (Decoded | undefined)[];
}

/** The named column slots (core/contract.ts; test/unit/contract.test.mjs checks them against the addon). */
// Const enums: tsc writes their values into the code, so a column read costs what n[o + 8] did,
// even before the JIT optimizes (object properties cost a load each, and ~0.1 us per route in the
// first, unoptimized dumps). Checked against the lists at compile time (STATS_AT's type): a
// wrong, missing or extra slot does not compile.
const enum N {
  index = 0, type = 1, flags = 2, operstate = 3, mtu = 4, minMtu = 5, maxMtu = 6, master = 7, parent = 8, parentNetnsId = 9,
  txqlen = 10, group = 11, carrier = 12, promiscuity = 13, numTxQueues = 14, numRxQueues = 15, gsoMaxSize = 16, gsoMaxSegs = 17,
  groMaxSize = 18, hasStats = 19, stats = 20,
}
const enum S { name = 0, mac = 1, broadcast = 2, permanentMac = 3, alias = 4, qdisc = 5, kind = 6, portKind = 7 }
type EnumSlots<E> = { readonly [K in keyof E]: E[K] };
const STATS_AT: Checked<Checked<number, SameSet<EnumSlots<typeof N>, Slots<typeof LINK_NUMS>>>, SameSet<EnumSlots<typeof S>, Slots<typeof LINK_STRS>>> = N.stats;

interface Tables extends LinkTables {
  flagCache: Map<number, readonly string[]>;
  /** Kinds with a settings table: their info is always an object. */
  tableKinds: Set<string>;
}

let tables: Tables | undefined;
function getTables(): Tables {
  if (!tables) {
    const b = binding();
    tables = { ...b.linkTables, flagCache: new Map(), tableKinds: new Set(Object.keys(b.kindTables)) };
    if (tables.layout.nums !== STATS_AT + LINK_STATS.length || tables.layout.strs !== LINK_STRS.length || tables.layout.extras !== 4)
      throw new Error('netdev: the addon\'s link columns do not match lib/core/contract.ts (a stale build?)');
  }
  return tables;
}

function flagNames(t: Tables, bits: number): string[] {
  let names = t.flagCache.get(bits);
  if (!names) {
    names = t.flags.filter(([bit]) => (bits & bit) !== 0).map(([, name]) => name);
    t.flagCache.set(bits, names);
  }
  return names.slice();
}

const num = (v: number): number | undefined => (Number.isNaN(v) ? undefined : v);
const orNull = (v: number): number | null => (Number.isNaN(v) ? null : v);

/**
 * The counters at o, in LINK_STATS order. An object literal, not a loop over the names: objects
 * built key by key with computed names fall into V8's dictionary mode (10x slower to build and to
 * read for 2001 links); test/unit/contract.test.mjs checks the literal's keys and order against
 * LINK_STATS (and so against the addon's).
 * @internal
 */
export function statsAt(n: Float64Array, o: number): LinkStats {
  return {
    rxPackets: n[o]!, txPackets: n[o + 1]!, rxBytes: n[o + 2]!, txBytes: n[o + 3]!, rxErrors: n[o + 4]!,
    txErrors: n[o + 5]!, rxDropped: n[o + 6]!, txDropped: n[o + 7]!, multicast: n[o + 8]!, collisions: n[o + 9]!,
    rxLengthErrors: n[o + 10]!, rxOverErrors: n[o + 11]!, rxCrcErrors: n[o + 12]!, rxFrameErrors: n[o + 13]!,
    rxFifoErrors: n[o + 14]!, rxMissedErrors: n[o + 15]!, txAbortedErrors: n[o + 16]!, txCarrierErrors: n[o + 17]!,
    txFifoErrors: n[o + 18]!, txHeartbeatErrors: n[o + 19]!, txWindowErrors: n[o + 20]!, rxCompressed: n[o + 21]!,
    txCompressed: n[o + 22]!, rxNohandler: n[o + 23]!,
  };
}

/** The kinds LinkInfoByKind maps to null (no settings), and to VethInfo (a peer): checked lists. */
type KindsWith<T> = { [K in KnownKind]: SameSet<LinkInfoByKind[K], T> extends true ? K : never }[KnownKind];
const DATALESS_KINDS = ['dummy', 'ifb', 'vcan', 'nlmon'] as const;
const PEER_KINDS = ['veth', 'vxcan'] as const;
const DATALESS: Checked<ReadonlySet<string>, SameSet<KindsWith<null>, (typeof DATALESS_KINDS)[number]>> = new Set(DATALESS_KINDS);
const PEERS: Checked<ReadonlySet<string>, SameSet<KindsWith<VethInfo>, (typeof PEER_KINDS)[number]>> = new Set(PEER_KINDS);

/** `Link.info` for a kind, from what the addon decoded of IFLA_INFO_DATA (see LinkInfoByKind). */
function infoOf(t: Tables, kind: string | null, data: Decoded | undefined, parent: number | null): Link['info'] {
  if (kind === null) return null;
  if (PEERS.has(kind)) return { peerIndex: parent };
  if (DATALESS.has(kind)) return null;
  if (t.tableKinds.has(kind)) {
    const d = data ?? {};
    if (kind === 'vxlan') return vxlanInfo(d);
    if (kind === 'geneve') return geneveInfo(d);
    if (GRE_KINDS.has(kind)) return greInfo(d);
    return d;
  }
  // Not decoded (yet): the raw attributes, so that nothing is lost (the addon copies them).
  const raw = data?.raw;
  const other: OtherInfo = { raw: Buffer.isBuffer(raw) ? raw : Buffer.alloc(0) };
  return other;
}

function links(batch: LinkBatch): Link[] {
  const t = getTables();
  const { nums: n, strs: s, extra } = batch;
  const NN = t.layout.nums;
  const SS = t.layout.strs;
  const XX = t.layout.extras;
  const out: Link[] = new Array<Link>(batch.linkBatch);
  for (let i = 0; i < batch.linkBatch; i++) {
    const o = i * NN;
    const so = i * SS;
    const flags = n[o + N.flags]!;
    const kind = s[so + S.kind] ?? null;
    const parent = orNull(n[o + N.parent]!);
    const link = {
      index: n[o + N.index]!,
      name: s[so + S.name] ?? '',
      kind,
      type: t.types[n[o + N.type]!] ?? n[o + N.type]!,
      flags: flagNames(t, flags),
      up: (flags & 1) !== 0,
      operstate: (t.operstates[n[o + N.operstate]!] ?? 'unknown') as OperState,
      mtu: n[o + N.mtu]!,
      minMtu: num(n[o + N.minMtu]!),
      maxMtu: num(n[o + N.maxMtu]!),
      mac: s[so + S.mac] ?? null,
      broadcast: s[so + S.broadcast],
      permanentMac: s[so + S.permanentMac],
      master: orNull(n[o + N.master]!),
      parent,
      parentNetnsId: orNull(n[o + N.parentNetnsId]!),
      txqlen: n[o + N.txqlen]!,
      alias: s[so + S.alias] ?? null,
      group: n[o + N.group]!,
      carrier: Number.isNaN(n[o + N.carrier]!) ? undefined : n[o + N.carrier] === 1,
      promiscuity: num(n[o + N.promiscuity]!),
      numTxQueues: num(n[o + N.numTxQueues]!),
      numRxQueues: num(n[o + N.numRxQueues]!),
      gsoMaxSize: num(n[o + N.gsoMaxSize]!),
      gsoMaxSegs: num(n[o + N.gsoMaxSegs]!),
      groMaxSize: num(n[o + N.groMaxSize]!),
      altnames: (extra[i * XX + 3] as string[] | undefined) ?? [],
      qdisc: s[so + S.qdisc],
      info: infoOf(t, kind, extra[i * XX], parent),
      portKind: s[so + S.portKind],
      port: extra[i * XX + 1],
      stats: n[o + N.hasStats] === 1 ? statsAt(n, o + STATS_AT) : undefined,
    } as Link;
    const vlans = extra[i * XX + 2];
    if (vlans !== undefined) (link as Link & { vlans?: unknown }).vlans = vlans;
    out[i] = link;
  }
  return out;
}

const isMulticast = (ip: string): boolean =>
  ip.includes(':') ? ip.toLowerCase().startsWith('ff') : Number(ip.split('.')[0]) >= 224 && Number(ip.split('.')[0]) <= 239;

/** VXLAN endpoints as createVxlan takes them: remote / multicastGroup / local, either family. */
function vxlanInfo(raw: Decoded): VxlanInfo {
  const { group, group6, local, local6, ...rest } = raw;
  const out: Record<string, unknown> = rest;
  const endpoint = (group ?? group6) as string | undefined;
  if (endpoint !== undefined && endpoint !== '0.0.0.0' && endpoint !== '::')
    out[isMulticast(endpoint) ? 'multicastGroup' : 'remote'] = endpoint;
  const l = (local ?? local6) as string | undefined;
  if (l !== undefined && l !== '0.0.0.0' && l !== '::') out.local = l;
  return out;
}

/** Geneve: one `remote`, either family. */
function geneveInfo(raw: Decoded): GeneveInfo {
  const { remote, remote6, ...rest } = raw;
  const out: Record<string, unknown> = rest;
  const r = (remote ?? remote6) as string | undefined;
  if (r !== undefined && r !== '0.0.0.0' && r !== '::') out.remote = r;
  return out;
}

const GRE_KINDS = new Set(['gre', 'gretap', 'ip6gre', 'ip6gretap', 'erspan', 'ip6erspan']);

/** GRE: the kernel's flag words as ikey/okey (present only when keyed) and csum/seq booleans. */
function greInfo(raw: Decoded): GreInfo {
  const { iflags, oflags, ikey, okey, ...rest } = raw;
  const i = (iflags as number | undefined) ?? 0;
  const o = (oflags as number | undefined) ?? 0;
  const out: GreInfo = { ...(rest as Omit<GreData, 'iflags' | 'oflags' | 'ikey' | 'okey'>), icsum: (i & 0x8000) !== 0, ocsum: (o & 0x8000) !== 0, iseq: (i & 0x1000) !== 0, oseq: (o & 0x1000) !== 0 };
  if (i & 0x2000) out.ikey = ikey as number;
  if (o & 0x2000) out.okey = okey as number;
  return out;
}

function isBatch(d: Decoded): d is Decoded & LinkBatch {
  return typeof d.linkBatch === 'number';
}

registerBatches({
  is: isBatch,
  expand: (d, out) => {
    for (const l of links(d as Decoded & LinkBatch)) out.push(l);
  },
});
