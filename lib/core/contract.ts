/**
 * The JS side of the contract with the addon, declared once as typed lists: the uapi constants
 * lib/ may ask for, the column slots of decoded links and routes, the packed route's fields and
 * the link counters. The addon exports the same lists (native/rtnl/contract.cc, generated there from
 * the enums the C++ code indexes with); test/unit/contract.test.mjs proves the two are equal, so a
 * slot cannot move on one side only. Misspelling a name here is a type error where it is used.
 * @internal
 */

/** Every constant the addon exports (native/api/constants.cc). */
export const CONSTANT_NAMES = [
  'RTM_NEWLINK', 'RTM_DELLINK', 'RTM_GETLINK', 'RTM_SETLINK', 'RTM_NEWLINKPROP', 'RTM_DELLINKPROP', 'RTM_NEWADDR', 'RTM_DELADDR', 'RTM_GETADDR',
  'TUN_F_CSUM', 'TUN_F_TSO4', 'TUN_F_TSO6', 'TUN_F_TSO_ECN', 'TUN_F_USO4', 'TUN_F_USO6', 'IFF_PERSIST',
  'IFF_MULTI_QUEUE', 'IFF_VNET_HDR', 'IFF_NO_PI', 'IFF_TAP', 'RTM_NEWNEIGH', 'RTM_DELNEIGH', 'RTM_GETNEIGH',
  'NUD_PERMANENT', 'NUD_NOARP', 'NUD_REACHABLE', 'NUD_STALE', 'NTF_SELF', 'NTF_MASTER', 'NTF_USE', 'NTF_EXT_LEARNED',
  'NTF_STICKY', 'RTEXT_FILTER_BRVLAN', 'BRIDGE_FLAGS_SELF', 'BRIDGE_FLAGS_MASTER', 'NLM_F_CREATE', 'NLM_F_EXCL',
  'NLM_F_REPLACE', 'NLM_F_APPEND', 'NLM_F_DUMP', 'AF_UNSPEC', 'AF_INET', 'AF_INET6', 'AF_BRIDGE', 'SOCK_STREAM',
  'SOCK_DGRAM', 'IFA_F_NODAD', 'IFA_F_NOPREFIXROUTE', 'IFA_F_HOMEADDRESS', 'IFA_F_MANAGETEMPADDR', 'IFA_F_PERMANENT',
  'IFA_F_MCAUTOJOIN', 'RT_SCOPE_UNIVERSE', 'RT_SCOPE_SITE', 'RT_SCOPE_LINK', 'RT_SCOPE_HOST', 'RT_SCOPE_NOWHERE',
  'RTEXT_FILTER_VF', 'RTEXT_FILTER_SKIP_STATS', 'ETH_P_8021Q', 'ETH_P_8021AD', 'RTM_NEWROUTE', 'RTM_DELROUTE',
  'RTM_GETROUTE', 'RTM_NEWRULE', 'RTM_DELRULE', 'RTM_GETRULE', 'RTM_NEWNSID', 'RTM_DELNSID', 'RTM_GETNSID',
  'RTN_UNSPEC', 'RTN_UNICAST', 'RTN_LOCAL', 'RTN_BROADCAST', 'RTN_ANYCAST', 'RTN_MULTICAST', 'RTN_BLACKHOLE',
  'RTN_UNREACHABLE', 'RTN_PROHIBIT', 'RTN_THROW', 'RTN_NAT', 'RTPROT_UNSPEC', 'RTPROT_REDIRECT', 'RTPROT_KERNEL',
  'RTPROT_BOOT', 'RTPROT_STATIC', 'RTPROT_RA', 'RTPROT_DHCP', 'RT_TABLE_UNSPEC', 'RT_TABLE_DEFAULT', 'RT_TABLE_MAIN',
  'RT_TABLE_LOCAL', 'RTNH_F_DEAD', 'RTNH_F_PERVASIVE', 'RTNH_F_ONLINK', 'RTNH_F_OFFLOAD', 'RTNH_F_LINKDOWN',
  'RTNH_F_UNRESOLVED', 'RTM_F_NOTIFY', 'RTM_F_CLONED', 'RTM_F_LOOKUP_TABLE', 'RTM_F_FIB_MATCH', 'FR_ACT_TO_TBL',
  'FR_ACT_GOTO', 'FR_ACT_NOP', 'FR_ACT_BLACKHOLE', 'FR_ACT_UNREACHABLE', 'FR_ACT_PROHIBIT', 'FIB_RULE_INVERT',
  'NTF_PROXY', 'NTF_ROUTER', 'NUD_INCOMPLETE', 'NUD_DELAY', 'NUD_PROBE', 'NUD_FAILED', 'NUD_NONE',
  'NETNSA_NSID_NOT_ASSIGNED', 'RTNLGRP_LINK', 'RTNLGRP_NEIGH', 'RTNLGRP_IPV4_IFADDR', 'RTNLGRP_IPV6_IFADDR',
  'RTNLGRP_IPV4_ROUTE', 'RTNLGRP_IPV6_ROUTE', 'RTNLGRP_IPV4_RULE', 'RTNLGRP_IPV6_RULE', 'RTNLGRP_NSID',
  'UV_READABLE', 'UV_WRITABLE', 'UV_DISCONNECT',
  'NETLINK_NETFILTER', 'NFNETLINK_V0', 'NFNL_SUBSYS_NFTABLES', 'NFNL_MSG_BATCH_BEGIN', 'NFNL_MSG_BATCH_END',
  'NFNL_BATCH_GENID', 'NFT_MSG_NEWTABLE', 'NFT_MSG_GETTABLE', 'NFT_MSG_DELTABLE', 'NFT_MSG_NEWCHAIN',
  'NFT_MSG_GETCHAIN', 'NFT_MSG_DELCHAIN', 'NFT_MSG_NEWRULE', 'NFT_MSG_GETRULE', 'NFT_MSG_DELRULE', 'NFT_MSG_NEWGEN',
  'NFT_MSG_GETGEN', 'NFTA_TABLE_NAME', 'NFTA_TABLE_FLAGS', 'NFTA_TABLE_USE', 'NFTA_TABLE_HANDLE', 'NFTA_TABLE_OWNER',
  'NFT_TABLE_F_DORMANT', 'NFT_TABLE_F_OWNER', 'NFTA_CHAIN_TABLE', 'NFTA_CHAIN_HANDLE', 'NFTA_CHAIN_NAME',
  'NFTA_CHAIN_HOOK', 'NFTA_CHAIN_POLICY', 'NFTA_CHAIN_TYPE', 'NFTA_HOOK_HOOKNUM', 'NFTA_HOOK_PRIORITY',
  'NFTA_RULE_TABLE', 'NFTA_RULE_CHAIN', 'NFTA_RULE_HANDLE', 'NFTA_RULE_EXPRESSIONS', 'NFTA_RULE_POSITION',
  'NFTA_RULE_USERDATA', 'NFTA_LIST_ELEM', 'NFTA_EXPR_NAME', 'NFTA_EXPR_DATA', 'NFTA_GEN_ID', 'NFTA_DATA_VALUE',
  'NFTA_DATA_VERDICT', 'NFTA_VERDICT_CODE', 'NFTA_VERDICT_CHAIN', 'NFT_JUMP', 'NFT_GOTO', 'NFT_RETURN', 'NF_ACCEPT',
  'NF_DROP', 'NFT_REG_VERDICT', 'NFT_REG_1', 'NFT_REG_2', 'NFT_REG32_00', 'NFTA_META_DREG', 'NFTA_META_KEY',
  'NFT_META_IIFNAME', 'NFT_META_OIFNAME', 'NFT_META_NFPROTO', 'NFT_META_L4PROTO', 'NFTA_PAYLOAD_DREG',
  'NFTA_PAYLOAD_BASE', 'NFTA_PAYLOAD_OFFSET', 'NFTA_PAYLOAD_LEN', 'NFT_PAYLOAD_NETWORK_HEADER',
  'NFT_PAYLOAD_TRANSPORT_HEADER', 'NFTA_CMP_SREG', 'NFTA_CMP_OP', 'NFTA_CMP_DATA', 'NFT_CMP_EQ', 'NFT_CMP_NEQ',
  'NFT_CMP_LT', 'NFT_CMP_LTE', 'NFT_CMP_GT', 'NFT_CMP_GTE', 'NFTA_RANGE_SREG', 'NFTA_RANGE_OP', 'NFTA_RANGE_FROM_DATA',
  'NFTA_RANGE_TO_DATA', 'NFT_RANGE_EQ', 'NFT_RANGE_NEQ', 'NFTA_BITWISE_SREG', 'NFTA_BITWISE_DREG', 'NFTA_BITWISE_LEN',
  'NFTA_BITWISE_MASK', 'NFTA_BITWISE_XOR', 'NFTA_IMMEDIATE_DREG', 'NFTA_IMMEDIATE_DATA', 'NFTA_CT_DREG', 'NFTA_CT_KEY',
  'NFT_CT_STATE', 'NFTA_NAT_TYPE', 'NFTA_NAT_FAMILY', 'NFTA_NAT_REG_ADDR_MIN', 'NFTA_NAT_REG_ADDR_MAX',
  'NFTA_NAT_REG_PROTO_MIN', 'NFTA_NAT_REG_PROTO_MAX', 'NFTA_NAT_FLAGS', 'NFT_NAT_SNAT', 'NFT_NAT_DNAT',
  'NFTA_MASQ_FLAGS', 'NFTA_MASQ_REG_PROTO_MIN', 'NFTA_MASQ_REG_PROTO_MAX', 'NFTA_REDIR_REG_PROTO_MIN',
  'NFTA_REDIR_REG_PROTO_MAX', 'NFTA_REDIR_FLAGS', 'NFTA_COUNTER_BYTES', 'NFTA_COUNTER_PACKETS', 'NFTA_REJECT_TYPE',
  'NFTA_REJECT_ICMP_CODE', 'NFT_REJECT_ICMP_UNREACH', 'NFT_REJECT_TCP_RST', 'NFT_REJECT_ICMPX_UNREACH',
  'NFT_REJECT_ICMPX_PORT_UNREACH', 'NFT_REJECT_ICMPX_ADMIN_PROHIBITED', 'NF_INET_PRE_ROUTING', 'NF_INET_LOCAL_IN',
  'NF_INET_FORWARD', 'NF_INET_LOCAL_OUT', 'NF_INET_POST_ROUTING', 'NFPROTO_INET', 'NFPROTO_IPV4', 'NFPROTO_IPV6',
  'NF_NAT_RANGE_MAP_IPS', 'NF_NAT_RANGE_PROTO_SPECIFIED', 'NF_NAT_RANGE_PERSISTENT', 'IPPROTO_TCP', 'IPPROTO_UDP',
  'NF_CT_STATE_ESTABLISHED', 'NF_CT_STATE_RELATED', 'NF_CT_STATE_NEW', 'NF_CT_STATE_INVALID',
  'NETLINK_GENERIC', 'GENL_ID_CTRL', 'CTRL_CMD_GETFAMILY', 'CTRL_ATTR_FAMILY_NAME', 'CTRL_ATTR_FAMILY_ID',
  'ETHTOOL_GENL_VERSION', 'ETHTOOL_MSG_STRSET_GET', 'ETHTOOL_MSG_FEATURES_GET', 'ETHTOOL_MSG_FEATURES_SET',
  'ETHTOOL_A_HEADER_DEV_INDEX', 'ETHTOOL_A_HEADER_DEV_NAME', 'ETHTOOL_A_HEADER_FLAGS', 'ETHTOOL_FLAG_COMPACT_BITSETS',
  'ETHTOOL_A_FEATURES_HEADER', 'ETHTOOL_A_FEATURES_HW', 'ETHTOOL_A_FEATURES_WANTED', 'ETHTOOL_A_FEATURES_ACTIVE',
  'ETHTOOL_A_FEATURES_NOCHANGE', 'ETHTOOL_A_BITSET_NOMASK', 'ETHTOOL_A_BITSET_SIZE', 'ETHTOOL_A_BITSET_BITS',
  'ETHTOOL_A_BITSET_VALUE', 'ETHTOOL_A_BITSET_MASK', 'ETHTOOL_A_BITSET_BITS_BIT', 'ETHTOOL_A_BITSET_BIT_INDEX',
  'ETHTOOL_A_BITSET_BIT_NAME', 'ETHTOOL_A_BITSET_BIT_VALUE', 'ETHTOOL_A_STRSET_HEADER', 'ETHTOOL_A_STRSET_STRINGSETS',
  'ETHTOOL_A_STRINGSETS_STRINGSET', 'ETHTOOL_A_STRINGSET_ID', 'ETHTOOL_A_STRINGSET_COUNT',
  'ETHTOOL_A_STRINGSET_STRINGS', 'ETHTOOL_A_STRINGS_STRING', 'ETHTOOL_A_STRING_INDEX', 'ETHTOOL_A_STRING_VALUE',
  'ETH_SS_FEATURES',
] as const;
export type ConstantName = (typeof CONSTANT_NAMES)[number];

/** Numeric columns of a decoded link; `stats` starts the LINK_STATS counters. */
export const LINK_NUMS = [
  'index', 'type', 'flags', 'operstate', 'mtu', 'minMtu', 'maxMtu', 'master', 'parent', 'parentNetnsId', 'txqlen',
  'group', 'carrier', 'promiscuity', 'numTxQueues', 'numRxQueues', 'gsoMaxSize', 'gsoMaxSegs', 'groMaxSize', 'hasStats',
  'stats',
] as const;
/** String columns of a decoded link. */
export const LINK_STRS = ['name', 'mac', 'broadcast', 'permanentMac', 'alias', 'qdisc', 'kind', 'portKind'] as const;
/** The counters of struct rtnl_link_stats64 netdev reports, in the kernel's order. */
export const LINK_STATS = [
  'rxPackets', 'txPackets', 'rxBytes', 'txBytes', 'rxErrors', 'txErrors', 'rxDropped', 'txDropped', 'multicast',
  'collisions', 'rxLengthErrors', 'rxOverErrors', 'rxCrcErrors', 'rxFrameErrors', 'rxFifoErrors', 'rxMissedErrors',
  'txAbortedErrors', 'txCarrierErrors', 'txFifoErrors', 'txHeartbeatErrors', 'txWindowErrors', 'rxCompressed',
  'txCompressed', 'rxNohandler',
] as const;
/** Numeric columns of a decoded route; the `…At`/`…End` pairs locate strings in the batch's text. */
export const ROUTE_NUMS = [
  'family', 'dstLen', 'srcLen', 'tos', 'table', 'protocol', 'scope', 'type', 'flags', 'oif', 'iif', 'priority', 'mark',
  'uid', 'pref', 'expires', 'dstAt', 'dstEnd', 'srcAt', 'srcEnd', 'gwAt', 'gwEnd', 'prefAt', 'prefEnd',
] as const;
/** The packed (positional) route request's fields, by position: the keys of RouteRequest. */
export const ROUTE_FIELDS = [
  'family', 'dstLen', 'srcLen', 'tos', 'table', 'protocol', 'scope', 'type', 'flags', 'dst', 'src', 'gateway',
  'prefsrc', 'oif', 'iif', 'priority', 'mark', 'uid', 'pref', 'expires', 'metrics', 'multipath',
] as const;

/** Each name's position, as a type: `Slots<['a', 'b']>` is `{ readonly a: 0; readonly b: 1 }`. */
export type Slots<T extends readonly string[]> = { readonly [K in keyof T as T[K] extends string ? T[K] : never]: K extends `${infer N extends number}` ? N : never };

/**
 * Compile time: an options type's settings agree with the generated type of a kind's table (same
 * keys, same value types), so a hand-written, documented option type cannot drift from it.
 */
export type Agrees<O, D> = SameSet<Required<O>, Required<D>>;
/**
 * What can be written of a table's read-back type: an enum by its names only (the addon reads back
 * a value it has no name for as its number, so the read-back type has `| number`).
 */
export type WriteOf<D> = { [K in keyof D]: [Extract<NonNullable<D[K]>, string>] extends [never] ? D[K] : Exclude<D[K], number> };

/** True when A and B are the same union (of names, keys, kinds). */
export type SameSet<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** T, once OK is true: a compile-time check carried by a type (or a value's type) that is used. */
export type Checked<T, OK extends true> = OK extends true ? T : never;

/** How a kind table's field is written (native/rtnl/kinds.cc `EncName`). */
export type Encoding =
  | 'integer' | 'boolean' | 'enum' | 'ipv4' | 'ipv6' | 'portRange' | 'qosMap' | 'macList' | 'ipv4List' | 'mac'
  | 'hex64' | 'seconds' | 'bridgeId';

/** One row of a kind's (or a port kind's) attribute table. */
export interface FieldSpec {
  /** The JS key. */
  key: string;
  /** The uapi attribute's name (`IFLA_VXLAN_ID`) and number. */
  attr: string;
  type: number;
  enc: Encoding;
  /** The range of an integer (or of seconds); 0/0 for the others. */
  min: number;
  max: number;
  /** Reported by the kernel, never written. */
  readOnly: boolean;
  /** An enum's names. */
  names?: string[];
}

/** The addon's name tables for decoded links (native/codec_link.cc `LinkTables`). */
export interface LinkTables {
  flags: [number, string][];
  operstates: string[];
  types: Record<number, string>;
  layout: { nums: number; strs: number; stats: number; extras: number };
}

/** What the addon exports of the contract (native/rtnl/contract.cc). */
export interface NativeContract {
  linkNums: string[];
  linkStrs: string[];
  linkStats: string[];
  routeNums: string[];
  routeFields: string[];
}
