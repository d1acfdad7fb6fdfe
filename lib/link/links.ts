/**
 * Links: list, get, set, delete (one or many at once), and create veth pairs and bridges.
 */
import { k, type Decoded, type LinkRequest, type NativeNetnsHandle, type NativeNs, type Request } from '../core/binding.js';
import { constants } from 'node:os';
import { invalidType, invalidValue, refusedByState } from '../core/errors.js';
import { checkNetnsRef, handleFor, netnsOf, openNetns, resolveNetns, type NetnsOption, type NetnsRef } from '../netns/netns.js';
import { decodedAs, dumpAs, transact, transactEach } from '../netlink/rtnl.js';
import * as v from '../core/validate.js';
import './decode.js'; // registers the link batch expander (netlink/expand.ts)


import { isKind, type Link } from './types.js';
export type * from './types.js';
export { isKind };

/** A link given by name, by index, or as a Link (its index is used). */
export type LinkRef = string | number | { index: number };

/** The RTM_GETLINK key (index or name) of a link reference. @internal */
export function linkKeyOf(ref: LinkRef, arg = 'link'): LinkRequest {
  return linkKey(ref, arg);
}

function linkKey(ref: LinkRef, arg = 'link'): LinkRequest {
  const checked = checkLinkRef(ref, arg);
  return typeof checked === 'string' ? { name: checked } : { index: typeof checked === 'number' ? checked : checked.index };
}

/** Checks a link reference (name, index or Link) before any system call. @internal */
export function checkLinkRef(ref: unknown, arg = 'link'): LinkRef {
  if (typeof ref === 'string') return v.ifname(ref, arg);
  if (typeof ref === 'number') return v.integer(ref, arg, 1, 2 ** 31 - 1);
  if (typeof ref === 'object' && ref !== null) {
    // Read once, own property only; what the call goes on with is a copy that cannot change.
    const index = Object.hasOwn(ref, 'index') ? (ref as { index?: unknown }).index : undefined;
    if (typeof index === 'number') return { index: v.integer(index, `${arg}.index`, 1, 2 ** 31 - 1) };
  }
  throw invalidType(arg, 'a name, an index or a Link', ref);
}

/** @internal */
export function describeRef(ref: LinkRef): string {
  return typeof ref === 'object' ? String(ref.index) : String(ref);
}

function asLink(d: Decoded | undefined, operation: string): Link {
  if (!d) throw new Error(`netdev: no link in the kernel's reply to ${operation}`);
  return decodedAs<Link>(d);
}

/** Options of {@link listLinks}. */
export interface ListLinksOptions extends NetnsOption {
  /** Only links of this kind (filtered by the kernel). */
  kind?: string;
  /** Only ports of this master (filtered by the kernel). */
  master?: LinkRef;
}

/**
 * Lists the links of a namespace, filtered by the kernel where asked.
 *
 * `ip -d -s link show [type KIND] [master DEV]`
 */
export async function listLinks(options: ListLinksOptions = {}): Promise<Link[]> {
  options = v.options(options, 'options', ['netns', 'kind', 'master']);
  const filter: LinkRequest = {};
  if (options.kind !== undefined) filter.kind = v.linkKind(options.kind, 'options.kind');
  const master = options.master === undefined ? undefined : checkLinkRef(options.master, 'options.master');
  const { ns, release } = resolveNetns(netnsOf(options));
  try {
    if (master !== undefined) filter.master = await indexOf(ns, master, 'options.master');
    return await dumpAs<Link>(ns, { type: k('RTM_GETLINK'), link: filter }, 'listLinks');
  } finally {
    release();
  }
}

/**
 * Reads one link by name or index. Fails with ENODEV when there is none.
 *
 * `ip -d -s link show DEV`
 */
export async function getLink(ref: LinkRef, options: NetnsOption = {}): Promise<Link> {
  ref = checkLinkRef(ref);
  const key = linkKey(ref);
  options = v.options(options, 'options', ['netns']);
  const { ns, release } = resolveNetns(netnsOf(options));
  try {
    return await readLink(ns, key, `getLink ${describeRef(ref)}`);
  } finally {
    release();
  }
}

/** Reads one link in an already resolved namespace (RTM_GETLINK by index or name). @internal */
export async function readLink(ns: NativeNs, key: LinkRequest, operation: string): Promise<Link> {
  const [replies] = await transact(ns, [{ type: k('RTM_GETLINK'), link: key }], operation);
  return asLink(replies?.[0], operation);
}

// Name lookups in flight, per namespace: concurrent calls naming the same link (10,000 routes
// through 'eth0' issued together) share one RTM_GETLINK instead of sending 10,000.
const lookups = new Map<NativeNs, Map<string, Promise<number>>>();

/** A link's index: given, or looked up by name. @internal */
export function indexOf(ns: NativeNs, ref: LinkRef, arg: string): Promise<number> {
  let key: LinkRequest;
  try {
    key = linkKey(ref, arg);
  } catch (e) {
    return Promise.reject(e);
  }
  if (key.index !== undefined) return Promise.resolve(key.index);
  const name = key.name!;
  let perNs = lookups.get(ns);
  const inFlight = perNs?.get(name);
  if (inFlight) return inFlight;
  if (!perNs) lookups.set(ns, (perNs = new Map<string, Promise<number>>()));
  const byNs = perNs;
  const p = readLink(ns, key, `lookup ${describeRef(ref)}`).then((l) => l.index);
  byNs.set(name, p);
  const done = (): void => {
    byNs.delete(name);
    if (byNs.size === 0 && lookups.get(ns) === byNs) lookups.delete(ns);
  };
  p.then(done, done);
  return p;
}

/** Changes {@link setLink} can make. */
export interface LinkChanges {
  /** `ip link set DEV up|down` */
  up?: boolean;
  /** `ip link set DEV mtu N` */
  mtu?: number;
  /** `ip link set DEV address MAC` */
  mac?: string;
  /** `ip link set DEV name NEW` */
  name?: string;
  /** `ip link set DEV master BR` / `nomaster` (null) */
  master?: LinkRef | null;
  /** `ip link set DEV promisc on|off` */
  promisc?: boolean;
  /** `ip link set DEV arp on|off` */
  arp?: boolean;
  /** `ip link set DEV allmulticast on|off`: receive all multicast (the ALLMULTI flag). */
  allmulti?: boolean;
  /** `ip link set DEV multicast on|off` (the MULTICAST flag). */
  multicast?: boolean;
  /** `ip link set DEV gso_max_size N`: bytes, at most the device's TSO limit. */
  gsoMaxSize?: number;
  /** `ip link set DEV gso_max_segs N`: at most the device's TSO limit. */
  gsoMaxSegs?: number;
  /** `ip link set DEV gro_max_size N`: bytes. */
  groMaxSize?: number;
  /** `ip link set DEV txqueuelen N` */
  txqlen?: number;
  /** `ip link set DEV alias TEXT`; null removes it */
  alias?: string | null;
  /** `ip link set DEV group N` */
  group?: number;
  /**
   * `ip link set DEV netns NS`: move the link to this namespace (a name, `{ path }`, `{ pid }`,
   * `{ fd }` or a {@link Netns}). Not to be confused with the `netns` option (third argument),
   * which says where the link is now.
   */
  moveTo?: NetnsRef;
  /**
   * @deprecated The old name of {@link LinkChanges.moveTo}; still works. Easy to mistake for the
   * `netns` option (`setLink(dev, { up: true, netns: ns })` moves the link instead of looking
   * for it in `ns`). Giving both `moveTo` and `netns` is an error.
   */
  netns?: NetnsRef;
}

const CHANGE_KEYS = [
  'up', 'mtu', 'mac', 'name', 'master', 'promisc', 'arp', 'allmulti', 'multicast', 'gsoMaxSize', 'gsoMaxSegs', 'groMaxSize', 'txqlen',
  'alias', 'group', 'moveTo', 'netns',
] as const;

/**
 * Changes a link's settings in one request (all or nothing). The link is looked up in the
 * namespace of `options.netns` (the caller's by default); `changes.moveTo` moves it to another
 * namespace, where the other changes (a new `name`, `up`, …) then apply. A link that does not
 * exist fails with `ENODEV`, naming the namespace searched (`error.netns`).
 *
 * ```ts
 * await setLink('veth1', { up: true }, { netns: 'ns1' });     // ip -n ns1 link set veth1 up
 * await setLink('veth1', { moveTo: 'ns2' }, { netns: 'ns1' }); // ip -n ns1 link set veth1 netns ns2
 * ```
 *
 * `ip [-n NS] link set DEV [up|down] [mtu N] [address MAC] [name NEW] [master BR|nomaster]
 * [promisc on|off] [arp on|off] [allmulticast on|off] [multicast on|off] [gso_max_size N]
 * [gso_max_segs N] [gro_max_size N] [txqueuelen N] [alias TEXT] [group N] [netns TARGET]`
 */
export async function setLink(ref: LinkRef, changes: LinkChanges, options: NetnsOption = {}): Promise<void> {
  ref = checkLinkRef(ref);
  const key = linkKey(ref);
  // Snapshots (validate.ts): own properties only, each read once for every step below; the
  // deprecated alias is read through netnsOf (a typed read would be flagged as deprecated).
  changes = v.options(changes, 'changes', CHANGE_KEYS);
  options = v.options(options, 'options', ['netns']);
  const legacy = netnsOf(changes);
  const given = changes.moveTo;
  if (given !== undefined && legacy !== undefined)
    throw invalidValue('changes', changes, "must not have both 'moveTo' and 'netns' ('netns' is the deprecated name of 'moveTo')");
  const req: LinkRequest = {};
  if (changes.up !== undefined) req.up = v.bool(changes.up, 'changes.up');
  if (changes.mtu !== undefined) req.mtu = v.mtu(changes.mtu, 'changes.mtu');
  if (changes.mac !== undefined) req.mac = v.mac(changes.mac, 'changes.mac');
  if (changes.promisc !== undefined) req.promisc = v.bool(changes.promisc, 'changes.promisc');
  if (changes.arp !== undefined) req.arp = v.bool(changes.arp, 'changes.arp');
  Object.assign(req, offloadFields(changes, 'changes'));
  if (changes.txqlen !== undefined) req.txqlen = v.integer(changes.txqlen, 'changes.txqlen', 0, 2 ** 32 - 1);
  if (changes.group !== undefined) req.group = v.integer(changes.group, 'changes.group', 0, 2 ** 32 - 1);
  if (changes.alias !== undefined) {
    // IFALIASZ - 1: the kernel keeps at most 255 bytes.
    const alias = changes.alias === null ? '' : v.string(changes.alias, 'changes.alias', 255);
    req.alias = alias;
  }
  const rename = changes.name !== undefined ? v.ifname(changes.name, 'changes.name') : undefined;
  const master = changes.master === undefined || changes.master === null ? changes.master : checkLinkRef(changes.master, 'changes.master');
  const moveTo = given ?? legacy;
  const moveArg = given !== undefined ? 'changes.moveTo' : 'changes.netns';
  if (moveTo !== undefined) checkNetnsRef(moveTo, moveArg);
  const { ns, release } = resolveNetns(netnsOf(options));
  // The destination is referenced now, before any await (a handle closed meanwhile still
  // receives the link; see handleFor).
  let target: Promise<{ handle: NativeNetnsHandle; release: () => void }> | undefined;
  try {
    target = moveTo === undefined ? undefined : handleFor(moveTo, moveArg);
  } catch (e) {
    release();
    throw e;
  }
  try {
    const op = `setLink ${describeRef(ref)}`;
    if (target !== undefined) {
      await moveLink(ns, key, req, rename, master, (await target).handle, op);
      return;
    }
    const masterIndex = master === undefined ? undefined : master === null ? 0 : await indexOf(ns, master, 'changes.master');
    // The kernel applies a request's attributes one after another and keeps those applied before
    // one that fails (a master it refuses leaves the new MTU), and a change of master is two
    // steps of its own (off the old one, onto the new). So with a master, or more than one
    // change, the link's state is read first and what was changed is put back on a failure. The
    // master goes first, in a request of its own: it is what the kernel refuses most (a link that
    // takes no ports), and then nothing else has been touched (an MTU below 1280 applied and
    // undone would still have cost the link its IPv6 addresses).
    const effects = EFFECT_KEYS.filter((f) => req[f] !== undefined).length + (rename !== undefined ? 1 : 0);
    const before = effects > 1 || masterIndex !== undefined ? await readLink(ns, key, op) : undefined;
    const at: LinkRequest = before ? { index: before.index } : { ...key };
    if (rename !== undefined && at.index === undefined) at.index = await indexOf(ns, ref, 'link');
    // The rename goes on its own too (the kernel applies it after the MAC, and refuses a name in
    // use: EEXIST), and the MAC last: a MAC cannot always be put back (lo's all-zero one is no
    // valid address to set), so nothing may fail after it.
    const { mac, ...rest } = req;
    const steps: LinkRequest[] = [];
    if (masterIndex !== undefined) steps.push({ ...at, master: masterIndex });
    if (rename !== undefined) steps.push({ ...at, name: rename });
    if (Object.keys(rest).length > 0) steps.push({ ...rest, ...at });
    if (mac !== undefined) steps.push({ ...at, mac });
    if (steps.length === 0) steps.push({ ...at }); // no change: still ENODEV for a missing link
    for (let i = 0; i < steps.length; i++) {
      try {
        await transact(ns, [{ type: k('RTM_NEWLINK'), link: steps[i]! }], op);
      } catch (err) {
        if (before) {
          for (let j = i; j >= 0; j--)
            await transact(ns, [{ type: k('RTM_NEWLINK'), link: undoOf(steps[j]!, before) }], op).catch(() => undefined);
        }
        throw err;
      }
    }
  } finally {
    if (target !== undefined) (await target.catch(() => undefined))?.release();
    release();
  }
}

/** Kinds of link that take ports (ndo_add_slave): a master of another kind is refused (ENOTSUP). */
const MASTER_KINDS = ['bridge', 'bond', 'team', 'vrf', 'openvswitch', 'batadv'];

/**
 * setLink with moveTo. The kernel moves a link first and applies the rest of the request in the
 * target namespace, keeping the move when a later attribute is refused; and a move costs the link
 * its addresses. So what can be known is checked before anything is sent (the MTU against the
 * link's limits, the master: a link of the target namespace that takes ports), then the move goes
 * with the rename and the settings a move keeps (one request: a name taken there is EEXIST, and
 * nothing moved), then `up` and the master, in the target namespace. If those are refused, the
 * link goes back where it was, as it was (but for the addresses the kernel dropped).
 */
async function moveLink(
  ns: NativeNs,
  key: LinkRequest,
  req: LinkRequest,
  rename: string | undefined,
  master: LinkRef | null | undefined,
  target: NativeNetnsHandle,
  op: string,
): Promise<void> {
  const before = await readLink(ns, key, op);
  if (req.mtu !== undefined && before.maxMtu !== undefined && before.maxMtu > 0 && req.mtu > before.maxMtu)
    throw refusedByState(constants.errno.EINVAL, op, `mtu ${req.mtu} greater than device maximum ${before.maxMtu}`);
  if (req.mtu !== undefined && before.minMtu !== undefined && req.mtu < before.minMtu)
    throw refusedByState(constants.errno.EINVAL, op, `mtu ${req.mtu} less than device minimum ${before.minMtu}`);
  const after: LinkRequest = {};
  if (master !== undefined && master !== null) {
    const m = await readLink(target, linkKeyOf(master, 'changes.master'), op);
    if (!MASTER_KINDS.includes(m.kind ?? '')) throw refusedByState(constants.errno.EOPNOTSUPP, op, `${m.name} is a ${m.kind ?? 'plain'} link: it takes no ports`);
    after.master = m.index;
  } else if (master === null) {
    after.master = 0;
  }
  if (req.up !== undefined) after.up = req.up;
  const moved: LinkRequest = { ...req, index: before.index, ...(rename !== undefined ? { name: rename } : {}) };
  delete moved.up;
  delete moved.master;
  await transact(ns, [{ type: k('RTM_NEWLINK'), link: { ...moved, targetNetns: target } }], op);
  if (Object.keys(after).length === 0) return;
  const name = rename ?? before.name;
  try {
    await transact(target, [{ type: k('RTM_NEWLINK'), link: { name, ...after } }], op);
  } catch (err) {
    // Back where it was: the index may differ there (a clash), so it is found by name.
    const home = ns !== null && typeof ns !== 'string' ? undefined : await openNetns(ns === null ? undefined : { path: ns });
    try {
      const here = await readLink(target, { name }, op);
      const back: LinkRequest = { ...undoOf(moved, before), index: here.index, up: before.up, targetNetns: home?.handle ?? (ns as NativeNetnsHandle) };
      await transact(target, [{ type: k('RTM_NEWLINK'), link: back }], op);
    } catch {
      // the refusal is the error to report; the link stays where the kernel left it
    } finally {
      home?.close();
    }
    throw err;
  }
}

/** The settings setLink can change (besides a rename, a move and the master). */
const EFFECT_KEYS = ['up', 'promisc', 'arp', 'allmulti', 'multicast', 'gsoMaxSize', 'gsoMaxSegs', 'groMaxSize', 'mtu', 'mac', 'txqlen', 'group', 'alias'] as const;

/** A request that puts back what `req` changed, from the link's state before it. */
function undoOf(req: LinkRequest, before: Link): LinkRequest {
  const undo: LinkRequest = { index: before.index };
  if (req.name !== undefined) undo.name = before.name;
  if (req.up !== undefined) undo.up = before.up;
  if (req.promisc !== undefined) undo.promisc = before.flags.includes('PROMISC');
  if (req.arp !== undefined) undo.arp = !before.flags.includes('NOARP');
  if (req.allmulti !== undefined) undo.allmulti = before.flags.includes('ALLMULTI');
  if (req.multicast !== undefined) undo.multicast = before.flags.includes('MULTICAST');
  if (req.gsoMaxSize !== undefined && before.gsoMaxSize !== undefined) undo.gsoMaxSize = before.gsoMaxSize;
  if (req.gsoMaxSegs !== undefined && before.gsoMaxSegs !== undefined) undo.gsoMaxSegs = before.gsoMaxSegs;
  if (req.groMaxSize !== undefined && before.groMaxSize !== undefined) undo.groMaxSize = before.groMaxSize;
  if (req.mtu !== undefined) undo.mtu = before.mtu;
  if (req.mac !== undefined && before.mac !== null) undo.mac = before.mac;
  if (req.txqlen !== undefined) undo.txqlen = before.txqlen;
  if (req.group !== undefined) undo.group = before.group;
  if (req.master !== undefined) undo.master = before.master ?? 0;
  if (req.alias !== undefined) undo.alias = before.alias ?? '';
  return undo;
}

/**
 * Deletes a link (for a veth, both ends go). Each deletion waits for an RCU grace period in the
 * kernel (~16 ms): to delete many, use {@link deleteLinks}.
 *
 * `ip link delete DEV`
 */
export async function deleteLink(ref: LinkRef, options: NetnsOption = {}): Promise<void> {
  ref = checkLinkRef(ref);
  const key = linkKey(ref);
  options = v.options(options, 'options', ['netns']);
  const { ns, release } = resolveNetns(netnsOf(options));
  try {
    await transact(ns, [{ type: k('RTM_DELLINK'), link: key }], `deleteLink ${describeRef(ref)}`);
  } finally {
    release();
  }
}

/**
 * Deletes many links in one kernel operation (one RCU grace period for all of them, instead of
 * one each): the links are tagged with a fresh device group, then the group is deleted. All or
 * nothing: if any link is missing, none is deleted (their groups are restored).
 * Deleting a whole namespace is the other fast teardown (see {@link deleteNetns}).
 *
 * `ip link set DEV group N` for each, then `ip link delete group N`
 */
export async function deleteLinks(refs: readonly LinkRef[], options: NetnsOption = {}): Promise<void> {
  if (!Array.isArray(refs)) throw invalidType('links', 'an array', refs);
  const list = v.array(refs, 'links', 2 ** 20, 'an array') as LinkRef[];
  const keys = list.map((r, i) => linkKey(r, `links[${i}]`));
  options = v.options(options, 'options', ['netns']);
  if (keys.length === 0) return;
  const { ns, release } = resolveNetns(netnsOf(options));
  try {
    const op = 'deleteLinks';
    const current = await transactEach(ns, keys.map((link) => ({ type: k('RTM_GETLINK'), link })), op);
    const links: Link[] = [];
    for (const r of current) {
      if (r instanceof Error) throw r;
      links.push(asLink(r[0], op));
    }
    // A group number no link here uses (groups are 32-bit labels; 0 is the default group).
    const used = new Set(links.map((l) => l.group));
    let group: number;
    do group = 0x40000000 + Math.floor(Math.random() * 0x3fffffff);
    while (used.has(group));
    // Every link gets its own group back if tagging or the deletion fails (the kernel refuses a
    // group holding a link that cannot be deleted, such as lo, before deleting any).
    const restore = async (err: unknown): Promise<never> => {
      const back: Request[] = links.map((l) => ({ type: k('RTM_NEWLINK'), link: { index: l.index, group: l.group } }));
      await transactEach(ns, back, op);
      throw err;
    };
    const tagged = await transactEach(ns, links.map((l) => ({ type: k('RTM_NEWLINK'), link: { index: l.index, group } })), op);
    const failed = tagged.find((r): r is Error => r instanceof Error);
    if (failed) await restore(failed);
    await transact(ns, [{ type: k('RTM_DELLINK'), link: { group } }], `${op} (group ${group})`).catch(restore);
  } finally {
    release();
  }
}

/** Settings shared by the create functions. */
export interface CreateLinkOptions extends NetnsOption {
  /** The new link's name (1-15 bytes). */
  name: string;
  mtu?: number;
  mac?: string;
  /** Bring it up at creation. Default false. */
  up?: boolean;
  txqlen?: number;
  alias?: string;
  group?: number;
  /** Make it a port of this master at creation. */
  master?: LinkRef;
  /** The new link's ifindex (`index N`); the kernel picks one when omitted. EEXIST if taken. */
  index?: number;
  /** `allmulticast on|off` at creation. */
  allmulti?: boolean;
  /** `multicast on|off` at creation. */
  multicast?: boolean;
  /** `numtxqueues N`: transmit queues (fixed at creation), 1-4096. */
  numTxQueues?: number;
  /** `numrxqueues N`: receive queues (fixed at creation), 1-4096. */
  numRxQueues?: number;
  /** `gso_max_size N`: bytes. */
  gsoMaxSize?: number;
  /** `gso_max_segs N`. */
  gsoMaxSegs?: number;
  /** `gro_max_size N`: bytes. */
  groMaxSize?: number;
}

/** @internal */
export const COMMON_KEYS = [
  'netns', 'name', 'mtu', 'mac', 'up', 'txqlen', 'alias', 'group', 'master', 'index', 'allmulti', 'multicast', 'numTxQueues',
  'numRxQueues', 'gsoMaxSize', 'gsoMaxSegs', 'groMaxSize',
] as const;

/**
 * GSO_MAX_SIZE / GRO_MAX_SIZE of the kernel (512 KiB: BIG TCP); a device's own limit (its TSO
 * maximum) can be lower, and the kernel refuses more than it with EINVAL. GSO_MAX_SEGS is 65535.
 */
const MAX_GSO_SIZE = 524288;
const MAX_GSO_SEGS = 65535;
/** The kernel's cap on a device's queues (rtnl_create_link; `ip link add … numtxqueues N`). */
const MAX_QUEUES = 4096;

/** The flags and offload limits a link takes at creation and in setLink. */
function offloadFields(o: Pick<CreateLinkOptions, 'allmulti' | 'multicast' | 'gsoMaxSize' | 'gsoMaxSegs' | 'groMaxSize'>, arg: string): LinkRequest {
  const req: LinkRequest = {};
  if (o.allmulti !== undefined) req.allmulti = v.bool(o.allmulti, `${arg}.allmulti`);
  if (o.multicast !== undefined) req.multicast = v.bool(o.multicast, `${arg}.multicast`);
  if (o.gsoMaxSize !== undefined) req.gsoMaxSize = v.integer(o.gsoMaxSize, `${arg}.gsoMaxSize`, 1, MAX_GSO_SIZE);
  if (o.gsoMaxSegs !== undefined) req.gsoMaxSegs = v.integer(o.gsoMaxSegs, `${arg}.gsoMaxSegs`, 1, MAX_GSO_SEGS);
  if (o.groMaxSize !== undefined) req.groMaxSize = v.integer(o.groMaxSize, `${arg}.groMaxSize`, 1, MAX_GSO_SIZE);
  return req;
}

/** Validates the settings every create function shares. @internal */
export function commonFields(o: Partial<CreateLinkOptions>, arg: string, nameRequired: boolean): LinkRequest {
  const req: LinkRequest = {};
  if (o.name !== undefined || nameRequired) req.name = v.ifname(o.name, `${arg}.name`);
  if (o.mtu !== undefined) req.mtu = v.mtu(o.mtu, `${arg}.mtu`);
  if (o.mac !== undefined) req.mac = v.mac(o.mac, `${arg}.mac`);
  if (o.up !== undefined) req.up = v.bool(o.up, `${arg}.up`);
  if (o.txqlen !== undefined) req.txqlen = v.integer(o.txqlen, `${arg}.txqlen`, 0, 2 ** 32 - 1);
  if (o.group !== undefined) req.group = v.integer(o.group, `${arg}.group`, 0, 2 ** 32 - 1);
  if (o.alias !== undefined) {
    const alias = v.string(o.alias, `${arg}.alias`, 255);
    req.alias = alias;
  }
  if (o.master !== undefined) linkKey(o.master, `${arg}.master`);
  if (o.index !== undefined) req.index = v.integer(o.index, `${arg}.index`, 1, 2 ** 31 - 1);
  if (o.numTxQueues !== undefined) req.numTxQueues = v.integer(o.numTxQueues, `${arg}.numTxQueues`, 1, MAX_QUEUES);
  if (o.numRxQueues !== undefined) req.numRxQueues = v.integer(o.numRxQueues, `${arg}.numRxQueues`, 1, MAX_QUEUES);
  Object.assign(req, offloadFields(o, arg));
  return req;
}

/**
 * Creates a link from a prepared request and reads it back in the same round trip (the read is
 * pipelined behind the creation). Nothing is created if the kernel refuses.
 * @internal
 */
export async function createLink(
  ns: NativeNs,
  req: LinkRequest,
  master: LinkRef | undefined,
  operation: string,
): Promise<Link> {
  if (master !== undefined) req.master = await indexOf(ns, master, 'master');
  const create = k('NLM_F_CREATE') | k('NLM_F_EXCL');
  const name = req.name!;
  // The kernel ignores IFLA_IFALIAS when creating (so does `ip link add … alias`): it is set
  // after, by the new link's index (a request by name would reach a link of that name that
  // existed before, when the creation fails with EEXIST), and the creation is undone if it fails.
  const { alias } = req;
  delete req.alias;
  const results = await transactEach(
    ns,
    [{ type: k('RTM_NEWLINK'), flags: create, link: req }, { type: k('RTM_GETLINK'), link: { name } }],
    operation,
  );
  if (results[0] instanceof Error) throw results[0];
  if (results[1] instanceof Error) throw results[1];
  const link = asLink(results[1]![0], operation);
  if (alias === undefined) return link;
  try {
    await transact(ns, [{ type: k('RTM_NEWLINK'), link: { index: link.index, alias } }], operation);
  } catch (err) {
    await transact(ns, [{ type: k('RTM_DELLINK'), link: { index: link.index } }], operation).catch(() => undefined);
    throw err;
  }
  return { ...link, alias };
}

/** The far end of a veth pair. */
export interface VethPeerOptions {
  /** The peer's name; the kernel picks `vethN` when omitted. */
  name?: string;
  /** Create the peer directly in this namespace. */
  netns?: NetnsRef;
  mac?: string;
  mtu?: number;
  /** Bring the peer up at creation. Default false. */
  up?: boolean;
  txqlen?: number;
  alias?: string;
  group?: number;
  /** The peer's ifindex (`peer … index N`). */
  index?: number;
  allmulti?: boolean;
  multicast?: boolean;
  /** The peer's transmit queues (`peer … numtxqueues N`); the first end's are its own. */
  numTxQueues?: number;
  /** The peer's receive queues (`peer … numrxqueues N`). */
  numRxQueues?: number;
  gsoMaxSize?: number;
  gsoMaxSegs?: number;
  groMaxSize?: number;
}

/** Options of {@link createVeth}. */
export interface CreateVethOptions extends CreateLinkOptions {
  peer?: VethPeerOptions;
}

/**
 * Creates a veth pair, the peer optionally directly in another namespace. Atomic: either both
 * ends exist afterwards or neither. Resolves with the first end.
 *
 * `ip link add NAME [index N] [mtu N] [address MAC] [numtxqueues N] [numrxqueues N] type veth
 * peer name PEER [netns NS] [index N] [address MAC] [mtu N] [numtxqueues N] [numrxqueues N]`
 */
export async function createVeth(options: CreateVethOptions): Promise<Link> {
  options = v.options(options, 'options', [...COMMON_KEYS, 'peer']);
  const req = commonFields(options, 'options', true);
  req.kind = 'veth';
  const peer = options.peer === undefined ? {} : v.object(options.peer, 'options.peer');
  v.knownKeys(peer, 'options.peer', [
    'name', 'netns', 'mac', 'mtu', 'up', 'txqlen', 'alias', 'group', 'index', 'allmulti', 'multicast', 'numTxQueues', 'numRxQueues',
    'gsoMaxSize', 'gsoMaxSegs', 'groMaxSize',
  ]);
  const peerReq = commonFields(peer, 'options.peer', false);
  req.peer = peerReq;
  // The kernel configures the peer before the pair is linked, so `up` on the peer at creation
  // fails with ENOTCONN (also with `ip link add … peer name P up`): bring it up right after.
  const peerUp = peerReq.up === true;
  delete peerReq.up;
  // The kernel ignores IFLA_IFALIAS at creation (for the peer too): set it right after, likewise.
  const peerAlias = peerReq.alias;
  delete peerReq.alias;
  const { ns, release } = resolveNetns(netnsOf(options));
  let peerNs: { handle: NativeNetnsHandle; release: () => void } | undefined;
  try {
    const peerNetns = netnsOf(peer);
    if (peerNetns !== undefined) {
      // Called before any await: the destination is referenced at call time.
      peerNs = await handleFor(peerNetns, 'options.peer.netns');
      peerReq.targetNetns = peerNs.handle;
    }
    const op = `createVeth ${req.name}`;
    const link = await createLink(ns, req, options.master, op);
    const peerIndex = isKind(link, 'veth') ? link.info.peerIndex : null;
    if ((peerUp || peerAlias !== undefined) && peerIndex) {
      try {
        const change: LinkRequest = { index: peerIndex, ...(peerUp ? { up: true } : {}), ...(peerAlias !== undefined ? { alias: peerAlias } : {}) };
        await transact(peerNs?.handle ?? ns, [{ type: k('RTM_NEWLINK'), link: change }], op);
      } catch (e) {
        await transact(ns, [{ type: k('RTM_DELLINK'), link: { index: link.index } }], op).catch(() => undefined);
        throw e;
      }
    }
    return link;
  } finally {
    peerNs?.release();
    release();
  }
}
