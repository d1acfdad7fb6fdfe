/**
 * Creating links: the settings every create function shares, the create-then-read-back step, and
 * veth pairs (the bridge and the other kinds are in kinds/).
 */
import { k, type LinkRequest, type NativeNetnsHandle, type NativeNs } from '../core/binding.js';
import { handleFor, netnsOf, resolveNetns, type NetnsOption, type NetnsRef } from '../netns/netns.js';
import { transact, transactEach } from '../netlink/rtnl.js';
import * as v from '../core/validate.js';
import { asLink, indexOf, linkKey, type LinkRef } from './links.js';
import { isKind, type Link } from './types.js';

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
export function offloadFields(o: Pick<CreateLinkOptions, 'allmulti' | 'multicast' | 'gsoMaxSize' | 'gsoMaxSegs' | 'groMaxSize'>, arg: string): LinkRequest {
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

/** The far end of a veth pair: the settings a link takes at creation, for the peer. */
export interface VethPeerOptions
  extends Pick<CreateLinkOptions, 'mac' | 'mtu' | 'txqlen' | 'alias' | 'group' | 'allmulti' | 'multicast' | 'gsoMaxSize' | 'gsoMaxSegs' | 'groMaxSize'> {
  /** The peer's name; the kernel picks `vethN` when omitted. */
  name?: string;
  /** Create the peer directly in this namespace. */
  netns?: NetnsRef;
  /** Bring the peer up at creation. Default false. */
  up?: boolean;
  /** The peer's ifindex (`peer … index N`). */
  index?: number;
  /** The peer's transmit queues (`peer … numtxqueues N`); the first end's are its own. */
  numTxQueues?: number;
  /** The peer's receive queues (`peer … numrxqueues N`). */
  numRxQueues?: number;
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
