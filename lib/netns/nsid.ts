/**
 * Namespace ids: the numbers one namespace gives others (`ip netns set NAME ID`,
 * `ip netns list-id`). A veth's peer in another namespace is reported with the id its own
 * namespace gives the peer's (`Link.parentNetnsId`); {@link findNetnsById} turns that id back into
 * a namespace.
 */
import { k } from '../core/binding.js';
import { invalidValue } from '../core/errors.js';
import { checkNetnsRef, handleFor, listNetns, netnsOf, refArg, resolveNetns, type NetnsOption, type NetnsRef } from './netns.js';
import { dump, transact } from '../netlink/rtnl.js';
import * as v from '../core/validate.js';

/**
 * Gives `target` the id `id` as seen from `options.netns` (the process's namespace by default).
 * EEXIST if the target already has an id there, or the id is taken. `id` -1 lets the kernel pick.
 *
 * `ip [-n NS] netns set TARGET ID`
 */
export async function setNetnsId(target: NetnsRef, id: number, options: NetnsOption = {}): Promise<void> {
  target = refArg(target, 'target');
  checkNetnsRef(target, 'target');
  const nsid = v.integer(id, 'id', -1, 2 ** 31 - 1);
  options = v.options(options, 'options', ['netns']);
  // Where to operate is resolved (and validated) before the target is opened, and whatever was
  // opened is closed on every path: a bad option costs no fd.
  const { ns, release } = resolveNetns(netnsOf(options));
  try {
    const { handle, release: releaseTarget } = await handleFor(target, 'target');
    try {
      await transact(ns, [{ type: k('RTM_NEWNSID'), flags: k('NLM_F_CREATE') | k('NLM_F_EXCL'), nsid: { nsid, targetNetns: handle } }], `setNetnsId ${nsid}`);
    } finally {
      releaseTarget();
    }
  } finally {
    release();
  }
}

/**
 * The id `options.netns` gives `target`, or null when it has none.
 *
 * `ip [-n NS] netns list-id` (for one target)
 */
export async function getNetnsId(target: NetnsRef, options: NetnsOption = {}): Promise<number | null> {
  target = refArg(target, 'target');
  checkNetnsRef(target, 'target');
  options = v.options(options, 'options', ['netns']);
  const { ns, release } = resolveNetns(netnsOf(options));
  try {
    const { handle, release: releaseTarget } = await handleFor(target, 'target');
    try {
      const [replies] = await transact(ns, [{ type: k('RTM_GETNSID'), nsid: { targetNetns: handle } }], 'getNetnsId');
      const id = replies?.[0]?.nsid as number | undefined;
      return id === undefined || id === k('NETNSA_NSID_NOT_ASSIGNED') ? null : id;
    } finally {
      releaseTarget();
    }
  } finally {
    release();
  }
}

/**
 * Every id `options.netns` has given, with the name of the named namespace (under /run/netns)
 * it belongs to, when there is one.
 *
 * `ip [-n NS] netns list-id`
 */
export async function listNetnsIds(options: NetnsOption = {}): Promise<{ id: number; name: string | null }[]> {
  options = v.options(options, 'options', ['netns']);
  const { ns, release } = resolveNetns(netnsOf(options));
  let ids: number[];
  try {
    ids = (await dump(ns, { type: k('RTM_GETNSID'), nsid: {} }, 'listNetnsIds')).map((d) => d.nsid as number);
  } finally {
    release();
  }
  const names = new Map<number, string>();
  for (const name of await listNetns()) {
    const id = await getNetnsId(name, options).catch(() => null);
    if (id !== null) names.set(id, name);
  }
  return ids.sort((a, b) => a - b).map((id) => ({ id, name: names.get(id) ?? null }));
}

/**
 * The namespace that `options.netns` knows by `id`: the first of `candidates` (default: every
 * named namespace) whose id there is `id`, or null. Use it on a veth's `parentNetnsId` to find
 * where its peer lives.
 */
export async function findNetnsById(id: number, options: NetnsOption & { candidates?: NetnsRef[] } = {}): Promise<NetnsRef | null> {
  const want = v.integer(id, 'id', 0, 2 ** 31 - 1);
  options = v.options(options, 'options', ['netns', 'candidates']);
  const list: unknown = options.candidates;
  if (list !== undefined && !Array.isArray(list)) throw invalidValue('options.candidates', list, 'must be an array of namespaces');
  // Every candidate is checked before the first lookup (the snapshot holds copies of them).
  const given = options.candidates?.map((c, i) => {
    const ref = refArg(c, `options.candidates[${i}]`);
    checkNetnsRef(ref, `options.candidates[${i}]`);
    return ref;
  });
  const netns = netnsOf(options);
  if (netns !== undefined) checkNetnsRef(netns, 'options.netns');
  const candidates = given ?? (await listNetns());
  const where = netns !== undefined ? { netns } : {};
  for (const c of candidates) if ((await getNetnsId(c, where)) === want) return c;
  return null;
}
