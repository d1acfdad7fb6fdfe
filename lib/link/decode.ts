/**
 * Expands what the addon decoded into the objects lib/ returns. Links arrive as one columnar
 * batch per reply (numbers in a Float64Array, strings and kind-specific objects in arrays; see
 * native/rtnl/codec_link.cc): building plain objects here is far cheaper than setting ~60 properties
 * per link through N-API. The name tables come from the addon, which holds the uapi values.
 * @internal
 */
import { binding, type Decoded } from '../core/binding.js';
import { LINK_NUMS, LINK_STATS, LINK_STRS, slots, type LinkTables } from '../core/contract.js';
import type { GreData } from './kinds/data.js';
import type { GeneveInfo, GreInfo, Link, LinkStats, OperState, OtherInfo, VxlanInfo } from './types.js';
import { registerBatches } from '../netlink/expand.js';

interface LinkBatch {
  linkBatch: number;
  nums: Float64Array;
  strs: (string | undefined)[];
  extra: (Decoded | undefined)[];
}

/** The named column slots (core/contract.ts; test/unit/contract.test.mjs checks them against the addon). */
const N = slots(LINK_NUMS);
const S = slots(LINK_STRS);

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
    if (tables.layout.nums !== N.stats + LINK_STATS.length || tables.layout.strs !== LINK_STRS.length || tables.layout.extras !== 4)
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

function stats(n: Float64Array, o: number): LinkStats {
  const st = {} as LinkStats;
  for (let j = 0; j < LINK_STATS.length; j++) st[LINK_STATS[j]!] = n[o + j]!;
  return st;
}

/** Kinds known to have no settings at all. */
const DATALESS = new Set(['dummy', 'ifb', 'vcan', 'nlmon']);
const EMPTY = Buffer.alloc(0);

/** `Link.info` for a kind, from what the addon decoded of IFLA_INFO_DATA (see LinkInfoByKind). */
function infoOf(t: Tables, kind: string | null, data: Decoded | undefined, parent: number | null): Link['info'] {
  if (kind === null) return null;
  if (kind === 'veth' || kind === 'vxcan') return { peerIndex: parent };
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
  const other: OtherInfo = { raw: Buffer.isBuffer(raw) ? raw : EMPTY };
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
      stats: n[o + N.hasStats] === 1 ? stats(n, o + N.stats) : undefined,
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
  const out: GreInfo = { ...(rest as Omit<GreData, 'iflags' | 'oflags'>), icsum: (i & 0x8000) !== 0, ocsum: (o & 0x8000) !== 0, iseq: (i & 0x1000) !== 0, oseq: (o & 0x1000) !== 0 };
  delete out.ikey;
  delete out.okey;
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
