#include "rtnl/kinds.h"

#include <arpa/inet.h>
#include <linux/can/vxcan.h>
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/if_macsec.h>
#include <linux/if_tunnel.h>
#include <linux/if_vlan.h>
#include <linux/veth.h>
#include <sys/socket.h>

#include <cstring>
#include <map>
#include <string>

#include "rtnl/codec.h"

namespace netdev {

namespace {

// ---- the tables ----

const EnumName kVlanProtocols[] = {{0x8100, "802.1Q"}, {0x88a8, "802.1ad"}, {0, nullptr}};
const Field kVlan[] = {
    {"id", IFLA_VLAN_ID, Enc::kU16, 0, 4094},
    {"protocol", IFLA_VLAN_PROTOCOL, Enc::kEnumBe16, 0, 0, kVlanProtocols},
    {"reorderHdr", IFLA_VLAN_FLAGS, Enc::kVlanFlag, 0, 0, nullptr, VLAN_FLAG_REORDER_HDR},
    {"gvrp", IFLA_VLAN_FLAGS, Enc::kVlanFlag, 0, 0, nullptr, VLAN_FLAG_GVRP},
    {"mvrp", IFLA_VLAN_FLAGS, Enc::kVlanFlag, 0, 0, nullptr, VLAN_FLAG_MVRP},
    {"looseBinding", IFLA_VLAN_FLAGS, Enc::kVlanFlag, 0, 0, nullptr, VLAN_FLAG_LOOSE_BINDING},
    {"bridgeBinding", IFLA_VLAN_FLAGS, Enc::kVlanFlag, 0, 0, nullptr, VLAN_FLAG_BRIDGE_BINDING},
    {"ingressQos", IFLA_VLAN_INGRESS_QOS, Enc::kQosMap},
    {"egressQos", IFLA_VLAN_EGRESS_QOS, Enc::kQosMap},
};

const EnumName kVxlanDf[] = {{0, "unset"}, {1, "set"}, {2, "inherit"}, {0, nullptr}};
const Field kVxlan[] = {
    {"vni", IFLA_VXLAN_ID, Enc::kU32, 0, 16777215},
    {"group", IFLA_VXLAN_GROUP, Enc::kIn4},
    {"group6", IFLA_VXLAN_GROUP6, Enc::kIn6},
    {"local", IFLA_VXLAN_LOCAL, Enc::kIn4},
    {"local6", IFLA_VXLAN_LOCAL6, Enc::kIn6},
    {"device", IFLA_VXLAN_LINK, Enc::kU32, 1, 2147483647},
    {"port", IFLA_VXLAN_PORT, Enc::kBe16, 1, 65535},
    {"srcPortRange", IFLA_VXLAN_PORT_RANGE, Enc::kPortRange},
    {"ttl", IFLA_VXLAN_TTL, Enc::kU8, 0, 255},
    {"ttlInherit", IFLA_VXLAN_TTL_INHERIT, Enc::kFlagU8},
    {"tos", IFLA_VXLAN_TOS, Enc::kU8, 0, 255},
    {"df", IFLA_VXLAN_DF, Enc::kEnum8, 0, 0, kVxlanDf},
    {"flowlabel", IFLA_VXLAN_LABEL, Enc::kBe32, 0, 1048575},
    {"learning", IFLA_VXLAN_LEARNING, Enc::kBool8},
    {"proxy", IFLA_VXLAN_PROXY, Enc::kBool8},
    {"rsc", IFLA_VXLAN_RSC, Enc::kBool8},
    {"l2miss", IFLA_VXLAN_L2MISS, Enc::kBool8},
    {"l3miss", IFLA_VXLAN_L3MISS, Enc::kBool8},
    {"ageing", IFLA_VXLAN_AGEING, Enc::kU32, 0, 4294967295.0},
    {"limit", IFLA_VXLAN_LIMIT, Enc::kU32, 0, 4294967295.0},
    {"udpCsum", IFLA_VXLAN_UDP_CSUM, Enc::kBool8},
    {"udp6ZeroCsumTx", IFLA_VXLAN_UDP_ZERO_CSUM6_TX, Enc::kBool8},
    {"udp6ZeroCsumRx", IFLA_VXLAN_UDP_ZERO_CSUM6_RX, Enc::kBool8},
    {"remcsumTx", IFLA_VXLAN_REMCSUM_TX, Enc::kBool8},
    {"remcsumRx", IFLA_VXLAN_REMCSUM_RX, Enc::kBool8},
    {"gbp", IFLA_VXLAN_GBP, Enc::kFlag},
    {"gpe", IFLA_VXLAN_GPE, Enc::kFlag},
    {"external", IFLA_VXLAN_COLLECT_METADATA, Enc::kBool8},
    {"vnifilter", IFLA_VXLAN_VNIFILTER, Enc::kBool8},
};

const EnumName kMacvlanModes[] = {{MACVLAN_MODE_PRIVATE, "private"}, {MACVLAN_MODE_VEPA, "vepa"},
                                  {MACVLAN_MODE_BRIDGE, "bridge"},   {MACVLAN_MODE_PASSTHRU, "passthru"},
                                  {MACVLAN_MODE_SOURCE, "source"},   {0, nullptr}};
const EnumName kMacaddrModes[] = {{MACVLAN_MACADDR_ADD, "add"},
                                  {MACVLAN_MACADDR_DEL, "delete"},
                                  {MACVLAN_MACADDR_FLUSH, "flush"},
                                  {MACVLAN_MACADDR_SET, "set"},
                                  {0, nullptr}};
const Field kMacvlan[] = {
    {"mode", IFLA_MACVLAN_MODE, Enc::kEnum32, 0, 0, kMacvlanModes},
    {"nopromisc", IFLA_MACVLAN_FLAGS, Enc::kBit16, 0, 0, nullptr, MACVLAN_FLAG_NOPROMISC},
    {"nodst", IFLA_MACVLAN_FLAGS, Enc::kBit16, 0, 0, nullptr, MACVLAN_FLAG_NODST},
    {"macaddrMode", IFLA_MACVLAN_MACADDR_MODE, Enc::kEnum32, 0, 0, kMacaddrModes},
    {"macaddrs", IFLA_MACVLAN_MACADDR_DATA, Enc::kMacList},
    {"macaddrCount", IFLA_MACVLAN_MACADDR_COUNT, Enc::kU32, 0, 0},  // read-only
    {"bcQueueLen", IFLA_MACVLAN_BC_QUEUE_LEN, Enc::kU32, 0, 4294967295.0},
    {"bcQueueLenUsed", IFLA_MACVLAN_BC_QUEUE_LEN_USED, Enc::kU32, 0, 0},  // read-only
};

const EnumName kIpvlanModes[] = {
    {IPVLAN_MODE_L2, "l2"}, {IPVLAN_MODE_L3, "l3"}, {IPVLAN_MODE_L3S, "l3s"}, {0, nullptr}};
const Field kIpvlan[] = {
    {"mode", IFLA_IPVLAN_MODE, Enc::kEnum16, 0, 0, kIpvlanModes},
    {"private", IFLA_IPVLAN_FLAGS, Enc::kBit16, 0, 0, nullptr, IPVLAN_F_PRIVATE},
    {"vepa", IFLA_IPVLAN_FLAGS, Enc::kBit16, 0, 0, nullptr, IPVLAN_F_VEPA},
};

const Field kVrf[] = {{"table", IFLA_VRF_TABLE, Enc::kU32, 1, 4294967295.0}};

const EnumName kBondModes[] = {{0, "balance-rr"}, {1, "active-backup"}, {2, "balance-xor"}, {3, "broadcast"},
                               {4, "802.3ad"},    {5, "balance-tlb"},   {6, "balance-alb"}, {0, nullptr}};
const EnumName kArpValidate[] = {{0, "none"},   {1, "active"},        {2, "backup"},        {3, "all"},
                                 {4, "filter"}, {5, "filter_active"}, {6, "filter_backup"}, {0, nullptr}};
const EnumName kArpAllTargets[] = {{0, "any"}, {1, "all"}, {0, nullptr}};
const EnumName kPrimaryReselect[] = {{0, "always"}, {1, "better"}, {2, "failure"}, {0, nullptr}};
const EnumName kFailOverMac[] = {{0, "none"}, {1, "active"}, {2, "follow"}, {0, nullptr}};
const EnumName kXmitHash[] = {{0, "layer2"},   {1, "layer3+4"},    {2, "layer2+3"}, {3, "encap2+3"},
                              {4, "encap3+4"}, {5, "vlan+srcmac"}, {0, nullptr}};
const EnumName kLacpRate[] = {{0, "slow"}, {1, "fast"}, {0, nullptr}};
const EnumName kAdSelect[] = {{0, "stable"}, {1, "bandwidth"}, {2, "count"}, {0, nullptr}};
const Field kBond[] = {
    {"mode", IFLA_BOND_MODE, Enc::kEnum8, 0, 0, kBondModes},
    {"activeSlave", IFLA_BOND_ACTIVE_SLAVE, Enc::kU32, 1, 2147483647},
    {"miimon", IFLA_BOND_MIIMON, Enc::kU32, 0, 4294967295.0},
    {"updelay", IFLA_BOND_UPDELAY, Enc::kU32, 0, 4294967295.0},
    {"downdelay", IFLA_BOND_DOWNDELAY, Enc::kU32, 0, 4294967295.0},
    {"peerNotifyDelay", IFLA_BOND_PEER_NOTIF_DELAY, Enc::kU32, 0, 4294967295.0},
    {"useCarrier", IFLA_BOND_USE_CARRIER, Enc::kBool8},
    {"arpInterval", IFLA_BOND_ARP_INTERVAL, Enc::kU32, 0, 4294967295.0},
    {"arpIpTarget", IFLA_BOND_ARP_IP_TARGET, Enc::kIn4List},
    {"arpValidate", IFLA_BOND_ARP_VALIDATE, Enc::kEnum32, 0, 0, kArpValidate},
    {"arpAllTargets", IFLA_BOND_ARP_ALL_TARGETS, Enc::kEnum32, 0, 0, kArpAllTargets},
    {"primary", IFLA_BOND_PRIMARY, Enc::kU32, 1, 2147483647},
    {"primaryReselect", IFLA_BOND_PRIMARY_RESELECT, Enc::kEnum8, 0, 0, kPrimaryReselect},
    {"failOverMac", IFLA_BOND_FAIL_OVER_MAC, Enc::kEnum8, 0, 0, kFailOverMac},
    {"xmitHashPolicy", IFLA_BOND_XMIT_HASH_POLICY, Enc::kEnum8, 0, 0, kXmitHash},
    {"resendIgmp", IFLA_BOND_RESEND_IGMP, Enc::kU32, 0, 255},
    {"numPeerNotif", IFLA_BOND_NUM_PEER_NOTIF, Enc::kU8, 0, 255},
    {"allSlavesActive", IFLA_BOND_ALL_SLAVES_ACTIVE, Enc::kBool8},
    {"minLinks", IFLA_BOND_MIN_LINKS, Enc::kU32, 0, 4294967295.0},
    {"lpInterval", IFLA_BOND_LP_INTERVAL, Enc::kU32, 1, 2147483647},
    {"packetsPerSlave", IFLA_BOND_PACKETS_PER_SLAVE, Enc::kU32, 0, 65535},
    {"lacpRate", IFLA_BOND_AD_LACP_RATE, Enc::kEnum8, 0, 0, kLacpRate},
    {"adSelect", IFLA_BOND_AD_SELECT, Enc::kEnum8, 0, 0, kAdSelect},
    {"adActorSysPrio", IFLA_BOND_AD_ACTOR_SYS_PRIO, Enc::kU16, 1, 65535},
    {"adUserPortKey", IFLA_BOND_AD_USER_PORT_KEY, Enc::kU16, 0, 1023},
    {"adActorSystem", IFLA_BOND_AD_ACTOR_SYSTEM, Enc::kMac},
    {"tlbDynamicLb", IFLA_BOND_TLB_DYNAMIC_LB, Enc::kBool8},
    {"missedMax", IFLA_BOND_MISSED_MAX, Enc::kU8, 1, 255},
};

const EnumName kBondSlaveStates[] = {{0, "active"}, {1, "backup"}, {0, nullptr}};
const EnumName kMiiStatus[] = {{0, "up"}, {1, "going_down"}, {2, "down"}, {3, "going_back"}, {0, nullptr}};
const Field kBondPort[] = {
    {"state", IFLA_BOND_SLAVE_STATE, Enc::kEnum8, 0, 0, kBondSlaveStates},      // read-only
    {"miiStatus", IFLA_BOND_SLAVE_MII_STATUS, Enc::kEnum8, 0, 0, kMiiStatus},   // read-only
    {"linkFailureCount", IFLA_BOND_SLAVE_LINK_FAILURE_COUNT, Enc::kU32, 0, 0},  // read-only
    {"permHwaddr", IFLA_BOND_SLAVE_PERM_HWADDR, Enc::kMac},                     // read-only
    {"queueId", IFLA_BOND_SLAVE_QUEUE_ID, Enc::kU16, 0, 65535},
    {"prio", IFLA_BOND_SLAVE_PRIO, Enc::kS32, -2147483648.0, 2147483647},
};

// GRE family: flags and keys raw here (lib/ derives key/csum/seq); ip6gre* share the table with
// their IPv6 endpoint fields.
const Field kGre[] = {
    {"device", IFLA_GRE_LINK, Enc::kU32, 1, 2147483647},
    {"iflags", IFLA_GRE_IFLAGS, Enc::kBe16, 0, 65535},
    {"oflags", IFLA_GRE_OFLAGS, Enc::kBe16, 0, 65535},
    {"ikey", IFLA_GRE_IKEY, Enc::kBe32, 0, 4294967295.0},
    {"okey", IFLA_GRE_OKEY, Enc::kBe32, 0, 4294967295.0},
    {"local", IFLA_GRE_LOCAL, Enc::kIn4},
    {"remote", IFLA_GRE_REMOTE, Enc::kIn4},
    {"ttl", IFLA_GRE_TTL, Enc::kU8, 0, 255},
    {"tos", IFLA_GRE_TOS, Enc::kU8, 0, 255},
    {"pmtudisc", IFLA_GRE_PMTUDISC, Enc::kBool8},
    {"ignoreDf", IFLA_GRE_IGNORE_DF, Enc::kBool8},
    {"fwmark", IFLA_GRE_FWMARK, Enc::kU32, 0, 4294967295.0},
    {"external", IFLA_GRE_COLLECT_METADATA, Enc::kFlag},
};
const Field kGre6[] = {
    {"device", IFLA_GRE_LINK, Enc::kU32, 1, 2147483647},
    {"iflags", IFLA_GRE_IFLAGS, Enc::kBe16, 0, 65535},
    {"oflags", IFLA_GRE_OFLAGS, Enc::kBe16, 0, 65535},
    {"ikey", IFLA_GRE_IKEY, Enc::kBe32, 0, 4294967295.0},
    {"okey", IFLA_GRE_OKEY, Enc::kBe32, 0, 4294967295.0},
    {"local", IFLA_GRE_LOCAL, Enc::kIn6},
    {"remote", IFLA_GRE_REMOTE, Enc::kIn6},
    {"ttl", IFLA_GRE_TTL, Enc::kU8, 0, 255},
    {"encapLimit", IFLA_GRE_ENCAP_LIMIT, Enc::kU8, 0, 255},
    {"flowinfo", IFLA_GRE_FLOWINFO, Enc::kBe32, 0, 4294967295.0},
    {"flags", IFLA_GRE_FLAGS, Enc::kU32, 0, 4294967295.0},
    {"fwmark", IFLA_GRE_FWMARK, Enc::kU32, 0, 4294967295.0},
    {"external", IFLA_GRE_COLLECT_METADATA, Enc::kFlag},
};

const EnumName kGeneveDf[] = {{0, "unset"}, {1, "set"}, {2, "inherit"}, {0, nullptr}};
const Field kGeneve[] = {
    {"vni", IFLA_GENEVE_ID, Enc::kU32, 0, 16777215},
    {"remote", IFLA_GENEVE_REMOTE, Enc::kIn4},
    {"remote6", IFLA_GENEVE_REMOTE6, Enc::kIn6},
    {"ttl", IFLA_GENEVE_TTL, Enc::kU8, 0, 255},
    {"ttlInherit", IFLA_GENEVE_TTL_INHERIT, Enc::kBool8},
    {"tos", IFLA_GENEVE_TOS, Enc::kU8, 0, 255},
    {"df", IFLA_GENEVE_DF, Enc::kEnum8, 0, 0, kGeneveDf},
    {"flowlabel", IFLA_GENEVE_LABEL, Enc::kBe32, 0, 1048575},
    {"port", IFLA_GENEVE_PORT, Enc::kBe16, 1, 65535},
    {"udpCsum", IFLA_GENEVE_UDP_CSUM, Enc::kBool8},
    {"udp6ZeroCsumTx", IFLA_GENEVE_UDP_ZERO_CSUM6_TX, Enc::kBool8},
    {"udp6ZeroCsumRx", IFLA_GENEVE_UDP_ZERO_CSUM6_RX, Enc::kBool8},
    {"external", IFLA_GENEVE_COLLECT_METADATA, Enc::kFlag},
    {"innerProtoInherit", IFLA_GENEVE_INNER_PROTO_INHERIT, Enc::kFlag},
};

const Field kIptun[] = {
    {"device", IFLA_IPTUN_LINK, Enc::kU32, 1, 2147483647},
    {"local", IFLA_IPTUN_LOCAL, Enc::kIn4},
    {"remote", IFLA_IPTUN_REMOTE, Enc::kIn4},
    {"ttl", IFLA_IPTUN_TTL, Enc::kU8, 0, 255},
    {"tos", IFLA_IPTUN_TOS, Enc::kU8, 0, 255},
    {"pmtudisc", IFLA_IPTUN_PMTUDISC, Enc::kBool8},
    {"proto", IFLA_IPTUN_PROTO, Enc::kU8, 0, 255},
    {"fwmark", IFLA_IPTUN_FWMARK, Enc::kU32, 0, 4294967295.0},
    {"external", IFLA_IPTUN_COLLECT_METADATA, Enc::kFlag},
};

const EnumName kMacsecCiphers[] = {{MACSEC_CIPHER_ID_GCM_AES_128, "gcm-aes-128"},
                                   {MACSEC_CIPHER_ID_GCM_AES_256, "gcm-aes-256"},
                                   {MACSEC_CIPHER_ID_GCM_AES_XPN_128, "gcm-aes-xpn-128"},
                                   {MACSEC_CIPHER_ID_GCM_AES_XPN_256, "gcm-aes-xpn-256"},
                                   {MACSEC_DEFAULT_CIPHER_ID, "gcm-aes-128"},
                                   {0, nullptr}};
const EnumName kMacsecValidate[] = {{MACSEC_VALIDATE_DISABLED, "disabled"},
                                    {MACSEC_VALIDATE_CHECK, "check"},
                                    {MACSEC_VALIDATE_STRICT, "strict"},
                                    {0, nullptr}};
const EnumName kMacsecOffload[] = {
    {MACSEC_OFFLOAD_OFF, "off"}, {MACSEC_OFFLOAD_PHY, "phy"}, {MACSEC_OFFLOAD_MAC, "mac"}, {0, nullptr}};
const Field kMacsec[] = {
    {"sci", IFLA_MACSEC_SCI, Enc::kHex64},
    {"port", IFLA_MACSEC_PORT, Enc::kBe16, 1, 65535},
    {"icvLen", IFLA_MACSEC_ICV_LEN, Enc::kU8, 8, 16},
    {"cipher", IFLA_MACSEC_CIPHER_SUITE, Enc::kEnum64, 0, 0, kMacsecCiphers},
    {"window", IFLA_MACSEC_WINDOW, Enc::kU32, 0, 4294967295.0},
    {"encodingSa", IFLA_MACSEC_ENCODING_SA, Enc::kU8, 0, 3},
    {"encrypt", IFLA_MACSEC_ENCRYPT, Enc::kBool8},
    {"protect", IFLA_MACSEC_PROTECT, Enc::kBool8},
    {"sendSci", IFLA_MACSEC_INC_SCI, Enc::kBool8},
    {"endStation", IFLA_MACSEC_ES, Enc::kBool8},
    {"scb", IFLA_MACSEC_SCB, Enc::kBool8},
    {"replayProtect", IFLA_MACSEC_REPLAY_PROTECT, Enc::kBool8},
    {"validate", IFLA_MACSEC_VALIDATION, Enc::kEnum8, 0, 0, kMacsecValidate},
    {"offload", IFLA_MACSEC_OFFLOAD, Enc::kEnum8, 0, 0, kMacsecOffload},
};

// Settings of a bridge port (IFLA_INFO_SLAVE_KIND "bridge"): `ip link set DEV type bridge_slave …`.
const EnumName kBrPortStates[] = {{BR_STATE_DISABLED, "disabled"}, {BR_STATE_LISTENING, "listening"},
                                  {BR_STATE_LEARNING, "learning"}, {BR_STATE_FORWARDING, "forwarding"},
                                  {BR_STATE_BLOCKING, "blocking"}, {0, nullptr}};
const Field kBridgePort[] = {
    {"state", IFLA_BRPORT_STATE, Enc::kEnum8, 0, 0, kBrPortStates},
    {"priority", IFLA_BRPORT_PRIORITY, Enc::kU16, 0, 63},
    {"cost", IFLA_BRPORT_COST, Enc::kU32, 1, 65535},
    {"hairpin", IFLA_BRPORT_MODE, Enc::kBool8},
    {"bpduGuard", IFLA_BRPORT_GUARD, Enc::kBool8},
    {"rootBlock", IFLA_BRPORT_PROTECT, Enc::kBool8},
    {"fastLeave", IFLA_BRPORT_FAST_LEAVE, Enc::kBool8},
    {"learning", IFLA_BRPORT_LEARNING, Enc::kBool8},
    {"flood", IFLA_BRPORT_UNICAST_FLOOD, Enc::kBool8},
    {"proxyArp", IFLA_BRPORT_PROXYARP, Enc::kBool8},
    {"proxyArpWifi", IFLA_BRPORT_PROXYARP_WIFI, Enc::kBool8},
    {"mcastFlood", IFLA_BRPORT_MCAST_FLOOD, Enc::kBool8},
    {"mcastToUnicast", IFLA_BRPORT_MCAST_TO_UCAST, Enc::kBool8},
    {"bcastFlood", IFLA_BRPORT_BCAST_FLOOD, Enc::kBool8},
    {"neighSuppress", IFLA_BRPORT_NEIGH_SUPPRESS, Enc::kBool8},
    {"vlanTunnel", IFLA_BRPORT_VLAN_TUNNEL, Enc::kBool8},
    {"isolated", IFLA_BRPORT_ISOLATED, Enc::kBool8},
    {"locked", IFLA_BRPORT_LOCKED, Enc::kBool8},
    {"groupFwdMask", IFLA_BRPORT_GROUP_FWD_MASK, Enc::kU16, 0, 65535},
    {"portId", IFLA_BRPORT_ID, Enc::kU16, 0, 0},  // read-only
    {"portNo", IFLA_BRPORT_NO, Enc::kU16, 0, 0},  // read-only
};

const KindTable kPortTables[] = {{"bridge", kBridgePort, std::size(kBridgePort)},
                                 {"bond", kBondPort, std::size(kBondPort)}};

const KindTable kTables[] = {
    {"vlan", kVlan, std::size(kVlan)},
    {"vxlan", kVxlan, std::size(kVxlan)},
    {"macvlan", kMacvlan, std::size(kMacvlan)},
    {"macvtap", kMacvlan, std::size(kMacvlan)},
    {"ipvlan", kIpvlan, std::size(kIpvlan)},
    {"ipvtap", kIpvlan, std::size(kIpvlan)},
    {"vrf", kVrf, std::size(kVrf)},
    {"bond", kBond, std::size(kBond)},
    {"gre", kGre, std::size(kGre)},
    {"gretap", kGre, std::size(kGre)},
    {"ip6gre", kGre6, std::size(kGre6)},
    {"ip6gretap", kGre6, std::size(kGre6)},
    {"geneve", kGeneve, std::size(kGeneve)},
    {"ipip", kIptun, std::size(kIptun)},
    {"sit", kIptun, std::size(kIptun)},
    {"macsec", kMacsec, std::size(kMacsec)},
};

const char* EncName(Enc e) {
  switch (e) {
    case Enc::kU8:
    case Enc::kU16:
    case Enc::kU32:
    case Enc::kBe16:
    case Enc::kBe32: return "integer";
    case Enc::kBool8:
    case Enc::kFlag:
    case Enc::kFlagU8:
    case Enc::kBit16:
    case Enc::kVlanFlag: return "boolean";
    case Enc::kEnum8:
    case Enc::kEnum16:
    case Enc::kEnumBe16:
    case Enc::kEnum32: return "enum";
    case Enc::kIn4: return "ipv4";
    case Enc::kIn6: return "ipv6";
    case Enc::kPortRange: return "portRange";
    case Enc::kQosMap: return "qosMap";
    case Enc::kMacList: return "macList";
    case Enc::kIn4List: return "ipv4List";
    case Enc::kMac: return "mac";
    case Enc::kHex64: return "hex64";
    case Enc::kEnum64: return "enum";
    case Enc::kS32: return "integer";
  }
  return "?";
}

uint64_t EnumValue(const Field& f, const std::string& name, const Napi::Env& env) {
  for (const EnumName* n = f.names; n && n->name; ++n)
    if (name == n->name) return n->value;
  ThrowType(env, std::string(f.key) + ": unknown value " + name);
}

Napi::Value EnumOut(Napi::Env env, const Field& f, uint64_t v) {
  for (const EnumName* n = f.names; n && n->name; ++n)
    if (n->value == v) return Napi::String::New(env, n->name);
  return Napi::Number::New(env, static_cast<double>(v));
}

}  // namespace

bool HasPeer(const std::string& kind) { return kind == "veth" || kind == "vxcan"; }

const KindTable* FindPortKind(const std::string& kind) {
  for (const KindTable& t : kPortTables)
    if (kind == t.kind) return &t;
  return nullptr;
}

const KindTable* FindKind(const std::string& kind) {
  for (const KindTable& t : kTables)
    if (kind == t.kind) return &t;
  return nullptr;
}

void EncodeKindData(const KindTable& k, const Napi::Object& data, MsgBuilder* b) {
  Napi::Env env = data.Env();
  // Bit fields of one attribute are combined into one attribute (with a mask for vlan flags).
  std::map<uint16_t, std::pair<uint32_t, uint32_t>> bits;  // attr -> (value, mask)
  std::map<uint16_t, Enc> bitEnc;
  for (size_t i = 0; i < k.count; ++i) {
    const Field& f = k.fields[i];
    Napi::Value v = Own(data, f.key);
    if (v.IsUndefined() || v.IsNull()) continue;
    uint32_t u = 0;
    bool flag = false;
    std::string s;
    switch (f.enc) {
      case Enc::kU8:
        GetU32(data, f.key, &u);
        b->AttrU8(f.attr, static_cast<uint8_t>(u));
        break;
      case Enc::kU16:
        GetU32(data, f.key, &u);
        b->AttrU16(f.attr, static_cast<uint16_t>(u));
        break;
      case Enc::kU32:
        GetU32(data, f.key, &u);
        b->AttrU32(f.attr, u);
        break;
      case Enc::kBe16:
        GetU32(data, f.key, &u);
        b->AttrU16(f.attr, htons(static_cast<uint16_t>(u)));
        break;
      case Enc::kBe32:
        GetU32(data, f.key, &u);
        b->AttrU32(f.attr, htonl(u));
        break;
      case Enc::kBool8:
        GetBool(data, f.key, &flag);
        b->AttrU8(f.attr, flag ? 1 : 0);
        break;
      case Enc::kFlag:
      case Enc::kFlagU8:
        GetBool(data, f.key, &flag);
        if (flag) b->AttrFlag(f.attr);
        break;
      case Enc::kEnum8:
      case Enc::kEnum16:
      case Enc::kEnumBe16:
      case Enc::kEnum32: {
        GetStr(data, f.key, &s);
        uint32_t e = static_cast<uint32_t>(EnumValue(f, s, env));
        if (f.enc == Enc::kEnum8)
          b->AttrU8(f.attr, static_cast<uint8_t>(e));
        else if (f.enc == Enc::kEnum16)
          b->AttrU16(f.attr, static_cast<uint16_t>(e));
        else if (f.enc == Enc::kEnumBe16)
          b->AttrU16(f.attr, htons(static_cast<uint16_t>(e)));
        else
          b->AttrU32(f.attr, e);
        break;
      }
      case Enc::kBit16:
      case Enc::kVlanFlag: {
        GetBool(data, f.key, &flag);
        auto& bm = bits[f.attr];
        bm.second |= f.bit;
        if (flag) bm.first |= f.bit;
        bitEnc[f.attr] = f.enc;
        break;
      }
      case Enc::kIn4:
      case Enc::kIn6: {
        GetStr(data, f.key, &s);
        uint8_t ip[16];
        size_t n = ParseIp(f.enc == Enc::kIn4 ? AF_INET : AF_INET6, s, ip);
        if (!n) ThrowType(env, std::string(f.key) + " must be an IP address");
        b->Attr(f.attr, ip, n);
        break;
      }
      case Enc::kPortRange: {
        Napi::Array a = v.As<Napi::Array>();
        uint16_t r[2] = {htons(static_cast<uint16_t>(a.Get(0u).As<Napi::Number>().Uint32Value())),
                         htons(static_cast<uint16_t>(a.Get(1u).As<Napi::Number>().Uint32Value()))};
        b->Attr(f.attr, r, sizeof r);
        break;
      }
      case Enc::kQosMap: {
        Napi::Array a = v.As<Napi::Array>();
        size_t nest = b->Nest(f.attr);
        for (uint32_t i2 = 0; i2 < a.Length(); ++i2) {
          Napi::Array pair = a.Get(i2).As<Napi::Array>();
          ifla_vlan_qos_mapping m{pair.Get(0u).As<Napi::Number>().Uint32Value(),
                                  pair.Get(1u).As<Napi::Number>().Uint32Value()};
          b->Attr(IFLA_VLAN_QOS_MAPPING, &m, sizeof m);
        }
        b->EndNest(nest);
        break;
      }
      case Enc::kIn4List: {
        Napi::Array a = v.As<Napi::Array>();
        size_t nest = b->Nest(f.attr);
        for (uint32_t i2 = 0; i2 < a.Length(); ++i2) {
          uint8_t ip[4];
          if (!ParseIp(AF_INET, a.Get(i2).As<Napi::String>().Utf8Value(), ip))
            ThrowType(env, std::string(f.key) + " must hold IPv4 addresses");
          b->Attr(static_cast<uint16_t>(i2), ip, 4);
        }
        b->EndNest(nest);
        break;
      }
      case Enc::kMac: {
        GetStr(data, f.key, &s);
        uint8_t hw[32];
        size_t n = ParseHwAddr(s, hw, sizeof hw);
        if (!n) ThrowType(env, std::string(f.key) + " must be a hardware address");
        b->Attr(f.attr, hw, n);
        break;
      }
      case Enc::kHex64: {
        GetStr(data, f.key, &s);
        uint8_t raw[8];
        if (s.size() != 16) ThrowType(env, std::string(f.key) + " must be 16 hex digits");
        for (int i2 = 0; i2 < 8; ++i2) raw[i2] = static_cast<uint8_t>(std::stoul(s.substr(i2 * 2, 2), nullptr, 16));
        b->Attr(f.attr, raw, 8);
        break;
      }
      case Enc::kEnum64: {
        GetStr(data, f.key, &s);
        b->AttrU64(f.attr, EnumValue(f, s, env));
        break;
      }
      case Enc::kS32: {
        int32_t sv = 0;
        GetI32(data, f.key, &sv);
        b->AttrS32(f.attr, sv);
        break;
      }
      case Enc::kMacList: {
        Napi::Array a = v.As<Napi::Array>();
        size_t nest = b->Nest(f.attr);
        for (uint32_t i2 = 0; i2 < a.Length(); ++i2) {
          uint8_t hw[32];
          size_t n = ParseHwAddr(a.Get(i2).As<Napi::String>().Utf8Value(), hw, sizeof hw);
          if (n != 6) ThrowType(env, std::string(f.key) + " must hold MAC addresses");
          b->Attr(IFLA_MACVLAN_MACADDR, hw, n);
        }
        b->EndNest(nest);
        break;
      }
    }
  }
  for (const auto& [attr, vm] : bits) {
    if (bitEnc[attr] == Enc::kVlanFlag) {
      ifla_vlan_flags fl{vm.first, vm.second};
      b->Attr(attr, &fl, sizeof fl);
    } else {
      b->AttrU16(attr, static_cast<uint16_t>(vm.first));
    }
  }
}

Napi::Object DecodeKindData(Napi::Env env, const KindTable& k, const AttrView& data) {
  std::map<uint16_t, AttrView> attrs;
  AttrIter it(data);
  AttrView a;
  while (it.Next(&a)) attrs[a.type] = a;
  Napi::Object o = Napi::Object::New(env);
  for (size_t i = 0; i < k.count; ++i) {
    const Field& f = k.fields[i];
    auto found = attrs.find(f.attr);
    if (found == attrs.end()) {
      if (f.enc == Enc::kFlag || f.enc == Enc::kFlagU8) o.Set(f.key, false);
      continue;
    }
    const AttrView& v = found->second;
    switch (f.enc) {
      case Enc::kU8: o.Set(f.key, v.U8Or(0)); break;
      case Enc::kU16: o.Set(f.key, v.U16Or(0)); break;
      case Enc::kU32: o.Set(f.key, v.U32Or(0)); break;
      case Enc::kBe16: o.Set(f.key, ntohs(v.U16Or(0))); break;
      case Enc::kBe32: o.Set(f.key, ntohl(v.U32Or(0))); break;
      case Enc::kBool8: o.Set(f.key, v.U8Or(0) != 0); break;
      case Enc::kFlag: o.Set(f.key, true); break;
      case Enc::kFlagU8: o.Set(f.key, v.len == 0 || v.U8Or(0) != 0); break;
      case Enc::kEnum8: o.Set(f.key, EnumOut(env, f, v.U8Or(0))); break;
      case Enc::kEnum16: o.Set(f.key, EnumOut(env, f, v.U16Or(0))); break;
      case Enc::kEnumBe16: o.Set(f.key, EnumOut(env, f, ntohs(v.U16Or(0)))); break;
      case Enc::kEnum32: o.Set(f.key, EnumOut(env, f, v.U32Or(0))); break;
      case Enc::kBit16: o.Set(f.key, (v.U16Or(0) & f.bit) != 0); break;
      case Enc::kVlanFlag: {
        ifla_vlan_flags fl{};
        std::memcpy(&fl, v.data, std::min(v.len, sizeof fl));
        o.Set(f.key, (fl.flags & f.bit) != 0);
        break;
      }
      case Enc::kIn4: o.Set(f.key, FormatIp(env, AF_INET, v.data, v.len)); break;
      case Enc::kIn6: o.Set(f.key, FormatIp(env, AF_INET6, v.data, v.len)); break;
      case Enc::kPortRange: {
        if (v.len < 4) break;
        uint16_t r[2];
        std::memcpy(r, v.data, 4);
        Napi::Array arr = Napi::Array::New(env, 2);
        arr.Set(0u, ntohs(r[0]));
        arr.Set(1u, ntohs(r[1]));
        o.Set(f.key, arr);
        break;
      }
      case Enc::kQosMap: {
        Napi::Array arr = Napi::Array::New(env);
        AttrIter qi(v);
        AttrView q;
        uint32_t n = 0;
        while (qi.Next(&q)) {
          if (q.type != IFLA_VLAN_QOS_MAPPING || q.len < sizeof(ifla_vlan_qos_mapping)) continue;
          ifla_vlan_qos_mapping m;
          std::memcpy(&m, q.data, sizeof m);
          Napi::Array pair = Napi::Array::New(env, 2);
          pair.Set(0u, m.from);
          pair.Set(1u, m.to);
          arr.Set(n++, pair);
        }
        o.Set(f.key, arr);
        break;
      }
      case Enc::kIn4List: {
        Napi::Array arr = Napi::Array::New(env);
        AttrIter ii(v);
        AttrView ia;
        uint32_t n = 0;
        while (ii.Next(&ia))
          if (ia.len >= 4) arr.Set(n++, FormatIp(env, AF_INET, ia.data, 4));
        o.Set(f.key, arr);
        break;
      }
      case Enc::kMac: o.Set(f.key, FormatHwAddr(v.data, v.len)); break;
      case Enc::kHex64: {
        if (v.len < 8) break;
        static const char* hex = "0123456789abcdef";
        std::string out;
        for (int i2 = 0; i2 < 8; ++i2) {
          out.push_back(hex[v.data[i2] >> 4]);
          out.push_back(hex[v.data[i2] & 15]);
        }
        o.Set(f.key, out);
        break;
      }
      case Enc::kEnum64: o.Set(f.key, EnumOut(env, f, v.U64Or(0))); break;
      case Enc::kS32: {
        int32_t sv = 0;
        v.S32(&sv);
        o.Set(f.key, sv);
        break;
      }
      case Enc::kMacList: {
        Napi::Array arr = Napi::Array::New(env);
        AttrIter mi(v);
        AttrView m;
        uint32_t n = 0;
        while (mi.Next(&m))
          if (m.type == IFLA_MACVLAN_MACADDR) arr.Set(n++, FormatHwAddr(m.data, m.len));
        o.Set(f.key, arr);
        break;
      }
    }
  }
  return o;
}

namespace {
Napi::Object TablesOf(Napi::Env env, const KindTable* tables, size_t n) {
  Napi::Object out = Napi::Object::New(env);
  for (size_t ti = 0; ti < n; ++ti) {
    const KindTable& t = tables[ti];
    Napi::Array fields = Napi::Array::New(env, t.count);
    for (size_t i = 0; i < t.count; ++i) {
      const Field& f = t.fields[i];
      Napi::Object d = Napi::Object::New(env);
      d.Set("key", f.key);
      d.Set("enc", EncName(f.enc));
      d.Set("min", f.min);
      d.Set("max", f.max);
      if (f.names) {
        Napi::Array names = Napi::Array::New(env);
        uint32_t n = 0;
        for (const EnumName* e = f.names; e->name; ++e) names.Set(n++, e->name);
        d.Set("names", names);
      }
      fields.Set(static_cast<uint32_t>(i), d);
    }
    out.Set(t.kind, fields);
  }
  return out;
}
}  // namespace

Napi::Object KindTables(Napi::Env env) {
  Napi::Object out = TablesOf(env, kTables, std::size(kTables));
  out.Set("ports", TablesOf(env, kPortTables, std::size(kPortTables)));
  return out;
}

}  // namespace netdev
