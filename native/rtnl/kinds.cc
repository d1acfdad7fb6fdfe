// The codec engine of the kind tables (kind_tables.cc): encodes a kind's settings into
// IFLA_INFO_DATA, decodes them back, and exports the tables to lib/. Its length is two switches
// over every encoding (one to encode, one to decode), kept side by side so they cannot drift.
#include "rtnl/kinds.h"

#include <arpa/inet.h>
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/if_vlan.h>
#include <sys/socket.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>

#include "rtnl/codec.h"

namespace netdev {

namespace {

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
    case Enc::kTrueU8:
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
    case Enc::kBool32: return "boolean";
    case Enc::kCentis: return "seconds";
    case Enc::kBridgeId: return "bridgeId";
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

void EncodeKindData(const KindTable& k, const Napi::Object& data, MsgBuilder* b) {
  Napi::Env env = data.Env();
  // Bit fields of one attribute are combined into one attribute (with a mask for vlan flags).
  std::map<uint16_t, std::pair<uint32_t, uint32_t>> bits;  // attr -> (value, mask)
  std::map<uint16_t, Enc> bitEnc;
  for (size_t i = 0; i < k.count; ++i) {
    const Field& f = k.fields[i];
    Napi::Value v = Own(data, f.key);
    if (v.IsUndefined() || v.IsNull()) continue;
    if (f.readOnly) ThrowValue(env, std::string(f.key) + " is read-only");
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
      case Enc::kTrueU8:
        GetBool(data, f.key, &flag);
        if (flag) b->AttrU8(f.attr, 1);
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
      case Enc::kBool32:
        GetBool(data, f.key, &flag);
        b->AttrU32(f.attr, flag ? 1 : 0);
        break;
      case Enc::kCentis: {
        if (!v.IsNumber()) ThrowType(env, std::string(f.key) + " must be a number of seconds");
        double d = v.As<Napi::Number>().DoubleValue();
        // [min, max] is checked to fit a u32 of centiseconds by the test of every table's rows.
        if (!(d >= f.min && d <= f.max)) ThrowValue(env, std::string(f.key) + " is out of range");
        b->AttrU32(f.attr, static_cast<uint32_t>(std::lround(d * 100)));
        break;
      }
      case Enc::kBridgeId: ThrowValue(env, std::string(f.key) + " is read-only");
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
  // A flat table (as the other decoders use), not a map allocated per link: every table's
  // attributes are at most kMaxKindAttr (test/unit/contract.test.mjs round-trips every row).
  AttrView attrs[kMaxKindAttr + 1] = {};
  ParseAttrs(data.data, data.len, attrs);
  Napi::Object o = Napi::Object::New(env);
  for (size_t i = 0; i < k.count; ++i) {
    const Field& f = k.fields[i];
    if (!attrs[f.attr].data) {
      if (f.enc == Enc::kFlag || f.enc == Enc::kFlagU8 || f.enc == Enc::kTrueU8) o.Set(f.key, false);
      continue;
    }
    const AttrView& v = attrs[f.attr];
    switch (f.enc) {
      case Enc::kU8: o.Set(f.key, v.U8Or(0)); break;
      case Enc::kU16: o.Set(f.key, v.U16Or(0)); break;
      case Enc::kU32: o.Set(f.key, v.U32Or(0)); break;
      case Enc::kBe16: o.Set(f.key, ntohs(v.U16Or(0))); break;
      case Enc::kBe32: o.Set(f.key, ntohl(v.U32Or(0))); break;
      case Enc::kBool8: o.Set(f.key, v.U8Or(0) != 0); break;
      case Enc::kFlag:
      case Enc::kTrueU8: o.Set(f.key, true); break;
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
      case Enc::kBool32: o.Set(f.key, v.U32Or(0) != 0); break;
      case Enc::kCentis: o.Set(f.key, v.U32Or(0) / 100.0); break;
      case Enc::kBridgeId: {
        if (v.len < sizeof(ifla_bridge_id)) break;
        ifla_bridge_id id;
        std::memcpy(&id, v.data, sizeof id);
        char prio[8];
        snprintf(prio, sizeof prio, "%02x%02x.", id.prio[0], id.prio[1]);
        o.Set(f.key, prio + FormatHwAddr(id.addr, 6));
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
      d.Set("attr", f.attrName);
      d.Set("type", f.attr);
      d.Set("enc", EncName(f.enc));
      d.Set("readOnly", f.readOnly);
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
  size_t n = 0;
  const KindTable* t = KindList(&n);
  return TablesOf(env, t, n);
}

Napi::Object PortTables(Napi::Env env) {
  size_t n = 0;
  const KindTable* t = PortKindList(&n);
  return TablesOf(env, t, n);
}

}  // namespace netdev
