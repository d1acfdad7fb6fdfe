// RTM_{NEW,DEL,GET}RULE requests and RTM_NEWRULE replies (struct fib_rule_hdr + FRA_*): policy
// routing rules, `ip rule`.
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "rtnl/codec.h"

namespace netdev {

void EncodeRule(const Napi::Object& spec, MsgBuilder* b) {
  fib_rule_hdr r{};
  uint32_t v;
  uint32_t family = 0;
  GetU32(spec, "family", &family);
  r.family = static_cast<uint8_t>(family);
  if (GetU32(spec, "dstLen", &v)) r.dst_len = static_cast<uint8_t>(v);
  if (GetU32(spec, "srcLen", &v)) r.src_len = static_cast<uint8_t>(v);
  if (GetU32(spec, "tos", &v)) r.tos = static_cast<uint8_t>(v);
  uint32_t table = 0;
  bool hasTable = GetU32(spec, "table", &table);
  r.table = static_cast<uint8_t>(hasTable && table < 256 ? table : static_cast<uint32_t>(RT_TABLE_UNSPEC));
  if (GetU32(spec, "action", &v)) r.action = static_cast<uint8_t>(v);
  if (GetU32(spec, "flags", &v)) r.flags = v;
  b->Put(r);
  if (hasTable && table >= 256) b->AttrU32(FRA_TABLE, table);
  PutIp(spec, "dst", static_cast<int>(family), FRA_DST, b);
  PutIp(spec, "src", static_cast<int>(family), FRA_SRC, b);
  std::string s;
  if (GetStr(spec, "iif", &s)) b->AttrStr(FRA_IIFNAME, s);
  if (GetStr(spec, "oif", &s)) b->AttrStr(FRA_OIFNAME, s);
  if (GetU32(spec, "priority", &v)) b->AttrU32(FRA_PRIORITY, v);
  if (GetU32(spec, "fwmark", &v)) b->AttrU32(FRA_FWMARK, v);
  if (GetU32(spec, "fwmask", &v)) b->AttrU32(FRA_FWMASK, v);
  if (GetU32(spec, "goto", &v)) b->AttrU32(FRA_GOTO, v);
  if (GetU32(spec, "suppressPrefixLength", &v)) b->AttrU32(FRA_SUPPRESS_PREFIXLEN, v);
  if (GetU32(spec, "suppressIfgroup", &v)) b->AttrU32(FRA_SUPPRESS_IFGROUP, v);
  if (GetU32(spec, "protocol", &v)) b->AttrU8(FRA_PROTOCOL, static_cast<uint8_t>(v));
  if (GetU32(spec, "ipProto", &v)) b->AttrU8(FRA_IP_PROTO, static_cast<uint8_t>(v));
  bool l3 = false;
  if (GetBool(spec, "l3mdev", &l3) && l3) b->AttrU8(FRA_L3MDEV, 1);
  Napi::Object range;
  auto putRange = [&](const char* key, uint16_t attr, bool u32) {
    if (!GetObj(spec, key, &range)) return;
    uint32_t lo = 0, hi = 0;
    GetU32(range, "start", &lo);
    GetU32(range, "end", &hi);
    if (u32) {
      fib_rule_uid_range u{lo, hi};
      b->Attr(attr, &u, sizeof u);
    } else {
      fib_rule_port_range p{static_cast<uint16_t>(lo), static_cast<uint16_t>(hi)};
      b->Attr(attr, &p, sizeof p);
    }
  };
  putRange("uidRange", FRA_UID_RANGE, true);
  putRange("sportRange", FRA_SPORT_RANGE, false);
  putRange("dportRange", FRA_DPORT_RANGE, false);
}

Napi::Value DecodeRule(Napi::Env env, const nlmsghdr* /*h*/, const uint8_t* payload, size_t len) {
  if (len < sizeof(fib_rule_hdr)) return env.Undefined();
  fib_rule_hdr r;
  std::memcpy(&r, payload, sizeof r);
  AttrView t[FRA_MAX + 1] = {};
  size_t off = NLMSG_ALIGN(sizeof(fib_rule_hdr));
  if (len > off) ParseAttrs(payload + off, len - off, t);
  int fam = r.family;
  Napi::Object o = Napi::Object::New(env);
  o.Set("family", fam == AF_INET ? 4 : fam == AF_INET6 ? 6 : fam);
  o.Set("dstLen", r.dst_len);
  o.Set("srcLen", r.src_len);
  o.Set("tos", r.tos);
  o.Set("table", t[FRA_TABLE].data ? t[FRA_TABLE].U32Or(r.table) : r.table);
  o.Set("action", r.action);
  o.Set("flags", r.flags);
  if (t[FRA_DST].data) o.Set("dst", FormatIp(env, fam, t[FRA_DST].data, t[FRA_DST].len));
  if (t[FRA_SRC].data) o.Set("src", FormatIp(env, fam, t[FRA_SRC].data, t[FRA_SRC].len));
  if (t[FRA_IIFNAME].data) o.Set("iif", t[FRA_IIFNAME].Str());
  if (t[FRA_OIFNAME].data) o.Set("oif", t[FRA_OIFNAME].Str());
  if (t[FRA_PRIORITY].data) o.Set("priority", t[FRA_PRIORITY].U32Or(0));
  if (t[FRA_FWMARK].data) o.Set("fwmark", t[FRA_FWMARK].U32Or(0));
  if (t[FRA_FWMASK].data) o.Set("fwmask", t[FRA_FWMASK].U32Or(0));
  if (t[FRA_GOTO].data) o.Set("goto", t[FRA_GOTO].U32Or(0));
  if (t[FRA_SUPPRESS_PREFIXLEN].data) {
    uint32_t sp = t[FRA_SUPPRESS_PREFIXLEN].U32Or(0xffffffffu);
    if (sp != 0xffffffffu) o.Set("suppressPrefixLength", sp);
  }
  if (t[FRA_SUPPRESS_IFGROUP].data) {
    uint32_t g = t[FRA_SUPPRESS_IFGROUP].U32Or(0xffffffffu);
    if (g != 0xffffffffu) o.Set("suppressIfgroup", g);
  }
  if (t[FRA_PROTOCOL].data) o.Set("protocol", t[FRA_PROTOCOL].U8Or(0));
  if (t[FRA_IP_PROTO].data) o.Set("ipProto", t[FRA_IP_PROTO].U8Or(0));
  if (t[FRA_L3MDEV].data && t[FRA_L3MDEV].U8Or(0)) o.Set("l3mdev", true);
  auto range = [&](int attr, const char* key, bool u32) {
    if (!t[attr].data) return;
    Napi::Object rr = Napi::Object::New(env);
    if (u32 && t[attr].len >= sizeof(fib_rule_uid_range)) {
      fib_rule_uid_range u;
      std::memcpy(&u, t[attr].data, sizeof u);
      rr.Set("start", u.start);
      rr.Set("end", u.end);
    } else if (!u32 && t[attr].len >= sizeof(fib_rule_port_range)) {
      fib_rule_port_range p;
      std::memcpy(&p, t[attr].data, sizeof p);
      rr.Set("start", p.start);
      rr.Set("end", p.end);
    } else {
      return;
    }
    o.Set(key, rr);
  };
  range(FRA_UID_RANGE, "uidRange", true);
  range(FRA_SPORT_RANGE, "sportRange", false);
  range(FRA_DPORT_RANGE, "dportRange", false);
  return o;
}

}  // namespace netdev
