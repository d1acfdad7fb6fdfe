/**
 * The typed boundary to the native addon. Everything the addon exports is described here; the
 * rest of lib/ never touches an untyped value from it. Loaded lazily on first use so that
 * importing the package on an unsupported platform fails with a clear message, not at import.
 * @internal
 */
import * as path from 'node:path';
import { ROUTE_FIELDS, type Checked, type ConstantName, type SameSet, type FieldSpec, type LinkTables, type NativeContract } from './contract.js';

/** An error as the addon rejects with: core/errors.ts turns it into a system error. */
export interface NativeError extends Error {
  errnum: number;
  syscall: string;
  /** The kernel's extended-ack text, and nothing else. */
  extack?: string;
  /** netdev's own context (`TUNSETIFF`, `namespace already exists`), never the kernel's. */
  detail?: string;
  path?: string;
  extackOffset?: number;
}

export interface NativeNetnsHandle {
  readonly fd: number;
  readonly closed: boolean;
  readonly inode: number;
  /** Marks the handle closed; the namespace stays open until every hold() is released. */
  close(): void;
  /** Keeps the namespace open across close() until unhold() (throws if already closed). */
  hold(): void;
  unhold(): void;
}

export interface NativePoller {
  start(events: number, callback: (status: number, events: number) => void): number;
  stop(): void;
  close(): void;
  ref(): void;
  unref(): void;
}

export interface NativePacketQueue {
  readonly fd: number;
  readonly rxBuffer: ArrayBuffer;
  readonly rxOffsets: Int32Array;
  readonly rxLengths: Int32Array;
  /** Starts reading; without a callback, resumes with the previous one. */
  start(onPackets?: (count: number) => void): void;
  pause(): void;
  waitWritable(callback: () => void): void;
  write(buffer: Uint8Array, offset: number, length: number): number;
  writeBatch(buffer: Uint8Array, offsets: Int32Array, lengths: Int32Array, start: number, count: number): number;
  close(): void;
  ref(): void;
  unref(): void;
}

export interface TunOpenSpec {
  tap?: boolean;
  name?: string;
  queues?: number;
  multiQueue?: boolean;
  vnetHdr?: boolean;
  offload?: number;
  packetInfo?: boolean;
  napi?: boolean;
  persist?: boolean;
  owner?: number;
  group?: number;
  carrier?: number;
  sndbuf?: number;
  /** The link's transmit queue length, set as part of the open (a refusal undoes the open). */
  txqlen?: number;
}

export interface TapDevOpenSpec {
  link: string;
  queues?: number;
  vnetHdr?: boolean;
  offload?: number;
  sndbuf?: number;
}

/** One rtnetlink notification, decoded. */
export interface MonitorMessage {
  type: number;
  flags: number;
  /** The address family of the message's header (AF_BRIDGE link messages are about bridge ports). */
  family: number;
  objects: Decoded[];
}

export interface NativeMonitor {
  start(): void;
  pause(): void;
  drop(): void;
  /** Discards every queued notification now: how many datagrams there were, or a negative errno. */
  flush(): number;
  close(): void;
  ref(): void;
  unref(): void;
}

/** Where a native operation runs: the process's namespace, a path, or an open handle. */
export type NativeNs = null | string | NativeNetnsHandle;

/** Link fields in kernel units, as native/rtnl/codec_link.cc encodes them. */
export interface LinkRequest {
  family?: number;
  index?: number;
  name?: string;
  up?: boolean;
  promisc?: boolean;
  arp?: boolean;
  /** IFF_ALLMULTI (`allmulticast on|off`). */
  allmulti?: boolean;
  /** IFF_MULTICAST (`multicast on|off`). */
  multicast?: boolean;
  mtu?: number;
  mac?: string;
  broadcast?: string;
  txqlen?: number;
  group?: number;
  master?: number;
  alias?: string;
  /** IFLA_NET_NS_FD: where to move the link (or create the peer); held until sent. */
  targetNetns?: NativeNetnsHandle;
  netnsPid?: number;
  extMask?: number;
  /** IFLA_NUM_TX_QUEUES / IFLA_NUM_RX_QUEUES: queues, at creation only. */
  numTxQueues?: number;
  numRxQueues?: number;
  /** IFLA_GSO_MAX_SIZE, IFLA_GSO_MAX_SEGS, IFLA_GRO_MAX_SIZE. */
  gsoMaxSize?: number;
  gsoMaxSegs?: number;
  groMaxSize?: number;
  /** IFLA_PROP_LIST of IFLA_ALT_IFNAME: for RTM_NEWLINKPROP / RTM_DELLINKPROP. */
  altnames?: string[];
  kind?: string;
  peer?: LinkRequest;
  /** Kind settings, encoded by the addon's table for the kind (native/rtnl/kinds.cc). */
  data?: Record<string, unknown>;
  /** IFLA_LINK: the parent link's index. */
  parent?: number;
  /** Port settings (IFLA_INFO_SLAVE_DATA) under the master's kind `portKind` (default bridge). */
  port?: Record<string, unknown>;
  portKind?: string;
  /** Bridge port settings as IFLA_PROTINFO (AF_BRIDGE RTM_SETLINK, `bridge link set`). */
  protinfo?: Record<string, unknown>;
  /** Bridge VLANs (IFLA_AF_SPEC / IFLA_BRIDGE_VLAN_INFO) for AF_BRIDGE requests. */
  bridgeVlans?: { vid: number; vidEnd?: number; pvid?: boolean; untagged?: boolean }[];
  bridgeFlags?: number;
  infoData?: Buffer;
}

export interface AddrRequest {
  family?: number;
  prefixLength?: number;
  index?: number;
  scope?: number;
  flags?: number;
  local?: string;
  peer?: string;
  broadcast?: string;
  label?: string;
  validLifetime?: number;
  preferredLifetime?: number;
}

export interface NeighRequest {
  family?: number;
  index?: number;
  state?: number;
  flags?: number;
  mac?: string;
  dst?: string;
  vlan?: number;
  port?: number;
  vni?: number;
  srcVni?: number;
  via?: number;
  master?: number;
}

export interface RouteRequest {
  family?: number;
  dstLen?: number;
  srcLen?: number;
  tos?: number;
  table?: number;
  protocol?: number;
  scope?: number;
  type?: number;
  flags?: number;
  dst?: string;
  src?: string;
  gateway?: string;
  prefsrc?: string;
  oif?: number;
  iif?: number;
  priority?: number;
  mark?: number;
  uid?: number;
  pref?: number;
  expires?: number;
  metrics?: Record<string, unknown>;
  multipath?: { gateway?: string; oif?: number; weight?: number; flags?: number }[];
}

/**
 * A RouteRequest by position, the add paths' fast form: one slot per name of ROUTE_FIELDS
 * (core/contract.ts), which the addon reads by the same list (native/rtnl/codec.h NETDEV_ROUTE_FIELDS).
 */
export type PackedRoute = Checked<Packed<typeof ROUTE_FIELDS>, SameSet<keyof RouteRequest, (typeof ROUTE_FIELDS)[number]>>;
type Packed<F extends readonly string[]> = { readonly [I in keyof F]: F[I] extends keyof RouteRequest ? RouteRequest[F[I]] : never };


export interface RuleRequest {
  family?: number;
  dstLen?: number;
  srcLen?: number;
  tos?: number;
  table?: number;
  action?: number;
  flags?: number;
  dst?: string;
  src?: string;
  iif?: string;
  oif?: string;
  priority?: number;
  fwmark?: number;
  fwmask?: number;
  goto?: number;
  suppressPrefixLength?: number;
  suppressIfgroup?: number;
  protocol?: number;
  ipProto?: number;
  l3mdev?: boolean;
  uidRange?: { start: number; end: number };
  sportRange?: { start: number; end: number };
  dportRange?: { start: number; end: number };
}

export interface NsidRequest {
  nsid?: number;
  /** NETNSA_FD: the namespace the id is about; held until sent. */
  targetNetns?: NativeNetnsHandle;
  pid?: number;
}

/**
 * Every key of each request type, as a value: test/unit/contract.test.mjs proves that the addon's
 * encoder reads each one (each key alone changes the bytes), so a key misspelled on either side
 * cannot be dropped silently. A list that misses or misspells a key of its interface is a type error.
 */
const keysOf =
  <T>() =>
  <const K extends readonly (keyof T)[]>(keys: K, ...exact: SameSet<keyof T, K[number]> extends true ? [] : [never]): K => {
    if (exact.length !== 0) throw new TypeError('keysOf takes the key list only');
    return keys;
  };
export const REQUEST_KEYS = {
  link: keysOf<LinkRequest>()([
    'family', 'index', 'name', 'up', 'promisc', 'arp', 'allmulti', 'multicast', 'mtu', 'mac', 'broadcast', 'txqlen', 'group',
    'master', 'alias', 'targetNetns', 'netnsPid', 'extMask', 'numTxQueues', 'numRxQueues', 'gsoMaxSize', 'gsoMaxSegs',
    'groMaxSize', 'altnames', 'kind', 'peer', 'data', 'parent', 'port', 'portKind', 'protinfo', 'bridgeVlans', 'bridgeFlags',
    'infoData',
  ]),
  addr: keysOf<AddrRequest>()([
    'family', 'prefixLength', 'index', 'scope', 'flags', 'local', 'peer', 'broadcast', 'label', 'validLifetime', 'preferredLifetime',
  ]),
  neigh: keysOf<NeighRequest>()(['family', 'index', 'state', 'flags', 'mac', 'dst', 'vlan', 'port', 'vni', 'srcVni', 'via', 'master']),
  route: ROUTE_FIELDS,
  rule: keysOf<RuleRequest>()([
    'family', 'dstLen', 'srcLen', 'tos', 'table', 'action', 'flags', 'dst', 'src', 'iif', 'oif', 'priority', 'fwmark', 'fwmask',
    'goto', 'suppressPrefixLength', 'suppressIfgroup', 'protocol', 'ipProto', 'l3mdev', 'uidRange', 'sportRange', 'dportRange',
  ]),
  nsid: keysOf<NsidRequest>()(['nsid', 'targetNetns', 'pid']),
} as const;

export type Request =
  | { type: number; flags?: number; link: LinkRequest }
  | { type: number; flags?: number; addr: AddrRequest }
  | { type: number; flags?: number; neigh: NeighRequest }
  | { type: number; flags?: number; route: RouteRequest | PackedRoute }
  | { type: number; flags?: number; rule: RuleRequest }
  | { type: number; flags?: number; nsid: NsidRequest };

/** A decoded reply object: lib/ narrows it by the request it asked. */
export type Decoded = Record<string, unknown>;

/** Per request: undefined (done), the reply objects, or the kernel's refusal. */
export type RequestResult = undefined | Decoded[] | NativeError;

export interface SocketSpec {
  family: number;
  type: number;
  bindAddress?: string;
  bindPort?: number;
  reuseAddr?: boolean;
  v6Only?: boolean;
  connectAddress?: string;
  connectPort?: number;
}

export interface Binding {
  NetnsHandle: abstract new (...args: never[]) => NativeNetnsHandle;
  Poller: new (fd: number) => NativePoller;
  PacketQueue: new (fd: number, sizes?: { maxPacket?: number; maxBatch?: number; budget?: number }) => NativePacketQueue;
  tunOpen(ns: NativeNs, spec: TunOpenSpec): Promise<{ name: string; flags: number; fds: number[] }>;
  sysctl(ns: NativeNs, path: string, value?: string): Promise<string>;
  monitorOpen(ns: NativeNs, groups: number[], rcvbuf: number): Promise<{ fds: number[] }>;
  Monitor: new (fd: number, onMessages: (messages: MonitorMessage[] | number) => void) => NativeMonitor;
  tapDevOpen(ns: NativeNs, spec: TapDevOpenSpec): Promise<{ name: string; ifindex: number; fds: number[] }>;
  tunIoctl(fd: number, op: 'persist' | 'carrier' | 'offload' | 'queue', value: number): void;
  rtnl(ns: NativeNs, requests: Request[]): Promise<RequestResult[]>;
  rtnlDump(ns: NativeNs, request: Request): Promise<Decoded[]>;
  encode(requests: Request | Request[]): Buffer;
  decode(buffer: Buffer): Decoded[];
  decodeError(buffer: Buffer): { errnum: number; extack: string; extackOffset: number } | null;
  netnsCreate(dir: string | null, name: string | null): Promise<NativeNetnsHandle>;
  netnsOpen(path: string): Promise<NativeNetnsHandle>;
  netnsDelete(path: string): Promise<void>;
  netnsFromFd(fd: number): NativeNetnsHandle;
  netnsCurrent(): NativeNetnsHandle;
  socketOpen(ns: NativeNs, spec: SocketSpec): Promise<number>;
  /**
   * Raw netlink of any protocol family (`NETLINK_NETFILTER`, …): whole request messages in, one
   * entry per request out (its reply messages, or the kernel's refusal); seq, portid and the
   * REQUEST/ACK flags are set by the addon, and every request goes in one datagram.
   */
  netlink(ns: NativeNs, protocol: number, messages: Buffer, dump: false): Promise<(Buffer | NativeError)[]>;
  /** A raw dump: one request message; every reply message, concatenated. */
  netlink(ns: NativeNs, protocol: number, messages: Buffer, dump: true): Promise<Buffer>;
  /**
   * An nf_tables batch (BATCH_BEGIN, messages, BATCH_END) in one datagram on a NETLINK_NETFILTER
   * socket of the namespace; `owner`: on this environment's owner socket for it (the one that
   * owns NFT_TABLE_F_OWNER tables). One entry per message: its echoed objects, its refusal, or
   * undefined (accepted, nothing echoed: most messages of a large batch). `messages` is copied
   * before the call returns: the caller may reuse it at once.
   */
  nfBatch(ns: NativeNs, messages: Buffer, owner: boolean): Promise<(Buffer | NativeError | undefined)[]>;
  /** Closes this environment's owner socket for the namespace if it owns no table any more; whether it did. */
  nfDropOwner(ns: NativeNs): Promise<boolean>;
  /** The port id of this environment's owner socket for the namespace (NFTA_TABLE_OWNER), 0 when none. */
  nfOwnerPortid(ns: NativeNs): Promise<number>;
  socketError(fd: number): number;
  /**
   * The netlink dispatcher's counters for this environment (native/napi/dispatcher.h): I/O threads
   * started, native calls completed, event-loop turns spent collecting replies without sleeping,
   * async callbacks, and summed over the completed calls the ns from queueing to an I/O thread
   * taking it (pickup), in the kernel and the addon's I/O (execute), and from there to its
   * completion on the JS thread (deliver).
   */
  dispatcherStats(): {
    threads: number;
    completed: number;
    spinTurns: number;
    asyncWakes: number;
    pickupNs: number;
    executeNs: number;
    deliverNs: number;
  };
  constants: Record<ConstantName, number>;
  linkTables: LinkTables;
  /** Each link kind's attribute table (native/rtnl/kinds.cc): what lib/ validates and decodes by. */
  kindTables: Record<string, FieldSpec[]>;
  /** The port tables (IFLA_INFO_SLAVE_DATA) by master kind. */
  portTables: Record<string, FieldSpec[]>;
  contract: NativeContract;
}

let cached: Binding | undefined;

/** Loads the addon (prebuilt or built from source) on first use. */
export function binding(): Binding {
  if (cached) return cached;
  if (process.platform !== 'linux') {
    const err = new Error(`netdev works on Linux only (this is ${process.platform})`) as Error & { code: string };
    err.code = 'ERR_NETDEV_UNSUPPORTED_PLATFORM';
    throw err;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const load = require('node-gyp-build') as (dir: string) => Binding;
  cached = load(path.join(__dirname, '..', '..', '..')); // dist/cjs/core -> the package
  return cached;
}

/**
 * Replaces the addon that binding() returns, for lib/'s unit tests (test/unit/fake-binding.mjs):
 * a fake kernel under the real TypeScript. undefined goes back to the real addon.
 * @internal Not part of the API: reached through dist/cjs/core/binding.js only.
 */
export function setBindingForTesting(b: Binding | undefined): void {
  cached = b;
  constants = undefined;
}

/** The addon's constants, read once (k() runs tens of times per nf_tables rule). */
let constants: Record<string, unknown> | undefined;

/** A uapi constant the addon exports, by its typed name (core/contract.ts CONSTANT_NAMES). */
export function k(name: ConstantName): number {
  const c = (constants ??= binding().constants);
  // One lookup: whatever a prototype could give for a name (toString, …) is not a number.
  const v = c[name];
  if (typeof v !== 'number') throw new Error(`netdev: missing native constant ${name}`);
  return v;
}
