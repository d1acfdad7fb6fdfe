// RTM_{NEW,DEL,GET}ROUTE requests and RTM_NEWROUTE replies (struct rtmsg + RTA_*): unicast and
// special routes, multipath (struct rtnexthop), metrics (RTA_METRICS / RTAX_*), `ip route get`.
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "codec.h"

namespace netdev {

namespace {

struct Metric {
  uint16_t id;
  const char* name;
};
// The u32 metrics of `ip route` (RTAX_CC_ALGO, a string, is handled apart).
const Metric kMetrics[] = {{RTAX_MTU, "mtu"},           {RTAX_WINDOW, "window"},         {RTAX_RTT, "rtt"},
                           {RTAX_RTTVAR, "rttvar"},     {RTAX_SSTHRESH, "ssthresh"},     {RTAX_CWND, "cwnd"},
                           {RTAX_ADVMSS, "advmss"},     {RTAX_REORDERING, "reordering"}, {RTAX_HOPLIMIT, "hoplimit"},
                           {RTAX_INITCWND, "initcwnd"}, {RTAX_FEATURES, "features"},     {RTAX_RTO_MIN, "rtoMin"},
                           {RTAX_INITRWND, "initrwnd"}, {RTAX_QUICKACK, "quickack"},     {RTAX_LOCK, "lock"}};

int FamilyOf(const Napi::Object& spec) {
  uint32_t f = 0;
  GetU32(spec, "family", &f);
  return static_cast<int>(f);
}

void PutIp(const Napi::Object& spec, const char* key, int family, uint16_t attr, MsgBuilder* b) {
  std::string s;
  if (!GetStr(spec, key, &s)) return;
  uint8_t ip[16];
  size_t n = ParseIp(family, s, ip);
  if (!n) ThrowType(spec.Env(), std::string(key) + " must be an IP address of the route's family");
  b->Attr(attr, ip, n);
}

}  // namespace

void EncodeRoute(const Napi::Object& spec, MsgBuilder* b) {
  rtmsg r{};
  uint32_t v;
  int family = FamilyOf(spec);
  r.rtm_family = static_cast<uint8_t>(family);
  if (GetU32(spec, "dstLen", &v)) r.rtm_dst_len = static_cast<uint8_t>(v);
  if (GetU32(spec, "srcLen", &v)) r.rtm_src_len = static_cast<uint8_t>(v);
  if (GetU32(spec, "tos", &v)) r.rtm_tos = static_cast<uint8_t>(v);
  uint32_t table = 0;
  bool hasTable = GetU32(spec, "table", &table);
  r.rtm_table = static_cast<uint8_t>(hasTable && table < 256 ? table : static_cast<uint32_t>(RT_TABLE_UNSPEC));
  if (GetU32(spec, "protocol", &v)) r.rtm_protocol = static_cast<uint8_t>(v);
  if (GetU32(spec, "scope", &v)) r.rtm_scope = static_cast<uint8_t>(v);
  if (GetU32(spec, "type", &v)) r.rtm_type = static_cast<uint8_t>(v);
  if (GetU32(spec, "flags", &v)) r.rtm_flags = v;
  b->Put(r);
  if (hasTable && table >= 256) b->AttrU32(RTA_TABLE, table);
  if (family != AF_INET && family != AF_INET6) return;
  PutIp(spec, "dst", family, RTA_DST, b);
  PutIp(spec, "src", family, RTA_SRC, b);
  PutIp(spec, "gateway", family, RTA_GATEWAY, b);
  PutIp(spec, "prefsrc", family, RTA_PREFSRC, b);
  if (GetU32(spec, "oif", &v)) b->AttrU32(RTA_OIF, v);
  if (GetU32(spec, "iif", &v)) b->AttrU32(RTA_IIF, v);
  if (GetU32(spec, "priority", &v)) b->AttrU32(RTA_PRIORITY, v);
  if (GetU32(spec, "mark", &v)) b->AttrU32(RTA_MARK, v);
  if (GetU32(spec, "uid", &v)) b->AttrU32(RTA_UID, v);
  if (GetU32(spec, "pref", &v)) b->AttrU8(RTA_PREF, static_cast<uint8_t>(v));
  if (GetU32(spec, "expires", &v)) b->AttrU32(RTA_EXPIRES, v);
  Napi::Object metrics;
  if (GetObj(spec, "metrics", &metrics)) {
    size_t nest = b->Nest(RTA_METRICS);
    for (const Metric& m : kMetrics)
      if (GetU32(metrics, m.name, &v)) b->AttrU32(m.id, v);
    std::string cc;
    if (GetStr(metrics, "congctl", &cc)) b->AttrStr(RTAX_CC_ALGO, cc);
    b->EndNest(nest);
  }
  if (spec.Has("multipath") && spec.Get("multipath").IsArray()) {
    Napi::Array hops = spec.Get("multipath").As<Napi::Array>();
    size_t nest = b->Nest(RTA_MULTIPATH, false);
    for (uint32_t i = 0; i < hops.Length(); ++i) {
      if (!hops.Get(i).IsObject()) ThrowType(spec.Env(), "multipath entries must be objects");
      Napi::Object h = hops.Get(i).As<Napi::Object>();
      rtnexthop nh{};
      if (GetU32(h, "oif", &v)) nh.rtnh_ifindex = static_cast<int>(v);
      if (GetU32(h, "weight", &v)) nh.rtnh_hops = static_cast<uint8_t>(v - 1);  // hops = weight - 1
      if (GetU32(h, "flags", &v)) nh.rtnh_flags = static_cast<uint8_t>(v);
      size_t off = b->Put(nh);
      PutIp(h, "gateway", family, RTA_GATEWAY, b);
      b->At<rtnexthop>(off)->rtnh_len = static_cast<unsigned short>(b->Size() - off);
    }
    b->EndNest(nest);
  }
}

Napi::Value DecodeRoute(Napi::Env env, const nlmsghdr* /*h*/, const uint8_t* payload, size_t len) {
  if (len < sizeof(rtmsg)) return env.Undefined();
  rtmsg r;
  std::memcpy(&r, payload, sizeof r);
  AttrView t[RTA_MAX + 1] = {};
  size_t off = NLMSG_ALIGN(sizeof(rtmsg));
  if (len > off) ParseAttrs(payload + off, len - off, t);
  int fam = r.rtm_family;
  Napi::Object o = Napi::Object::New(env);
  o.Set("family", fam == AF_INET ? 4 : fam == AF_INET6 ? 6 : fam);
  o.Set("dstLen", r.rtm_dst_len);
  o.Set("srcLen", r.rtm_src_len);
  o.Set("tos", r.rtm_tos);
  o.Set("table", t[RTA_TABLE].data ? t[RTA_TABLE].U32Or(r.rtm_table) : r.rtm_table);
  o.Set("protocol", r.rtm_protocol);
  o.Set("scope", r.rtm_scope);
  o.Set("type", r.rtm_type);
  o.Set("flags", r.rtm_flags);
  auto ip = [&](int attr, const char* key) {
    if (t[attr].data) o.Set(key, FormatIp(env, fam, t[attr].data, t[attr].len));
  };
  ip(RTA_DST, "dst");
  ip(RTA_SRC, "src");
  ip(RTA_GATEWAY, "gateway");
  ip(RTA_PREFSRC, "prefsrc");
  if (t[RTA_OIF].data) o.Set("oif", t[RTA_OIF].U32Or(0));
  if (t[RTA_IIF].data) o.Set("iif", t[RTA_IIF].U32Or(0));
  if (t[RTA_PRIORITY].data) o.Set("priority", t[RTA_PRIORITY].U32Or(0));
  if (t[RTA_MARK].data) o.Set("mark", t[RTA_MARK].U32Or(0));
  if (t[RTA_UID].data) o.Set("uid", t[RTA_UID].U32Or(0));
  if (t[RTA_PREF].data) {
    uint8_t p = 0;
    t[RTA_PREF].U8(&p);
    o.Set("pref", p);
  }
  if (t[RTA_CACHEINFO].data && t[RTA_CACHEINFO].len >= sizeof(rta_cacheinfo)) {
    rta_cacheinfo ci;
    std::memcpy(&ci, t[RTA_CACHEINFO].data, sizeof ci);
    if (ci.rta_expires) o.Set("expires", ci.rta_expires / 100.0);  // clock ticks (USER_HZ) -> seconds
  }
  if (t[RTA_METRICS].data) {
    Napi::Object m = Napi::Object::New(env);
    AttrIter it(t[RTA_METRICS]);
    AttrView a;
    while (it.Next(&a)) {
      if (a.type == RTAX_CC_ALGO) {
        m.Set("congctl", a.Str());
        continue;
      }
      for (const Metric& mm : kMetrics)
        if (mm.id == a.type) m.Set(mm.name, a.U32Or(0));
    }
    o.Set("metrics", m);
  }
  if (t[RTA_MULTIPATH].data) {
    Napi::Array hops = Napi::Array::New(env);
    const uint8_t* p = t[RTA_MULTIPATH].data;
    size_t left = t[RTA_MULTIPATH].len;
    uint32_t n = 0;
    while (left >= sizeof(rtnexthop)) {
      rtnexthop nh;
      std::memcpy(&nh, p, sizeof nh);
      if (nh.rtnh_len < sizeof nh || nh.rtnh_len > left) break;
      Napi::Object h = Napi::Object::New(env);
      h.Set("oif", nh.rtnh_ifindex);
      h.Set("weight", nh.rtnh_hops + 1);
      h.Set("flags", nh.rtnh_flags);
      AttrView ht[RTA_MAX + 1] = {};
      size_t hoff = RTNH_ALIGN(sizeof nh);
      if (nh.rtnh_len > hoff) ParseAttrs(p + hoff, nh.rtnh_len - hoff, ht);
      if (ht[RTA_GATEWAY].data) h.Set("gateway", FormatIp(env, fam, ht[RTA_GATEWAY].data, ht[RTA_GATEWAY].len));
      hops.Set(n++, h);
      size_t step = RTNH_ALIGN(nh.rtnh_len);
      if (step >= left) break;
      p += step;
      left -= step;
    }
    o.Set("multipath", hops);
  }
  return o;
}

}  // namespace netdev
