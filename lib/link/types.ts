/**
 * What the kernel says of a link, as lib/ returns it (`ip -d -s link show`). A leaf module of types
 * (and isKind): the link decoder (decode.ts) builds these without importing the functions of link/.
 */
import { invalidType } from '../core/errors.js';
import type { Agrees, Checked, LINK_STATS, WriteOf } from '../core/contract.js';
import type { BondPortData, BridgeData, BridgePortData, ErspanData, GeneveData, GreData, Ip6ErspanData, Ip6GreData, KindData, VxlanData } from './kinds/data.js';

/** `ip link` operational states (RFC 2863), lower-case. */
export type OperState = 'unknown' | 'notpresent' | 'down' | 'lowerlayerdown' | 'testing' | 'dormant' | 'up';

/** Interface counters (IFLA_STATS64), named as LINK_STATS lists them. Values above 2^53 lose precision. */
export type LinkStats = { [K in (typeof LINK_STATS)[number]]: number };

/** Bridge settings read back (`ip -d link show type bridge`): the `bridge` table; timers in seconds. */
export type BridgeInfo = BridgeData;

/** A veth end: its peer's index (in the namespace `parentNetnsId` names, if another). */
export interface VethInfo {
  peerIndex: number | null;
}

/** A kind whose attributes netdev does not decode yet: the raw IFLA_INFO_DATA bytes (maybe none). */
export interface RawInfo {
  raw: Buffer;
}

/** VXLAN settings read back: the endpoints as createVxlan takes them, either family. */
export type VxlanInfo = Omit<VxlanData, 'group' | 'group6' | 'local' | 'local6'> & { remote?: string; multicastGroup?: string; local?: string };
/** Geneve settings read back: one `remote`, either family. */
export type GeneveInfo = Omit<GeneveData, 'remote' | 'remote6'> & { remote?: string };
/** GRE flag words as createGre takes them: keys present only when keyed; checksum and sequencing flags. */
interface GreFlags {
  icsum: boolean;
  ocsum: boolean;
  iseq: boolean;
  oseq: boolean;
}
/** GRE/GRETAP settings read back. */
export type GreInfo = Omit<GreData, 'iflags' | 'oflags'> & GreFlags;
/** IPv6 GRE/GRETAP settings read back. */
export type Ip6GreInfo = Omit<Ip6GreData, 'iflags' | 'oflags'> & GreFlags;
/** ERSPAN settings read back: the GRE flag words as for GRE (the session id is `ikey`/`okey`). */
export type ErspanInfo = Omit<ErspanData, 'iflags' | 'oflags'> & GreFlags;
/** IPv6 ERSPAN settings read back. */
export type Ip6ErspanInfo = Omit<Ip6ErspanData, 'iflags' | 'oflags'> & GreFlags;

/** What each kind's `Link.info` holds, by kind: its table's settings, or what netdev derives. */
export type LinkInfoByKind = Omit<KindData, 'vxlan' | 'geneve' | 'gre' | 'gretap' | 'ip6gre' | 'ip6gretap' | 'erspan' | 'ip6erspan'> & {
  vxlan: VxlanInfo;
  geneve: GeneveInfo;
  gre: GreInfo;
  gretap: GreInfo;
  ip6gre: Ip6GreInfo;
  ip6gretap: Ip6GreInfo;
  erspan: ErspanInfo;
  ip6erspan: Ip6ErspanInfo;
  veth: VethInfo;
  vxcan: VethInfo;
  dummy: null;
  ifb: null;
  vcan: null;
  nlmon: null;
  tun: RawInfo;
};

/** The kinds netdev knows the settings of (or knows to have none). */
export type KnownKind = keyof LinkInfoByKind;

/** Every key of every known kind's info. */
type InfoKey = { [K in KnownKind]: LinkInfoByKind[K] extends null ? never : keyof LinkInfoByKind[K] }[KnownKind];

/**
 * `Link.info` of a kind netdev has no table for: the raw IFLA_INFO_DATA. Its other keys are typed
 * `undefined` so that narrowing on `kind` alone (`if (l.kind === 'vxlan') l.info.vni`) type-checks.
 */
export type OtherInfo = RawInfo & { readonly [K in Exclude<InfoKey, 'raw'>]?: undefined };

/** Settings of a bridge port (what {@link setBridgePort} takes). */
export interface BridgePortSettings {
  /** STP state; settable while STP is off (only `disabled` sticks without STP). */
  state?: 'disabled' | 'listening' | 'learning' | 'forwarding' | 'blocking';
  /** Port priority, 0-63. */
  priority?: number;
  /** Path cost, 1-65535. */
  cost?: number;
  hairpin?: boolean;
  /** BPDU guard. */
  bpduGuard?: boolean;
  /** Root block (`root_block`). */
  rootBlock?: boolean;
  fastLeave?: boolean;
  learning?: boolean;
  /** Unicast flooding. */
  flood?: boolean;
  proxyArp?: boolean;
  proxyArpWifi?: boolean;
  mcastFlood?: boolean;
  mcastToUnicast?: boolean;
  bcastFlood?: boolean;
  neighSuppress?: boolean;
  vlanTunnel?: boolean;
  isolated?: boolean;
  locked?: boolean;
  groupFwdMask?: number;
}

/**
 * A bridge port's settings as read back (`Link.port`; `ip -d link show` on a port): the bridge port
 * table's type, whose writable part must agree with {@link BridgePortSettings}.
 */
export type BridgePortInfo = Checked<BridgePortData, Agrees<BridgePortSettings, Omit<WriteOf<BridgePortData>, 'portId' | 'portNo'>>>;

/** What every link has, whatever its kind. */
export interface LinkBase {
  index: number;
  name: string;
  /** The hardware type: 'ether', 'loopback', 'none', … or the ARPHRD number. */
  type: string | number;
  /** Interface flags as `ip link` prints them (UP, BROADCAST, LOWER_UP, …). */
  flags: string[];
  up: boolean;
  operstate: OperState;
  mtu: number;
  minMtu?: number;
  maxMtu?: number;
  mac: string | null;
  broadcast?: string;
  permanentMac?: string;
  /** Index of the master (bridge, bond, VRF) or null. */
  master: number | null;
  /** Index of the parent/peer link (IFLA_LINK) or null. */
  parent: number | null;
  /** The namespace id (as seen from this namespace) the parent lives in, if another. */
  parentNetnsId: number | null;
  txqlen: number;
  alias: string | null;
  group: number;
  carrier?: boolean;
  promiscuity?: number;
  numTxQueues?: number;
  numRxQueues?: number;
  /** Largest GSO packet the stack builds for this link, bytes (IFLA_GSO_MAX_SIZE). */
  gsoMaxSize?: number;
  /** Most segments in one GSO packet (IFLA_GSO_MAX_SEGS). */
  gsoMaxSegs?: number;
  /** Largest packet GRO aggregates to, bytes (IFLA_GRO_MAX_SIZE). */
  groMaxSize?: number;
  /** Alternative names (`ip link property add dev DEV altname NAME`); empty when none. */
  altnames: string[];
  qdisc?: string;
  stats?: LinkStats;
}

/** A bond port's settings as read back (`Link.port` when `portKind` is 'bond'). */
export type BondPortInfo = BondPortData;

/** Port settings as read back, by the kind of master (`portKind`). */
export interface PortInfoByKind {
  bridge: BridgePortInfo;
  bond: BondPortInfo;
}

/**
 * What a link says of its master, keyed by `portKind` (IFLA_INFO_SLAVE_KIND): under a bridge,
 * `port` is the bridge port's settings; under a bond, the bond port's
 * (`if (l.portKind === 'bond') l.port?.queueId`); under a master of another kind, or none, no
 * `port`.
 */
export type LinkPort =
  | { [K in keyof PortInfoByKind]: { portKind: K; port?: PortInfoByKind[K] } }[keyof PortInfoByKind]
  | { portKind?: string; port?: undefined };

/**
 * A network interface as the kernel reports it (`ip -d -s link show`), keyed by `kind`: for a kind
 * netdev knows, `info` is that kind's settings (`if (l.kind === 'vxlan') l.info.vni`); a device
 * without a kind (lo, a NIC) has `kind` and `info` null; any other kind carries its raw attributes.
 * {@link isKind} narrows to one kind exactly. A port's settings are keyed the same way by
 * `portKind` ({@link LinkPort}).
 */
export type Link = LinkPort &
  (
    | { [K in KnownKind]: LinkBase & { kind: K; info: LinkInfoByKind[K] } }[KnownKind]
    | (LinkBase & { kind: null; info: null })
    | (LinkBase & { kind: string; info: OtherInfo })
  );

/** A link of one known kind. */
export type LinkOfKind<K extends KnownKind> = Extract<Link, { kind: K }>;

/** Narrows a link to one kind, `info` typed exactly: `if (isKind(l, 'vxlan')) l.info.vni`. */
export function isKind<K extends KnownKind>(link: Link, kind: K): link is LinkOfKind<K> {
  if (typeof link !== 'object' || link === null) throw invalidType('link', 'a Link', link);
  if (typeof kind !== 'string') throw invalidType('kind', 'of type string', kind);
  return link.kind === kind;
}
