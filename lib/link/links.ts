/**
 * Links: references (name, index), list, get, and delete (one or many at once). Changing a link is
 * set.ts, creating one create.ts.
 */
import { k, type Decoded, type LinkRequest, type NativeNs, type Request } from '../core/binding.js';
import { invalidType } from '../core/errors.js';
import { netnsOf, resolveNetns, type NetnsOption } from '../netns/netns.js';
import { cachedIndex, learnIndex } from '../netlink/names.js';
import { decodedAs, dumpAs, transact, transactEach } from '../netlink/rtnl.js';
import * as v from '../core/validate.js';
import './decode.js'; // registers the link batch expander (netlink/expand.ts)


import { isKind, type Link } from './types.js';
export type * from './types.js';
export { isKind };

/** A link given by name, by index, or as a Link (its index is used). */
export type LinkRef = string | number | { index: number };

/** The RTM_GETLINK key (index or name) of a link reference, checked. @internal */
export function linkKey(ref: LinkRef, arg = 'link'): LinkRequest {
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

export function asLink(d: Decoded | undefined, operation: string): Link {
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

/**
 * A link's index: given, or cached (lib/netlink/names.ts: as fresh as a lookup), or looked up by
 * name. @internal
 */
export function indexOf(ns: NativeNs, ref: LinkRef, arg: string): Promise<number> {
  let key: LinkRequest;
  try {
    key = linkKey(ref, arg);
  } catch (e) {
    return Promise.reject(e);
  }
  if (key.index !== undefined) return Promise.resolve(key.index);
  const name = key.name!;
  const cached = cachedIndex(ns, name);
  if ('index' in cached) return Promise.resolve(cached.index);
  let perNs = lookups.get(ns);
  const inFlight = perNs?.get(name);
  if (inFlight) return inFlight;
  if (!perNs) lookups.set(ns, (perNs = new Map<string, Promise<number>>()));
  const byNs = perNs;
  const p = readLink(ns, key, `lookup ${describeRef(ref)}`).then((l) => {
    learnIndex(ns, name, l.index, cached.token);
    return l.index;
  });
  byNs.set(name, p);
  const done = (): void => {
    byNs.delete(name);
    if (byNs.size === 0 && lookups.get(ns) === byNs) lookups.delete(ns);
  };
  p.then(done, done);
  return p;
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
