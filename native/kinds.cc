#include "kinds.h"

#include <arpa/inet.h>
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/if_vlan.h>
#include <sys/socket.h>

#include <cstring>
#include <map>
#include <string>

#include "codec.h"

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
    {"port", IFLA_VXLAN_PORT, Enc::kBe16, 0, 65535},
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

const KindTable kPortTables[] = {{"bridge", kBridgePort, std::size(kBridgePort)}};

const KindTable kTables[] = {
    {"vlan", kVlan, std::size(kVlan)},
    {"vxlan", kVxlan, std::size(kVxlan)},
    {"macvlan", kMacvlan, std::size(kMacvlan)},
    {"macvtap", kMacvlan, std::size(kMacvlan)},
    {"ipvlan", kIpvlan, std::size(kIpvlan)},
    {"ipvtap", kIpvlan, std::size(kIpvlan)},
    {"vrf", kVrf, std::size(kVrf)},
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
  }
  return "?";
}

uint32_t EnumValue(const Field& f, const std::string& name, const Napi::Env& env) {
  for (const EnumName* n = f.names; n && n->name; ++n)
    if (name == n->name) return n->value;
  ThrowType(env, std::string(f.key) + ": unknown value " + name);
}

Napi::Value EnumOut(Napi::Env env, const Field& f, uint32_t v) {
  for (const EnumName* n = f.names; n && n->name; ++n)
    if (n->value == v) return Napi::String::New(env, n->name);
  return Napi::Number::New(env, v);
}

}  // namespace

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
    Napi::Value v = data.Get(f.key);
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
        uint32_t e = EnumValue(f, s, env);
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
