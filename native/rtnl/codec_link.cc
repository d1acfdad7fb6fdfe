// RTM_{NEW,SET,DEL,GET}LINK requests and RTM_NEWLINK replies (struct ifinfomsg + IFLA_*).
#include <arpa/inet.h>
#include <linux/if.h>
#include <linux/if_arp.h>
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/ethernet.h>
#include <sys/socket.h>

#include <cmath>

#include "rtnl/codec.h"
#include "rtnl/kinds.h"

namespace netdev {

namespace {

// ifinfomsg + attributes; used for a request and, nested, for a veth peer.
void EncodeLinkBody(const Napi::Object& spec, MsgBuilder* b) {
  ifinfomsg ifi{};
  uint32_t v;
  bool f;
  std::string s;
  if (GetU32(spec, "family", &v)) ifi.ifi_family = static_cast<unsigned char>(v);
  if (GetU32(spec, "index", &v)) ifi.ifi_index = static_cast<int>(v);
  if (GetBool(spec, "up", &f)) {
    ifi.ifi_change |= IFF_UP;
    if (f) ifi.ifi_flags |= IFF_UP;
  }
  if (GetBool(spec, "promisc", &f)) {
    ifi.ifi_change |= IFF_PROMISC;
    if (f) ifi.ifi_flags |= IFF_PROMISC;
  }
  if (GetBool(spec, "arp", &f)) {
    ifi.ifi_change |= IFF_NOARP;
    if (!f) ifi.ifi_flags |= IFF_NOARP;
  }
  if (GetBool(spec, "allmulti", &f)) {
    ifi.ifi_change |= IFF_ALLMULTI;
    if (f) ifi.ifi_flags |= IFF_ALLMULTI;
  }
  if (GetBool(spec, "multicast", &f)) {
    ifi.ifi_change |= IFF_MULTICAST;
    if (f) ifi.ifi_flags |= IFF_MULTICAST;
  }
  b->Put(ifi);
  if (GetStr(spec, "name", &s)) b->AttrStr(IFLA_IFNAME, s);
  if (GetU32(spec, "mtu", &v)) b->AttrU32(IFLA_MTU, v);
  if (GetStr(spec, "mac", &s)) {
    uint8_t hw[32];
    size_t n = ParseHwAddr(s, hw, sizeof hw);
    if (!n) ThrowType(spec.Env(), "mac must be a hardware address like 02:00:00:00:00:01");
    b->Attr(IFLA_ADDRESS, hw, n);
  }
  if (GetStr(spec, "broadcast", &s)) {
    uint8_t hw[32];
    size_t n = ParseHwAddr(s, hw, sizeof hw);
    if (!n) ThrowType(spec.Env(), "broadcast must be a hardware address");
    b->Attr(IFLA_BROADCAST, hw, n);
  }
  if (GetU32(spec, "txqlen", &v)) b->AttrU32(IFLA_TXQLEN, v);
  if (GetU32(spec, "group", &v)) b->AttrU32(IFLA_GROUP, v);
  if (GetU32(spec, "master", &v)) b->AttrU32(IFLA_MASTER, v);
  if (GetU32(spec, "parent", &v)) b->AttrU32(IFLA_LINK, v);
  if (GetStr(spec, "alias", &s)) b->Attr(IFLA_IFALIAS, s.data(), s.size());
  PutNetnsFd(spec, "targetNetns", IFLA_NET_NS_FD, b);
  if (GetU32(spec, "netnsPid", &v)) b->AttrU32(IFLA_NET_NS_PID, v);
  if (GetU32(spec, "extMask", &v)) b->AttrU32(IFLA_EXT_MASK, v);
  // Queues are fixed at creation; GSO/GRO limits can be changed later (the kernel bounds them by
  // the device's TSO limits).
  if (GetU32(spec, "numTxQueues", &v)) b->AttrU32(IFLA_NUM_TX_QUEUES, v);
  if (GetU32(spec, "numRxQueues", &v)) b->AttrU32(IFLA_NUM_RX_QUEUES, v);
  if (GetU32(spec, "gsoMaxSize", &v)) b->AttrU32(IFLA_GSO_MAX_SIZE, v);
  if (GetU32(spec, "gsoMaxSegs", &v)) b->AttrU32(IFLA_GSO_MAX_SEGS, v);
  if (GetU32(spec, "groMaxSize", &v)) b->AttrU32(IFLA_GRO_MAX_SIZE, v);
  Napi::Value alt = Own(spec, "altnames");
  if (alt.IsArray()) {
    // RTM_NEWLINKPROP / RTM_DELLINKPROP: IFLA_PROP_LIST { IFLA_ALT_IFNAME "name" … }
    Napi::Array names = alt.As<Napi::Array>();
    size_t list = b->Nest(IFLA_PROP_LIST);
    for (uint32_t i = 0; i < names.Length(); ++i) {
      Napi::Value n = names.Get(i);
      if (!n.IsString()) ThrowType(spec.Env(), "altnames must hold strings");
      b->AttrStr(IFLA_ALT_IFNAME, n.As<Napi::String>().Utf8Value());
    }
    b->EndNest(list);
  }
  Napi::Object port;
  if (GetObj(spec, "port", &port)) {
    // Port settings under the master's kind: ip link set DEV type bridge_slave …
    std::string portKind = "bridge";
    GetStr(spec, "portKind", &portKind);
    const KindTable* table = FindPortKind(portKind);
    if (!table) ThrowType(spec.Env(), "unsupported port kind " + portKind);
    size_t li = b->Nest(IFLA_LINKINFO);
    b->AttrStr(IFLA_INFO_SLAVE_KIND, portKind);
    size_t data = b->Nest(IFLA_INFO_SLAVE_DATA);
    EncodeKindData(*table, port, b);
    b->EndNest(data);
    b->EndNest(li);
  }
  Napi::Object protinfo;
  if (GetObj(spec, "protinfo", &protinfo)) {
    // bridge link set: AF_BRIDGE RTM_SETLINK with IFLA_PROTINFO { IFLA_BRPORT_* }. Unlike the
    // IFLA_INFO_SLAVE_DATA path, a port state set here sticks (that path emits a link event after
    // the change and the bridge re-enables the port).
    size_t pi = b->Nest(IFLA_PROTINFO);
    EncodeKindData(*FindPortKind("bridge"), protinfo, b);
    b->EndNest(pi);
  }
  Napi::Value vlans = Own(spec, "bridgeVlans");
  if (vlans.IsArray()) {
    // bridge vlan add/del: IFLA_AF_SPEC { IFLA_BRIDGE_FLAGS, IFLA_BRIDGE_VLAN_INFO … } (AF_BRIDGE)
    size_t af = b->Nest(IFLA_AF_SPEC);
    uint32_t flags;
    if (GetU32(spec, "bridgeFlags", &flags)) b->AttrU16(IFLA_BRIDGE_FLAGS, static_cast<uint16_t>(flags));
    Napi::Array arr = vlans.As<Napi::Array>();
    for (uint32_t i = 0; i < arr.Length(); ++i) {
      Napi::Object e = arr.Get(i).As<Napi::Object>();
      uint32_t vid = 0, end = 0;
      bool pvid = false, untagged = false;
      GetU32(e, "vid", &vid);
      GetBool(e, "pvid", &pvid);
      GetBool(e, "untagged", &untagged);
      bridge_vlan_info info{};
      info.flags =
          static_cast<uint16_t>((pvid ? BRIDGE_VLAN_INFO_PVID : 0) | (untagged ? BRIDGE_VLAN_INFO_UNTAGGED : 0));
      if (GetU32(e, "vidEnd", &end) && end > vid) {
        info.vid = static_cast<uint16_t>(vid);
        info.flags |= BRIDGE_VLAN_INFO_RANGE_BEGIN;
        b->Attr(IFLA_BRIDGE_VLAN_INFO, &info, sizeof info);
        info.vid = static_cast<uint16_t>(end);
        info.flags = static_cast<uint16_t>((info.flags & ~BRIDGE_VLAN_INFO_RANGE_BEGIN) | BRIDGE_VLAN_INFO_RANGE_END);
        b->Attr(IFLA_BRIDGE_VLAN_INFO, &info, sizeof info);
      } else {
        info.vid = static_cast<uint16_t>(vid);
        b->Attr(IFLA_BRIDGE_VLAN_INFO, &info, sizeof info);
      }
    }
    b->EndNest(af);
  }
  std::string kind;
  if (GetStr(spec, "kind", &kind)) {
    size_t li = b->Nest(IFLA_LINKINFO);
    b->AttrStr(IFLA_INFO_KIND, kind);
    Napi::Object peer, settings;
    Napi::Value raw = Own(spec, "infoData");
    const KindTable* table = FindKind(kind);
    const bool hasPeer = HasPeer(kind) && GetObj(spec, "peer", &peer);
    const bool hasSettings = table && GetObj(spec, "data", &settings);
    if (hasPeer || hasSettings) {
      size_t data = b->Nest(IFLA_INFO_DATA);
      if (hasPeer) {
        // veth, vxcan, netkit: the peer's ifinfomsg + attributes, attribute 1 of each
        // (VETH_INFO_PEER == VXCAN_INFO_PEER == IFLA_NETKIT_PEER_INFO), beside the kind's settings.
        size_t nest = b->Nest(VETH_INFO_PEER);
        EncodeLinkBody(peer, b);
        b->EndNest(nest);
      }
      if (hasSettings) EncodeKindData(*table, settings, b);
      b->EndNest(data);
    } else if (raw.IsBuffer()) {
      auto buf = raw.As<Napi::Buffer<uint8_t>>();
      // Sent as a nest: what is inside must be attributes, or the kernel would misread it.
      if (!WellFormedAttrs(buf.Data(), buf.Length()))
        ThrowValue(spec.Env(), "infoData must be whole netlink attributes");
      b->Attr(IFLA_INFO_DATA | NLA_F_NESTED, buf.Data(), buf.Length());
    }
    b->EndNest(li);
  }
}

// ---- decoding ----

const char* OperState(uint8_t s) {
  switch (s) {
    case IF_OPER_NOTPRESENT: return "notpresent";
    case IF_OPER_DOWN: return "down";
    case IF_OPER_LOWERLAYERDOWN: return "lowerlayerdown";
    case IF_OPER_TESTING: return "testing";
    case IF_OPER_DORMANT: return "dormant";
    case IF_OPER_UP: return "up";
    default: return "unknown";
  }
}

const char* LinkType(uint16_t t) {
  switch (t) {
    case ARPHRD_ETHER: return "ether";
    case ARPHRD_LOOPBACK: return "loopback";
    case ARPHRD_NONE: return "none";
    case ARPHRD_VOID: return "void";
    case ARPHRD_TUNNEL: return "ipip";
    case ARPHRD_TUNNEL6: return "tunnel6";
    case ARPHRD_SIT: return "sit";
    case ARPHRD_IPGRE: return "gre";
    case ARPHRD_IP6GRE: return "gre6";
    case ARPHRD_CAN: return "can";
    case ARPHRD_INFINIBAND: return "infiniband";
    case ARPHRD_PPP: return "ppp";
    case ARPHRD_NETLINK: return "netlink";
    default: return nullptr;
  }
}

struct FlagName {
  unsigned bit;
  const char* name;
};
const FlagName kIfFlags[] = {
    {IFF_UP, "UP"},
    {IFF_BROADCAST, "BROADCAST"},
    {IFF_DEBUG, "DEBUG"},
    {IFF_LOOPBACK, "LOOPBACK"},
    {IFF_POINTOPOINT, "POINTOPOINT"},
    {IFF_NOTRAILERS, "NOTRAILERS"},
    {IFF_RUNNING, "RUNNING"},
    {IFF_NOARP, "NOARP"},
    {IFF_PROMISC, "PROMISC"},
    {IFF_ALLMULTI, "ALLMULTI"},
    {IFF_MASTER, "MASTER"},
    {IFF_SLAVE, "SLAVE"},
    {IFF_MULTICAST, "MULTICAST"},
    {IFF_PORTSEL, "PORTSEL"},
    {IFF_AUTOMEDIA, "AUTOMEDIA"},
    {IFF_DYNAMIC, "DYNAMIC"},
    {IFF_LOWER_UP, "LOWER_UP"},
    {IFF_DORMANT, "DORMANT"},
    {IFF_ECHO, "ECHO"},
};

}  // namespace

void EncodeLink(const Napi::Object& spec, MsgBuilder* b) { EncodeLinkBody(spec, b); }

// Links are decoded into columns: every numeric field goes into one Float64Array (no JS call per
// field), strings into one array, kind-specific objects into another. lib/links.ts assembles the
// Link objects from them with the name tables exported below (LinkTables). This keeps all parsing
// here while costing ~8 N-API calls per link instead of ~60.
Napi::Value DecodeLinks(Napi::Env env, const std::vector<MsgView>& msgs) {
  std::vector<const MsgView*> links;
  for (const MsgView& m : msgs)
    if ((m.hdr->nlmsg_type == RTM_NEWLINK || m.hdr->nlmsg_type == RTM_DELLINK) && m.payloadLen >= sizeof(ifinfomsg))
      links.push_back(&m);
  const size_t n = links.size();
  Napi::Float64Array nums = Napi::Float64Array::New(env, n * kLinkNums);
  Napi::Array strs = Napi::Array::New(env, n * kLinkStrs);
  Napi::Array extra = Napi::Array::New(env, n * kLinkExtras);
  double* out = nums.Data();
  for (size_t i = 0; i < n; ++i) {
    const MsgView& m = *links[i];
    ifinfomsg ifi;
    std::memcpy(&ifi, m.payload, sizeof ifi);
    AttrView t[IFLA_MAX + 1] = {};
    size_t off = NLMSG_ALIGN(sizeof(ifinfomsg));
    if (m.payloadLen > off) ParseAttrs(m.payload + off, m.payloadLen - off, t);
    double* f = out + i * kLinkNums;
    auto opt = [](const AttrView& a, double v) { return a.data ? v : NAN; };
    f[kIndex] = ifi.ifi_index;
    f[kType] = ifi.ifi_type;
    f[kFlags] = ifi.ifi_flags;
    f[kOperstate] = t[IFLA_OPERSTATE].U8Or(IF_OPER_UNKNOWN);
    f[kMtu] = t[IFLA_MTU].U32Or(0);
    f[kMinMtu] = opt(t[IFLA_MIN_MTU], t[IFLA_MIN_MTU].U32Or(0));
    f[kMaxMtu] = opt(t[IFLA_MAX_MTU], t[IFLA_MAX_MTU].U32Or(0));
    f[kMaster] = opt(t[IFLA_MASTER], t[IFLA_MASTER].U32Or(0));
    // The kernel omits IFLA_LINK when it would name the link itself in the same namespace; with a
    // peer in another namespace it is sent even when the two indexes happen to be equal.
    f[kParent] = opt(t[IFLA_LINK], t[IFLA_LINK].U32Or(0));
    f[kParentNetnsId] = opt(t[IFLA_LINK_NETNSID], static_cast<int32_t>(t[IFLA_LINK_NETNSID].U32Or(0)));
    f[kTxqlen] = t[IFLA_TXQLEN].U32Or(0);
    f[kGroup] = t[IFLA_GROUP].U32Or(0);
    f[kCarrier] = opt(t[IFLA_CARRIER], t[IFLA_CARRIER].U8Or(0));
    f[kPromiscuity] = opt(t[IFLA_PROMISCUITY], t[IFLA_PROMISCUITY].U32Or(0));
    f[kNumTxQueues] = opt(t[IFLA_NUM_TX_QUEUES], t[IFLA_NUM_TX_QUEUES].U32Or(0));
    f[kNumRxQueues] = opt(t[IFLA_NUM_RX_QUEUES], t[IFLA_NUM_RX_QUEUES].U32Or(0));
    f[kGsoMaxSize] = opt(t[IFLA_GSO_MAX_SIZE], t[IFLA_GSO_MAX_SIZE].U32Or(0));
    f[kGsoMaxSegs] = opt(t[IFLA_GSO_MAX_SEGS], t[IFLA_GSO_MAX_SEGS].U32Or(0));
    f[kGroMaxSize] = opt(t[IFLA_GRO_MAX_SIZE], t[IFLA_GRO_MAX_SIZE].U32Or(0));
    if (t[IFLA_STATS64].data) {
      // rtnl_link_stats64 is an array of __u64 counters; older kernels send a prefix of it.
      rtnl_link_stats64 st{};
      std::memcpy(&st, t[IFLA_STATS64].data, std::min(t[IFLA_STATS64].len, sizeof st));
      const __u64* c = reinterpret_cast<const __u64*>(&st);
      f[kHasStats] = 1;
      for (size_t k = 0; k < kLinkStats; ++k) f[kStats + k] = static_cast<double>(c[k]);
    } else {
      f[kHasStats] = 0;
    }
    uint32_t sb = static_cast<uint32_t>(i * kLinkStrs);
    auto str = [&](int slot, const std::string& v) { strs.Set(sb + slot, Napi::String::New(env, v)); };
    auto hw = [&](int slot, const AttrView& a) {
      if (a.data) str(slot, FormatHwAddr(a.data, a.len));
    };
    if (t[IFLA_IFNAME].data) str(kName, t[IFLA_IFNAME].Str());
    hw(kMac, t[IFLA_ADDRESS]);
    hw(kBroadcast, t[IFLA_BROADCAST]);
    hw(kPermanentMac, t[IFLA_PERM_ADDRESS]);
    if (t[IFLA_IFALIAS].data) str(kAlias, t[IFLA_IFALIAS].Str());
    if (t[IFLA_QDISC].data) str(kQdisc, t[IFLA_QDISC].Str());
    if (ifi.ifi_family == AF_BRIDGE && t[IFLA_AF_SPEC].data) {
      // Per-port VLANs (a dump with RTEXT_FILTER_BRVLAN): ranges expanded, one entry per VLAN.
      Napi::Array vl = Napi::Array::New(env);
      uint32_t nv = 0;
      uint16_t rangeStart = 0;
      AttrIter vi(t[IFLA_AF_SPEC]);
      AttrView va;
      while (vi.Next(&va)) {
        if (va.type != IFLA_BRIDGE_VLAN_INFO || va.len < sizeof(bridge_vlan_info)) continue;
        bridge_vlan_info info;
        std::memcpy(&info, va.data, sizeof info);
        if (info.flags & BRIDGE_VLAN_INFO_RANGE_BEGIN) {
          rangeStart = info.vid;
          continue;
        }
        uint16_t first = (info.flags & BRIDGE_VLAN_INFO_RANGE_END) ? rangeStart : info.vid;
        for (uint32_t vid = first; vid <= info.vid; ++vid) {
          Napi::Object e = Napi::Object::New(env);
          e.Set("vid", vid);
          e.Set("pvid", (info.flags & BRIDGE_VLAN_INFO_PVID) != 0);
          e.Set("untagged", (info.flags & BRIDGE_VLAN_INFO_UNTAGGED) != 0);
          vl.Set(nv++, e);
        }
      }
      extra.Set(static_cast<uint32_t>(i * kLinkExtras + 2), vl);
    }
    if (t[IFLA_PROP_LIST].data) {
      // Alternative names (`ip link property add … altname`): only links that have some.
      Napi::Array names = Napi::Array::New(env);
      uint32_t na = 0;
      AttrIter pi(t[IFLA_PROP_LIST]);
      AttrView pa;
      while (pi.Next(&pa))
        if (pa.type == IFLA_ALT_IFNAME) names.Set(na++, pa.Str());
      extra.Set(static_cast<uint32_t>(i * kLinkExtras + 3), names);
    }
    if (t[IFLA_LINKINFO].data) {
      AttrView li[IFLA_INFO_MAX + 1] = {};
      ParseAttrs(t[IFLA_LINKINFO].data, t[IFLA_LINKINFO].len, li);
      std::string k = li[IFLA_INFO_KIND].data ? li[IFLA_INFO_KIND].Str() : "";
      if (!k.empty()) str(kKind, k);
      uint32_t eb = static_cast<uint32_t>(i * kLinkExtras);
      if (const KindTable* table = FindKind(k); table && li[IFLA_INFO_DATA].data) {
        extra.Set(eb, DecodeKindData(env, *table, li[IFLA_INFO_DATA]));
      } else if (!HasPeer(k) && li[IFLA_INFO_DATA].data) {
        // Kinds not decoded (yet): keep the raw attributes so nothing is lost.
        Napi::Object v = Napi::Object::New(env);
        v.Set("raw", Napi::Buffer<uint8_t>::Copy(env, li[IFLA_INFO_DATA].data, li[IFLA_INFO_DATA].len));
        extra.Set(eb, v);
      }
      if (li[IFLA_INFO_SLAVE_KIND].data) {
        std::string sk = li[IFLA_INFO_SLAVE_KIND].Str();
        str(kPortKind, sk);
        if (const KindTable* pt = FindPortKind(sk); pt && li[IFLA_INFO_SLAVE_DATA].data)
          extra.Set(eb + 1, DecodeKindData(env, *pt, li[IFLA_INFO_SLAVE_DATA]));
      }
    }
  }
  Napi::Object batch = Napi::Object::New(env);
  batch.Set("linkBatch", Napi::Number::New(env, static_cast<double>(n)));
  batch.Set("nums", nums);
  batch.Set("strs", strs);
  batch.Set("extra", extra);
  return batch;
}

Napi::Object LinkTables(Napi::Env env) {
  Napi::Object o = Napi::Object::New(env);
  Napi::Array flags = Napi::Array::New(env);
  uint32_t i = 0;
  for (const auto& f : kIfFlags) {
    Napi::Array pair = Napi::Array::New(env, 2);
    pair.Set(0u, Napi::Number::New(env, f.bit));
    pair.Set(1u, Napi::String::New(env, f.name));
    flags.Set(i++, pair);
  }
  o.Set("flags", flags);
  Napi::Array oper = Napi::Array::New(env);
  for (uint32_t s = 0; s <= IF_OPER_UP; ++s) oper.Set(s, OperState(static_cast<uint8_t>(s)));
  o.Set("operstates", oper);
  Napi::Object types = Napi::Object::New(env);
  for (uint16_t t : {ARPHRD_ETHER, ARPHRD_LOOPBACK, ARPHRD_NONE, ARPHRD_VOID, ARPHRD_TUNNEL, ARPHRD_TUNNEL6, ARPHRD_SIT,
                     ARPHRD_IPGRE, ARPHRD_IP6GRE, ARPHRD_CAN, ARPHRD_INFINIBAND, ARPHRD_PPP, ARPHRD_NETLINK})
    types.Set(Napi::Number::New(env, t), LinkType(t));
  o.Set("types", types);
  Napi::Object layout = Napi::Object::New(env);
  layout.Set("nums", static_cast<double>(kLinkNums));
  layout.Set("strs", static_cast<double>(kLinkStrs));
  layout.Set("stats", static_cast<double>(kLinkStats));
  layout.Set("extras", static_cast<double>(kLinkExtras));
  o.Set("layout", layout);
  return o;
}

}  // namespace netdev
