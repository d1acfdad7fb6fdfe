/**
 * Bridges in full: port settings, per-port VLAN filtering (the Linux-bridge access/trunk port),
 * and the forwarding database (FDB) that VXLAN meshes and static MAC entries need.
 */
import { binding, k, type NeighRequest } from '../core/binding.js';
import type { ConstantName, FieldSpec } from '../core/contract.js';
import { invalidValue } from '../core/errors.js';
import { checkLinkRef, describeRef, indexOf, readLink, type BridgePortSettings, type Link, type LinkRef } from './links.js';
import { netnsOf, resolveNetns, type NetnsOption } from '../netns/netns.js';
import { dumpAs, transact } from '../netlink/rtnl.js';
import * as v from '../core/validate.js';

/** The bridge port table (native/rtnl/kind_tables.cc `kBridgePort`). */
function portTable(): FieldSpec[] {
  const t = v.lookup(binding().portTables, 'bridge');
  if (!t) throw new Error('netdev: the addon has no bridge port table (a stale build?)');
  return t;
}

/**
 * Changes a bridge port's settings (all in one request).
 *
 * `bridge link set dev DEV [state S] [priority N] [cost N] [hairpin on|off] [guard on|off]
 * [root_block on|off] [fastleave on|off] [learning on|off] [flood on|off] [proxy_arp on|off]
 * [mcast_flood on|off] [bcast_flood on|off] [neigh_suppress on|off] [isolated on|off] …`
 * (the same settings as `ip link set DEV type bridge_slave …`)
 */
export async function setBridgePort(port: LinkRef, settings: BridgePortSettings, options: NetnsOption = {}): Promise<void> {
  port = checkLinkRef(port, 'port');
  const s = v.object(settings, 'settings');
  options = v.options(options, 'options', ['netns']);
  const fields = portTable();
  const data: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(s)) {
    if (value === undefined) continue;
    const f = fields.find((x) => x.key === key);
    const name = `settings.${key}`;
    if (!f || f.readOnly) throw invalidValue(name, value, 'is not a settable bridge port setting');
    if (f.enc === 'boolean') data[key] = v.bool(value, name);
    else if (f.enc === 'integer') data[key] = v.integer(value, name, f.min, f.max);
    else if (f.enc === 'enum') {
      if (typeof value !== 'string' || !f.names?.includes(value)) throw invalidValue(name, value, `must be one of ${f.names?.join(', ')}`);
      data[key] = value;
    }
  }
  const { ns, release } = resolveNetns(netnsOf(options));
  const op = `setBridgePort ${describeRef(port)}`;
  try {
    const index = await indexOf(ns, port, 'port');
    // The kernel applies the settings one after another and keeps those applied before one it
    // refuses: with more than one, the port's settings are read first and put back on a refusal.
    const keys = Object.keys(data);
    const before = keys.length > 1 ? (await readLink(ns, { index }, op)).port : undefined;
    // `bridge link set`'s path (AF_BRIDGE + IFLA_PROTINFO): there a port state change sticks.
    const set = (protinfo: Record<string, unknown>): Promise<unknown> =>
      transact(ns, [{ type: k('RTM_SETLINK'), link: { family: k('AF_BRIDGE'), index, protinfo } }], op);
    try {
      await set(data);
    } catch (err) {
      if (before) {
        const old = before as Record<string, unknown>;
        const undo = Object.fromEntries(keys.filter((key) => old[key] !== undefined).map((key) => [key, old[key]]));
        await set(undo).catch(() => undefined);
      }
      throw err;
    }
  } finally {
    release();
  }
}

/** A VLAN (or range) on a bridge port. */
export interface BridgeVlanSpec {
  /** VLAN id 1-4094. */
  vid: number;
  /** Last VLAN of a range vid..vidEnd. */
  vidEnd?: number;
  /** This VLAN is the port's PVID: untagged ingress frames belong to it. */
  pvid?: boolean;
  /** Egress frames of this VLAN leave untagged. */
  untagged?: boolean;
  /** Apply to the bridge device itself (`self`), rather than to a port. */
  self?: boolean;
}

/** The request's VLAN entry of a spec (a snapshot, see validate.ts). */
function vlanSpec(spec: BridgeVlanSpec): { vid: number; vidEnd?: number; pvid?: boolean; untagged?: boolean } {
  const out: { vid: number; vidEnd?: number; pvid?: boolean; untagged?: boolean } = { vid: v.integer(spec.vid, 'vlan.vid', 1, 4094) };
  if (spec.vidEnd !== undefined) {
    out.vidEnd = v.integer(spec.vidEnd, 'vlan.vidEnd', 1, 4094);
    if (out.vidEnd < out.vid) throw invalidValue('vlan.vidEnd', spec.vidEnd, 'must not be below vid', true);
    if (spec.pvid) throw invalidValue('vlan.pvid', spec.pvid, 'cannot apply to a range');
  }
  if (spec.pvid !== undefined) out.pvid = v.bool(spec.pvid, 'vlan.pvid');
  if (spec.untagged !== undefined) out.untagged = v.bool(spec.untagged, 'vlan.untagged');
  if (spec.self !== undefined) v.bool(spec.self, 'vlan.self');
  return out;
}

async function bridgeVlan(type: ConstantName, port: LinkRef, spec: BridgeVlanSpec, options: NetnsOption, op: string): Promise<void> {
  port = checkLinkRef(port, 'port');
  spec = v.options(spec, 'vlan', ['vid', 'vidEnd', 'pvid', 'untagged', 'self']);
  const vlan = vlanSpec(spec);
  options = v.options(options, 'options', ['netns']);
  const { ns, release } = resolveNetns(netnsOf(options));
  try {
    const index = await indexOf(ns, port, 'port');
    await transact(
      ns,
      [{
        type: k(type),
        link: { family: k('AF_BRIDGE'), index, bridgeVlans: [vlan], ...(spec.self ? { bridgeFlags: k('BRIDGE_FLAGS_SELF') } : {}) },
      }],
      `${op} ${vlan.vid}${vlan.vidEnd ? `-${vlan.vidEnd}` : ''} ${describeRef(port)}`,
    );
  } finally {
    release();
  }
}

/**
 * Adds a VLAN (or a range) to a bridge port; needs `vlanFiltering` on the bridge.
 *
 * `bridge vlan add vid VID[-VIDEND] dev DEV [pvid] [untagged] [self]`
 */
export async function addBridgeVlan(port: LinkRef, vlan: BridgeVlanSpec, options: NetnsOption = {}): Promise<void> {
  await bridgeVlan('RTM_SETLINK', port, vlan, options, 'addBridgeVlan');
}

/**
 * Removes a VLAN (or a range) from a bridge port. The port itself stays.
 *
 * `bridge vlan del vid VID[-VIDEND] dev DEV [self]`
 */
export async function deleteBridgeVlan(port: LinkRef, vlan: BridgeVlanSpec, options: NetnsOption = {}): Promise<void> {
  // RTM_DELLINK with family AF_BRIDGE and IFLA_AF_SPEC removes VLANs, never the device.
  await bridgeVlan('RTM_DELLINK', port, vlan, options, 'deleteBridgeVlan');
}

/** The VLANs of one bridge port (or of the bridge itself). */
export interface BridgePortVlans {
  index: number;
  name: string;
  /** Index of the bridge (null for the bridge device's own entry). */
  master: number | null;
  vlans: { vid: number; pvid: boolean; untagged: boolean }[];
}

/**
 * Lists the VLANs of every bridge port (and bridge) in a namespace, or of one link.
 *
 * `bridge vlan show [dev DEV]`
 */
export async function listBridgeVlans(options: NetnsOption & { link?: LinkRef } = {}): Promise<BridgePortVlans[]> {
  options = v.options(options, 'options', ['netns', 'link']);
  if (options.link !== undefined) checkLinkRef(options.link, 'options.link');
  const { ns, release } = resolveNetns(netnsOf(options));
  try {
    const only = options.link === undefined ? undefined : await indexOf(ns, options.link, 'options.link');
    const got = await dumpAs<Link & { vlans?: BridgePortVlans['vlans'] }>(
      ns,
      { type: k('RTM_GETLINK'), link: { family: k('AF_BRIDGE'), extMask: k('RTEXT_FILTER_BRVLAN') } },
      'listBridgeVlans',
    );
    return got
      .filter((l) => l.vlans !== undefined && (only === undefined || l.index === only))
      .map((l) => ({ index: l.index, name: l.name, master: l.master, vlans: l.vlans ?? [] }));
  } finally {
    release();
  }
}

/** A bridge forwarding-database entry (`bridge fdb`). */
export interface FdbEntry {
  /** The link the entry is on (a bridge port, or a VXLAN device). */
  index: number;
  mac: string;
  /** Remote VTEP address (VXLAN). */
  dst?: string;
  vni?: number;
  srcVni?: number;
  /** UDP destination port (VXLAN). */
  port?: number;
  vlan?: number;
  /** Outgoing device for dst (VXLAN `via`). */
  via?: number;
  /** Index of the bridge, for entries in a bridge's table. */
  master?: number;
  /** NUD states: `permanent`, `noarp` (static), `reachable` (dynamic), `stale`. */
  state: string[];
  /** `self`, `master`, `extern_learn`, `sticky`, … */
  flags: string[];
  family: 'bridge' | number;
}

/** What {@link addFdb} and {@link deleteFdb} take. */
export interface FdbSpec {
  /** MAC address; `00:00:00:00:00:00` with `dst` is the VXLAN default (flood) entry. */
  mac: string;
  dst?: string;
  vni?: number;
  srcVni?: number;
  port?: number;
  vlan?: number;
  via?: LinkRef;
  /** In the bridge's table (`master`) and/or the device's own (`self`, the default). */
  master?: boolean;
  self?: boolean;
  /** Default `permanent` (like `bridge fdb add`). */
  state?: 'permanent' | 'static' | 'dynamic';
  sticky?: boolean;
  externLearn?: boolean;
}

const FDB_KEYS = ['mac', 'dst', 'vni', 'srcVni', 'port', 'vlan', 'via', 'master', 'self', 'state', 'sticky', 'externLearn'] as const;

/** The request for an entry (a snapshot, see validate.ts), checked in full; index filled in later. */
function fdbRequest(e: FdbSpec): NeighRequest {
  const mac = e.mac === '00:00:00:00:00:00' ? e.mac : v.mac(e.mac, 'entry.mac');
  let flags = 0;
  if (e.master !== undefined && v.bool(e.master, 'entry.master')) flags |= k('NTF_MASTER');
  if (e.self !== undefined && v.bool(e.self, 'entry.self')) flags |= k('NTF_SELF');
  if (!(flags & (k('NTF_MASTER') | k('NTF_SELF')))) flags |= k('NTF_SELF');
  if (e.sticky !== undefined && v.bool(e.sticky, 'entry.sticky')) flags |= k('NTF_STICKY');
  if (e.externLearn !== undefined && v.bool(e.externLearn, 'entry.externLearn')) flags |= k('NTF_EXT_LEARNED');
  const states = { permanent: 'NUD_PERMANENT', static: 'NUD_NOARP', dynamic: 'NUD_REACHABLE' } as const;
  const state = v.lookup(states, e.state ?? 'permanent');
  if (state === undefined) throw invalidValue('entry.state', e.state, "must be 'permanent', 'static' or 'dynamic'");
  const req: NeighRequest = { family: k('AF_BRIDGE'), index: 0, state: k(state), flags, mac };
  if (e.dst !== undefined) req.dst = v.ip(e.dst, 'entry.dst');
  if (e.vni !== undefined) req.vni = v.integer(e.vni, 'entry.vni', 0, 16777215);
  if (e.srcVni !== undefined) req.srcVni = v.integer(e.srcVni, 'entry.srcVni', 0, 16777215);
  if (e.port !== undefined) req.port = v.integer(e.port, 'entry.port', 1, 65535);
  if (e.vlan !== undefined) req.vlan = v.integer(e.vlan, 'entry.vlan', 1, 4094);
  return req;
}

/**
 * Adds a forwarding-database entry. `mode: 'append'` adds another destination for the same MAC
 * (VXLAN head-end replication: one `00:00:00:00:00:00` entry per remote VTEP); `'replace'`
 * overwrites an existing one; `'add'` (default) fails with EEXIST if it exists.
 *
 * `bridge fdb add|append|replace MAC dev DEV [dst IP] [vni N] [src_vni N] [port N] [vlan N]
 * [via DEV] [self] [master] [permanent|static|dynamic] [sticky] [extern_learn]`
 */
export async function addFdb(
  link: LinkRef,
  entry: FdbSpec,
  options: NetnsOption & { mode?: 'add' | 'append' | 'replace' } = {},
): Promise<void> {
  link = checkLinkRef(link, 'link');
  options = v.options(options, 'options', ['netns', 'mode']);
  const modes = { add: 'NLM_F_EXCL', append: 'NLM_F_APPEND', replace: 'NLM_F_REPLACE' } as const;
  const modeFlag = v.lookup(modes, options.mode ?? 'add');
  if (modeFlag === undefined) throw invalidValue('options.mode', options.mode, "must be 'add', 'append' or 'replace'");
  entry = v.options(entry, 'entry', FDB_KEYS);
  const req = fdbRequest(entry);
  const via = entry.via === undefined ? undefined : checkLinkRef(entry.via, 'entry.via');
  const { ns, release } = resolveNetns(netnsOf(options));
  try {
    req.index = await indexOf(ns, link, 'link');
    if (via !== undefined) req.via = await indexOf(ns, via, 'entry.via');
    await transact(ns, [{ type: k('RTM_NEWNEIGH'), flags: k('NLM_F_CREATE') | k(modeFlag), neigh: req }], `addFdb ${entry.mac}`);
  } finally {
    release();
  }
}

/**
 * Deletes a forwarding-database entry (with `dst`, only that destination of an appended set).
 *
 * `bridge fdb del MAC dev DEV [dst IP] [vni N] [vlan N] [self] [master]`
 */
export async function deleteFdb(link: LinkRef, entry: FdbSpec, options: NetnsOption = {}): Promise<void> {
  link = checkLinkRef(link, 'link');
  options = v.options(options, 'options', ['netns']);
  entry = v.options(entry, 'entry', FDB_KEYS);
  const req = fdbRequest(entry);
  const { ns, release } = resolveNetns(netnsOf(options));
  try {
    req.index = await indexOf(ns, link, 'link');
    await transact(ns, [{ type: k('RTM_DELNEIGH'), neigh: req }], `deleteFdb ${entry.mac}`);
  } finally {
    release();
  }
}

/**
 * Lists forwarding-database entries, filtered by the kernel by link (`brport`) or bridge.
 *
 * `bridge fdb show [dev DEV] [br BRIDGE]`
 */
export async function listFdb(options: NetnsOption & { link?: LinkRef; bridge?: LinkRef } = {}): Promise<FdbEntry[]> {
  options = v.options(options, 'options', ['netns', 'link', 'bridge']);
  if (options.link !== undefined) checkLinkRef(options.link, 'options.link');
  if (options.bridge !== undefined) checkLinkRef(options.bridge, 'options.bridge');
  const { ns, release } = resolveNetns(netnsOf(options));
  try {
    const filter: NeighRequest = { family: k('AF_BRIDGE') };
    if (options.link !== undefined) filter.index = await indexOf(ns, options.link, 'options.link');
    if (options.bridge !== undefined) filter.master = await indexOf(ns, options.bridge, 'options.bridge');
    return await dumpAs<FdbEntry>(ns, { type: k('RTM_GETNEIGH'), neigh: filter }, 'listFdb');
  } finally {
    release();
  }
}
