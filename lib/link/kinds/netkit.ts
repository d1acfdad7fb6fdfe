/**
 * netkit pairs (Linux 6.7+): like veth, but each end runs the BPF programs attached to it (over
 * bpf(2), which netdev does not cover) in place of a qdisc; with none attached, its policy decides.
 */
import { type Link } from '../links.js';
import { commonFields, type CreateLinkOptions } from '../create.js';
import { handleFor, netnsOf, type NetnsRef } from '../../netns/netns.js';
import { checkData, common, create, pick, settingsOf } from './table.js';
import type { NetkitData } from './data.js';
import * as v from '../../core/validate.js';

/** The peer end of a netkit pair. Bring it up afterwards with `setLink`. */
export interface NetkitPeerOptions {
  /** The peer's name; the kernel picks `nkN` when omitted. */
  name?: string;
  /** Create the peer directly in this namespace. */
  netns?: NetnsRef;
  /** The peer's MAC address (`l2` mode only). */
  mac?: string;
  mtu?: number;
  txqlen?: number;
  group?: number;
  index?: number;
  numTxQueues?: number;
  numRxQueues?: number;
}

/** Options of {@link createNetkit}. */
export interface CreateNetkitOptions extends CreateLinkOptions {
  /** `l3` (the kernel's default: no Ethernet header, no MAC) or `l2`. */
  mode?: 'l2' | 'l3';
  /** What the first end does with packets when no BPF program is attached: `forward` (default) or `blackhole`. */
  policy?: 'forward' | 'blackhole';
  /** The same for the peer end. */
  peerPolicy?: 'forward' | 'blackhole';
  /** Scrub packet metadata (mark, priority) crossing namespaces: `default` or `none` (Linux 6.10+). */
  scrub?: 'none' | 'default';
  peerScrub?: 'none' | 'default';
  /** Headroom and tailroom reserved on both ends, bytes. */
  headroom?: number;
  tailroom?: number;
  peer?: NetkitPeerOptions;
}

const NETKIT_KEYS = settingsOf<CreateNetkitOptions, NetkitData>()(['mode', 'policy', 'peerPolicy', 'scrub', 'peerScrub', 'headroom', 'tailroom']);
const PEER_KEYS = ['name', 'netns', 'mac', 'mtu', 'txqlen', 'group', 'index', 'numTxQueues', 'numRxQueues'];

/**
 * Creates a netkit pair, the peer optionally directly in another namespace. Resolves with the
 * first (primary) end; `info.primary` tells the ends apart.
 *
 * `ip link add NAME type netkit [mode l2|l3] [forward|blackhole] [scrub none|default]
 * [peer [forward|blackhole] [scrub none|default] name PEER [netns NS]]`
 */
export async function createNetkit(options: CreateNetkitOptions): Promise<Link> {
  const o = v.object(options, 'options') as CreateNetkitOptions & Record<string, unknown>;
  const req = common(o, 'netkit', ['peer', ...NETKIT_KEYS]);
  req.data = checkData('netkit', pick(o, NETKIT_KEYS), 'options');
  const peer = o.peer === undefined ? {} : v.object(o.peer, 'options.peer');
  v.knownKeys(peer, 'options.peer', PEER_KEYS);
  req.peer = commonFields(peer, 'options.peer', false);
  const peerNetns = netnsOf(peer);
  const h = peerNetns === undefined ? undefined : await handleFor(peerNetns, 'options.peer.netns');
  try {
    if (h) req.peer.targetNetns = h.handle;
    return await create(o, req, {}, `createNetkit ${req.name}`);
  } finally {
    h?.release();
  }
}
