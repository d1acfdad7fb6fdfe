/**
 * setLink: every change to a link in as few requests as the kernel allows, undone if a later step
 * is refused; moving a link to another namespace (moveTo).
 */
import { k, type LinkRequest, type NativeNetnsHandle, type NativeNs } from '../core/binding.js';
import { constants } from 'node:os';
import { invalidValue, refusedByState } from '../core/errors.js';
import { checkNetnsRef, handleFor, netnsOf, openNetns, resolveNetns, type NetnsOption, type NetnsRef } from '../netns/netns.js';
import { transact } from '../netlink/rtnl.js';
import * as v from '../core/validate.js';
import { checkLinkRef, describeRef, indexOf, linkKey, readLink, type LinkRef } from './links.js';
import { offloadFields } from './create.js';
import { type Link } from './types.js';

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
    const m = await readLink(target, linkKey(master, 'changes.master'), op);
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
