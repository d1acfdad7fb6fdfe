/**
 * Opening TUN/TAP devices (created when needed) and the character devices of macvtap/ipvtap
 * links, each as a {@link TunDevice} (tun_device.ts: its packet I/O); and persistent TUN/TAP
 * devices created and deleted without keeping them open.
 */
import { constants } from 'node:os';
import { binding, k } from '../core/binding.js';
import { invalidValue, native, refusedByState } from '../core/errors.js';
import { readLink } from '../link/links.js';
import { netnsOf, resolveNetns, type NetnsOption } from '../netns/netns.js';
import { transact } from '../netlink/rtnl.js';
import * as v from '../core/validate.js';
import { MAX_PACKET, makeTunDevice, type TunDevice } from './tun_device.js';

/** Offloads a vnetHdr device accepts (TUNSETOFFLOAD). */
export interface TunOffload {
  csum?: boolean;
  tso4?: boolean;
  tso6?: boolean;
  ecn?: boolean;
  /** UDP segmentation offload (Linux 6.2+; older kernels refuse it with EINVAL). Needs csum. */
  uso4?: boolean;
  uso6?: boolean;
}

/** Options of {@link openTun} / {@link openTap}. */
export interface OpenTunOptions extends NetnsOption {
  /** A name, a template such as `tap%d`, or omitted (the kernel picks tunN/tapN). Reading it back: `device.name`. */
  name?: string;
  /** Number of queues (IFF_MULTI_QUEUE when > 1): one fd each, packets spread by flow. Default 1. */
  queues?: number;
  /** Prefix each packet with a struct virtio_net_hdr (10 bytes). Default false. */
  vnetHdr?: boolean;
  /** Offloads (need vnetHdr): super-packets up to 64 KB. Cleared when omitted (the mask survives re-attach). */
  offload?: TunOffload;
  /** Keep the 4-byte struct tun_pi before each packet (IFF_NO_PI is the default). */
  packetInfo?: boolean;
  /** Make the device persistent (it survives close; delete with deletePersistentTun/Tap). */
  persist?: boolean;
  /** Only this uid (and/or `group`) may attach. */
  owner?: number;
  group?: number;
  /** Carrier on (default) or off. */
  carrier?: boolean;
  /**
   * Send buffer of the device's queues in bytes (TUNSETSNDBUF; the kernel's default is unlimited):
   * a write gets EAGAIN, and waits for writability, while this much written data is still queued
   * in the kernel.
   */
  sndbuf?: number;
  /** Transmit queue length set at open (the kernel's 500 drops bursts silently). Default 5000; null keeps it. */
  txqueuelen?: number | null;
  /** Packets per batch at most (1-4096). Default 64. */
  maxBatch?: number;
  /** Bytes per batch at most. Default 256 KiB. */
  batchBytes?: number;
}
const OPEN_KEYS = [
  'netns', 'name', 'queues', 'vnetHdr', 'offload', 'packetInfo', 'persist', 'owner', 'group', 'carrier', 'txqueuelen',
  'maxBatch', 'batchBytes', 'sndbuf',
] as const;

function offloadMask(offload: TunOffload | undefined, vnetHdr: boolean): number {
  let mask = 0;
  if (offload === undefined) return mask;
  const off = v.object(offload, 'options.offload');
  v.knownKeys(off, 'options.offload', ['csum', 'tso4', 'tso6', 'ecn', 'uso4', 'uso6']);
  if (!vnetHdr) throw invalidValue('options.offload', off, 'needs vnetHdr: true');
  for (const [key, value] of Object.entries(off)) if (value !== undefined) v.bool(value, `options.offload.${key}`);
  if (off.csum) mask |= k('TUN_F_CSUM');
  if (off.tso4) mask |= k('TUN_F_TSO4');
  if (off.tso6) mask |= k('TUN_F_TSO6');
  if (off.ecn) mask |= k('TUN_F_TSO_ECN');
  if (off.uso4) mask |= k('TUN_F_USO4');
  if (off.uso6) mask |= k('TUN_F_USO6');
  if ((off.tso4 || off.tso6 || off.ecn || off.uso4 || off.uso6) && !off.csum) throw invalidValue('options.offload', off, 'TSO/USO need csum');
  return mask;
}

function batchSizes(options: { maxBatch?: number; batchBytes?: number }): { maxBatch: number; budget: number } {
  return {
    maxBatch: options.maxBatch === undefined ? 64 : v.integer(options.maxBatch, 'options.maxBatch', 1, 4096),
    budget: options.batchBytes === undefined ? 256 * 1024 : v.integer(options.batchBytes, 'options.batchBytes', MAX_PACKET, 64 * 1024 * 1024),
  };
}

/** `multiQueue`: ask for IFF_MULTI_QUEUE even with one queue (a persistent device others attach to). */
async function open(kind: 'tun' | 'tap', options: OpenTunOptions, multiQueue = false): Promise<TunDevice> {
  options = v.options(options, 'options', OPEN_KEYS);
  let name: string | undefined;
  if (options.name !== undefined) {
    name = v.string(options.name, 'options.name');
    // A template has exactly one %d; otherwise the usual interface-name rules.
    const plain = name.replace('%d', '0');
    if ((name.match(/%/g) ?? []).length > 1 || (name.includes('%') && !name.includes('%d'))) throw invalidValue('options.name', name, 'may hold one %d template at most');
    v.ifname(plain, 'options.name');
  }
  const queues = options.queues === undefined ? 1 : v.integer(options.queues, 'options.queues', 1, 256);
  const vnetHdr = options.vnetHdr === undefined ? false : v.bool(options.vnetHdr, 'options.vnetHdr');
  const offload = offloadMask(options.offload, vnetHdr);
  const txq = options.txqueuelen === undefined ? 5000 : options.txqueuelen === null ? null : v.integer(options.txqueuelen, 'options.txqueuelen', 0, 2 ** 31 - 1);
  const spec = {
    tap: kind === 'tap',
    ...(name !== undefined ? { name } : {}),
    queues,
    multiQueue: multiQueue || queues > 1,
    vnetHdr,
    offload,
    packetInfo: options.packetInfo === undefined ? false : v.bool(options.packetInfo, 'options.packetInfo'),
    persist: options.persist === undefined ? false : v.bool(options.persist, 'options.persist'),
    ...(options.owner !== undefined ? { owner: v.integer(options.owner, 'options.owner', 0, 2 ** 31 - 1) } : {}),
    ...(options.group !== undefined ? { group: v.integer(options.group, 'options.group', 0, 2 ** 31 - 1) } : {}),
    ...(options.carrier !== undefined ? { carrier: v.bool(options.carrier, 'options.carrier') ? 1 : 0 } : {}),
    ...(options.sndbuf !== undefined ? { sndbuf: v.integer(options.sndbuf, 'options.sndbuf', 1, 2 ** 31 - 1) } : {}),
    ...(txq !== null ? { txqlen: txq } : {}),
  };
  const sizes = batchSizes(options);
  const { ns, release } = resolveNetns(netnsOf(options));
  let res: { name: string; flags: number; fds: number[] };
  try {
    res = await native(binding().tunOpen(ns, spec), `open${kind === 'tun' ? 'Tun' : 'Tap'} ${name ?? ''}`.trim());
  } finally {
    release();
  }
  // Attaching to an existing device of the other kind would have failed in TUNSETIFF (EINVAL).
  return makeTunDevice(res.name, kind, vnetHdr, res.fds, sizes);
}

/**
 * Opens (creating if needed) a TUN device (layer 3: IP packets). With `name` of an existing
 * persistent device, attaches to it.
 *
 * `ip tuntap add dev NAME mode tun` + opening it (`[multi_queue] [vnet_hdr] [pi] [user U] [group G]`)
 */
export function openTun(options: OpenTunOptions = {}): Promise<TunDevice> {
  return open('tun', options);
}

/**
 * Opens (creating if needed) a TAP device (layer 2: Ethernet frames).
 *
 * `ip tuntap add dev NAME mode tap` + opening it
 */
export function openTap(options: OpenTunOptions = {}): Promise<TunDevice> {
  return open('tap', options);
}

/** Options of {@link openMacvtap}. */
export interface OpenMacvtapOptions extends NetnsOption {
  /** Number of queues: the character device is opened this many times (1-256). Default 1. */
  queues?: number;
  /** Prefix each frame with a virtio_net_hdr. Default false (the kernel's default, on, is cleared). */
  vnetHdr?: boolean;
  /** Offloads (need vnetHdr). Cleared when omitted. */
  offload?: TunOffload;
  /** Send buffer in bytes (TUNSETSNDBUF). */
  sndbuf?: number;
  maxBatch?: number;
  batchBytes?: number;
}

/**
 * Opens the character device of a macvtap or ipvtap link (`/dev/tapIFINDEX`, what QEMU is handed
 * as `-netdev tap,fd=N`) with the same packet engine as {@link openTap}: Ethernet frames of the
 * link, read in batches and written one per write(). The node is found from inside the link's
 * namespace (its sysfs), so links in any namespace work, and is made privately when the caller
 * may (CAP_MKNOD), else `/dev/tapIFINDEX` is used after checking its device number. Closing the
 * device leaves the link in place (delete it with deleteLink).
 *
 * `ip link add link LOWER name NAME type macvtap mode bridge` + `exec 3<>/dev/tap$(cat /sys/class/net/NAME/ifindex)`
 */
export async function openMacvtap(link: string, options: OpenMacvtapOptions = {}): Promise<TunDevice> {
  v.ifname(link, 'link');
  options = v.options(options, 'options', ['netns', 'queues', 'vnetHdr', 'offload', 'sndbuf', 'maxBatch', 'batchBytes']);
  const queues = options.queues === undefined ? 1 : v.integer(options.queues, 'options.queues', 1, 256);
  const vnetHdr = options.vnetHdr === undefined ? false : v.bool(options.vnetHdr, 'options.vnetHdr');
  const offload = offloadMask(options.offload, vnetHdr);
  const sizes = batchSizes(options);
  const spec = {
    link,
    queues,
    vnetHdr,
    offload,
    ...(options.sndbuf !== undefined ? { sndbuf: v.integer(options.sndbuf, 'options.sndbuf', 1, 2 ** 31 - 1) } : {}),
  };
  const op = `openMacvtap ${link}`;
  const { ns, release } = resolveNetns(netnsOf(options));
  let res: { name: string; ifindex: number; fds: number[] };
  let kind: string;
  try {
    const info = await readLink(ns, { name: link }, op);
    if (info.kind !== 'macvtap' && info.kind !== 'ipvtap')
      throw refusedByState(constants.errno.EINVAL, op, `a ${info.kind ?? 'plain'} link, not a macvtap/ipvtap link`);
    kind = info.kind;
    res = await native(binding().tapDevOpen(ns, spec), op);
  } finally {
    release();
  }
  return makeTunDevice(res.name, kind as TunDevice['kind'], vnetHdr, res.fds, sizes);
}

/** Options of {@link createPersistentTun}. */
export interface PersistentTunOptions extends NetnsOption {
  name: string;
  owner?: number;
  group?: number;
  multiQueue?: boolean;
  vnetHdr?: boolean;
  packetInfo?: boolean;
}

async function createPersistent(kind: 'tun' | 'tap', options: PersistentTunOptions): Promise<string> {
  options = v.options(options, 'options', ['netns', 'name', 'owner', 'group', 'multiQueue', 'vnetHdr', 'packetInfo']);
  const multiQueue = options.multiQueue === undefined ? false : v.bool(options.multiQueue, 'options.multiQueue');
  const dev = await open(kind, {
    ...(netnsOf(options) !== undefined ? { netns: netnsOf(options) } : {}),
    name: v.string(options.name, 'options.name'),
    persist: true,
    txqueuelen: null,
    ...(options.owner !== undefined ? { owner: options.owner } : {}),
    ...(options.group !== undefined ? { group: options.group } : {}),
    ...(options.vnetHdr !== undefined ? { vnetHdr: options.vnetHdr } : {}),
    ...(options.packetInfo !== undefined ? { packetInfo: options.packetInfo } : {}),
  }, multiQueue);
  dev.close();
  return dev.name;
}

/** `ip tuntap add dev NAME mode tun [user U] [group G] [multi_queue] [vnet_hdr] [pi]`: resolves with the device name. */
export function createPersistentTun(options: PersistentTunOptions): Promise<string> {
  return createPersistent('tun', options);
}

/** `ip tuntap add dev NAME mode tap [user U] [group G] [multi_queue] [vnet_hdr] [pi]`: resolves with the device name. */
export function createPersistentTap(options: PersistentTunOptions): Promise<string> {
  return createPersistent('tap', options);
}

/**
 * Deletes a persistent TUN/TAP device (`ip tuntap del dev NAME mode tun|tap`). Refuses links of
 * another kind.
 */
export async function deletePersistentTun(name: string, options: NetnsOption = {}): Promise<void> {
  v.ifname(name);
  options = v.options(options, 'options', ['netns']);
  const op = `deletePersistentTun ${name}`;
  const { ns, release } = resolveNetns(netnsOf(options));
  try {
    const link = await readLink(ns, { name }, op);
    if (link.kind !== 'tun') throw refusedByState(constants.errno.EINVAL, op, `a ${link.kind ?? 'non-TUN'} link, not a TUN/TAP device`);
    await transact(ns, [{ type: k('RTM_DELLINK'), link: { index: link.index } }], op);
  } finally {
    release();
  }
}

/** The same as {@link deletePersistentTun} (TUN and TAP devices are both kind `tun`). */
export const deletePersistentTap: (name: string, options?: NetnsOption) => Promise<void> = deletePersistentTun;
