/**
 * Expands what the addon decoded into the objects lib/ returns. Links arrive as one columnar
 * batch per reply (numbers in a Float64Array, strings and kind-specific objects in arrays; see
 * native/rtnl/codec_link.cc): building plain objects here is far cheaper than setting ~60 properties
 * per link through N-API. The name tables come from the addon, which holds the uapi values.
 * @internal
 */
import { binding, type Decoded } from '../core/binding.js';
import type { BridgeInfo, Link, LinkStats, OperState, RawInfo } from './types.js';
import { registerBatches } from '../netlink/expand.js';

interface LinkBatch {
  linkBatch: number;
  nums: Float64Array;
  strs: (string | undefined)[];
  extra: (Decoded | undefined)[];
}

interface Tables {
  flags: [number, string][];
  operstates: OperState[];
  types: Record<number, string>;
  layout: { nums: number; strs: number; stats: number };
  flagCache: Map<number, readonly string[]>;
}

let tables: Tables | undefined;
function getTables(): Tables {
  if (!tables) {
    const t = (binding() as unknown as { linkTables: Omit<Tables, 'flagCache'> }).linkTables;
    tables = { ...t, flagCache: new Map() };
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
  return {
    rxPackets: n[o]!, txPackets: n[o + 1]!, rxBytes: n[o + 2]!, txBytes: n[o + 3]!, rxErrors: n[o + 4]!,
    txErrors: n[o + 5]!, rxDropped: n[o + 6]!, txDropped: n[o + 7]!, multicast: n[o + 8]!, collisions: n[o + 9]!,
    rxLengthErrors: n[o + 10]!, rxOverErrors: n[o + 11]!, rxCrcErrors: n[o + 12]!, rxFrameErrors: n[o + 13]!,
    rxFifoErrors: n[o + 14]!, rxMissedErrors: n[o + 15]!, txAbortedErrors: n[o + 16]!, txCarrierErrors: n[o + 17]!,
    txFifoErrors: n[o + 18]!, txHeartbeatErrors: n[o + 19]!, txWindowErrors: n[o + 20]!, rxCompressed: n[o + 21]!,
    txCompressed: n[o + 22]!, rxNohandler: n[o + 23]!,
  };
}

function links(batch: LinkBatch): Link[] {
  const t = getTables();
  const { nums: n, strs: s, extra } = batch;
  const N = t.layout.nums;
  const S = t.layout.strs;
  const out: Link[] = new Array<Link>(batch.linkBatch);
  for (let i = 0; i < batch.linkBatch; i++) {
    const o = i * N;
    const so = i * S;
    const flags = n[o + 2]!;
    const kind = s[so + 6] ?? null;
    const parent = orNull(n[o + 8]!);
    let info: BridgeInfo | { peerIndex: number | null } | RawInfo | null = (extra[i * 3] as BridgeInfo | RawInfo | undefined) ?? null;
    if (kind === 'veth') info = { peerIndex: parent };
    else if (kind === 'vxcan') info = { peerIndex: parent };
    else if (kind === 'vxlan' && info) info = vxlanInfo(info as unknown as Record<string, unknown>);
    else if (kind === 'geneve' && info) info = geneveInfo(info as unknown as Record<string, unknown>);
    else if (kind !== null && GRE_KINDS.has(kind) && info) info = greInfo(info as unknown as Record<string, unknown>);
    const link: Link = {
      index: n[o]!,
      name: s[so] ?? '',
      kind,
      type: t.types[n[o + 1]!] ?? n[o + 1]!,
      flags: flagNames(t, flags),
      up: (flags & 1) !== 0,
      operstate: t.operstates[n[o + 3]!] ?? 'unknown',
      mtu: n[o + 4]!,
      minMtu: num(n[o + 5]!),
      maxMtu: num(n[o + 6]!),
      mac: s[so + 1] ?? null,
      broadcast: s[so + 2],
      permanentMac: s[so + 3],
      master: orNull(n[o + 7]!),
      parent,
      parentNetnsId: orNull(n[o + 9]!),
      txqlen: n[o + 10]!,
      alias: s[so + 4] ?? null,
      group: n[o + 11]!,
      carrier: Number.isNaN(n[o + 12]!) ? undefined : n[o + 12] === 1,
      promiscuity: num(n[o + 13]!),
      numTxQueues: num(n[o + 14]!),
      numRxQueues: num(n[o + 15]!),
      qdisc: s[so + 5],
      info,
      portKind: s[so + 7],
      port: extra[i * 3 + 1],
      stats: n[o + 16] === 1 ? stats(n, o + 17) : undefined,
    };
    const vlans = extra[i * 3 + 2];
    if (vlans !== undefined) (link as Link & { vlans?: unknown }).vlans = vlans;
    out[i] = link;
  }
  return out;
}

const isMulticast = (ip: string): boolean =>
  ip.includes(':') ? ip.toLowerCase().startsWith('ff') : Number(ip.split('.')[0]) >= 224 && Number(ip.split('.')[0]) <= 239;

/** VXLAN endpoints as createVxlan takes them: remote / multicastGroup / local, either family. */
function vxlanInfo(raw: Record<string, unknown>): RawInfo {
  const { group, group6, local, local6, ...rest } = raw;
  const out: Record<string, unknown> = rest;
  const endpoint = (group ?? group6) as string | undefined;
  if (endpoint !== undefined && endpoint !== '0.0.0.0' && endpoint !== '::')
    out[isMulticast(endpoint) ? 'multicastGroup' : 'remote'] = endpoint;
  const l = (local ?? local6) as string | undefined;
  if (l !== undefined && l !== '0.0.0.0' && l !== '::') out.local = l;
  return out as unknown as RawInfo;
}

/** Geneve: one `remote`, either family. */
function geneveInfo(raw: Record<string, unknown>): RawInfo {
  const { remote, remote6, ...rest } = raw;
  const out: Record<string, unknown> = rest;
  const r = (remote ?? remote6) as string | undefined;
  if (r !== undefined && r !== '0.0.0.0' && r !== '::') out.remote = r;
  return out as unknown as RawInfo;
}

const GRE_KINDS = new Set(['gre', 'gretap', 'ip6gre', 'ip6gretap']);

/** GRE: the kernel's flag words as ikey/okey (present only when keyed) and csum/seq booleans. */
function greInfo(raw: Record<string, unknown>): RawInfo {
  const { iflags, oflags, ikey, okey, ...rest } = raw;
  const i = (iflags as number | undefined) ?? 0;
  const o = (oflags as number | undefined) ?? 0;
  const out: Record<string, unknown> = { ...rest, icsum: (i & 0x8000) !== 0, ocsum: (o & 0x8000) !== 0, iseq: (i & 0x1000) !== 0, oseq: (o & 0x1000) !== 0 };
  if (i & 0x2000) out.ikey = ikey;
  if (o & 0x2000) out.okey = okey;
  return out as unknown as RawInfo;
}

function isBatch(d: Decoded): d is Decoded & LinkBatch {
  return typeof d.linkBatch === 'number';
}

registerBatches({
  is: isBatch,
  expand: (d, out) => {
    for (const l of links(d as Decoded & LinkBatch)) out.push(l as unknown as Decoded);
  },
});
