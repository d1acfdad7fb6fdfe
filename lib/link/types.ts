/**
 * What the kernel says of a link, as lib/ returns it (`ip -d -s link show`). A leaf module of types
 * only: the link decoder (decode.ts) builds these without importing the functions of links.ts.
 */
/** `ip link` operational states (RFC 2863), lower-case. */
export type OperState = 'unknown' | 'notpresent' | 'down' | 'lowerlayerdown' | 'testing' | 'dormant' | 'up';

/** Interface counters (IFLA_STATS64). Values above 2^53 lose precision. */
export interface LinkStats {
  rxPackets: number;
  txPackets: number;
  rxBytes: number;
  txBytes: number;
  rxErrors: number;
  txErrors: number;
  rxDropped: number;
  txDropped: number;
  multicast: number;
  collisions: number;
  rxLengthErrors: number;
  rxOverErrors: number;
  rxCrcErrors: number;
  rxFrameErrors: number;
  rxFifoErrors: number;
  rxMissedErrors: number;
  txAbortedErrors: number;
  txCarrierErrors: number;
  txFifoErrors: number;
  txHeartbeatErrors: number;
  txWindowErrors: number;
  rxCompressed: number;
  txCompressed: number;
  rxNohandler: number;
}

/** Bridge settings read back (`ip -d link show type bridge`); timers in seconds. */
export interface BridgeInfo {
  forwardDelay?: number;
  helloTime?: number;
  maxAge?: number;
  ageingTime?: number;
  stp?: boolean;
  priority?: number;
  vlanFiltering?: boolean;
  vlanProtocol?: '802.1Q' | '802.1ad';
  defaultPvid?: number;
  mcastSnooping?: boolean;
  mcastQuerier?: boolean;
  groupFwdMask?: number;
  bridgeId?: string;
  rootId?: string;
  rootPort?: number;
  rootPathCost?: number;
  topologyChange?: boolean;
}

/** A veth end: its peer's index (in the namespace `parentNetnsId` names, if another). */
export interface VethInfo {
  peerIndex: number | null;
}

/** A kind whose attributes netdev does not decode yet: the raw IFLA_INFO_DATA bytes. */
export interface RawInfo {
  raw: Buffer;
}

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

/** A bridge port's settings as read back (`Link.port`; `ip -d link show` on a port). */
export interface BridgePortInfo extends BridgePortSettings {
  portId?: number;
  portNo?: number;
}

/** A network interface as the kernel reports it (`ip -d -s link show`). */
export interface Link {
  index: number;
  name: string;
  /** The link kind (`veth`, `bridge`, …); null for devices without one (lo, physical NICs). */
  kind: string | null;
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
  qdisc?: string;
  /** Kind-specific settings (bridge, veth) or raw bytes for kinds not decoded. */
  info: BridgeInfo | VethInfo | RawInfo | null;
  /** The kind of master this link is a port of (`bridge`, …). */
  portKind?: string;
  /** Port settings when it is a bridge port. */
  port?: BridgePortInfo;
  stats?: LinkStats;
}
