// RTM_{NEW,DEL,GET}ROUTE requests and RTM_NEWROUTE replies (struct rtmsg + RTA_*): unicast and
// special routes, multipath (struct rtnexthop), metrics (RTA_METRICS / RTAX_*), `ip route get`.
#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cmath>

#include "rtnl/codec.h"

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

void AppendUint(unsigned v, std::string* out) {
  char d[10];
  int n = 0;
  do {
    d[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v);
  while (n) out->push_back(d[--n]);
}

void AppendIpv4(const uint8_t* p, std::string* out) {
  for (int i = 0; i < 4; ++i) {
    if (i) out->push_back('.');
    AppendUint(p[i], out);
  }
}

}  // namespace

// A route request's fields, read by name from an object or, on the hot path (lib/routes.ts
// packRoute), by position from an array: positional reads skip building and looking up a
// property name per field, which cost more than the rest of the encoding.
class RouteFields {
 public:
  explicit RouteFields(const Napi::Object& spec) : spec_(spec), packed_(spec.IsArray()) {}
  Napi::Value Get(const char* name, uint32_t index) const { return packed_ ? spec_.Get(index) : Own(spec_, name); }
  bool U32(const char* name, uint32_t index, uint32_t* out) const {
    Napi::Value v = Get(name, index);
    if (v.IsUndefined() || v.IsNull()) return false;
    double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : -1;
    if (!(d >= 0 && d <= 4294967295.0) || d != static_cast<double>(static_cast<uint32_t>(d)))
      ThrowType(spec_.Env(), std::string(name) + " must be an unsigned 32-bit integer");
    *out = static_cast<uint32_t>(d);
    return true;
  }
  void Ip(const char* name, uint32_t index, int family, uint16_t attr, MsgBuilder* b) const {
    Napi::Value v = Get(name, index);
    if (v.IsUndefined() || v.IsNull()) return;
    if (!v.IsString()) ThrowType(spec_.Env(), std::string(name) + " must be a string");
    uint8_t ip[16];
    size_t n = ParseIp(family, v.As<Napi::String>().Utf8Value(), ip);
    if (!n) ThrowType(spec_.Env(), std::string(name) + " must be an IP address of the route's family");
    b->Attr(attr, ip, n);
  }

 private:
  const Napi::Object& spec_;
  bool packed_;
};

void EncodeRoute(const Napi::Object& spec, MsgBuilder* b) {
  RouteFields f(spec);
  rtmsg r{};
  uint32_t v = 0;
  f.U32("family", kFFamily, &v);
  int family = static_cast<int>(v);
  r.rtm_family = static_cast<uint8_t>(family);
  if (f.U32("dstLen", kFDstLen, &v)) r.rtm_dst_len = static_cast<uint8_t>(v);
  if (f.U32("srcLen", kFSrcLen, &v)) r.rtm_src_len = static_cast<uint8_t>(v);
  if (f.U32("tos", kFTos, &v)) r.rtm_tos = static_cast<uint8_t>(v);
  uint32_t table = 0;
  bool hasTable = f.U32("table", kFTable, &table);
  r.rtm_table = static_cast<uint8_t>(hasTable && table < 256 ? table : static_cast<uint32_t>(RT_TABLE_UNSPEC));
  if (f.U32("protocol", kFProtocol, &v)) r.rtm_protocol = static_cast<uint8_t>(v);
  if (f.U32("scope", kFScope, &v)) r.rtm_scope = static_cast<uint8_t>(v);
  if (f.U32("type", kFType, &v)) r.rtm_type = static_cast<uint8_t>(v);
  if (f.U32("flags", kFFlags, &v)) r.rtm_flags = v;
  b->Put(r);
  if (hasTable && table >= 256) b->AttrU32(RTA_TABLE, table);
  if (family != AF_INET && family != AF_INET6) return;
  f.Ip("dst", kFDst, family, RTA_DST, b);
  f.Ip("src", kFSrc, family, RTA_SRC, b);
  f.Ip("gateway", kFGateway, family, RTA_GATEWAY, b);
  f.Ip("prefsrc", kFPrefsrc, family, RTA_PREFSRC, b);
  if (f.U32("oif", kFOif, &v)) b->AttrU32(RTA_OIF, v);
  if (f.U32("iif", kFIif, &v)) b->AttrU32(RTA_IIF, v);
  if (f.U32("priority", kFPriority, &v)) b->AttrU32(RTA_PRIORITY, v);
  if (f.U32("mark", kFMark, &v)) b->AttrU32(RTA_MARK, v);
  if (f.U32("uid", kFUid, &v)) b->AttrU32(RTA_UID, v);
  if (f.U32("pref", kFPref, &v)) b->AttrU8(RTA_PREF, static_cast<uint8_t>(v));
  if (f.U32("expires", kFExpires, &v)) b->AttrU32(RTA_EXPIRES, v);
  Napi::Value mv = f.Get("metrics", kFMetrics);
  Napi::Value hv = f.Get("multipath", kFMultipath);
  if (mv.IsObject()) {
    Napi::Object metrics = mv.As<Napi::Object>();
    size_t nest = b->Nest(RTA_METRICS);
    for (const Metric& m : kMetrics)
      if (GetU32(metrics, m.name, &v)) b->AttrU32(m.id, v);
    std::string cc;
    if (GetStr(metrics, "congctl", &cc)) b->AttrStr(RTAX_CC_ALGO, cc);
    b->EndNest(nest);
  }
  if (hv.IsArray()) {
    Napi::Array hops = hv.As<Napi::Array>();
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

// Routes travel as one columnar batch per reply, like links: numbers in a Float64Array (NaN when
// absent), addresses as strings, metrics/multipath objects only for the routes that have them.
// Setting ~15 properties per route through N-API costs ~4 µs a route; this costs a fraction.
Napi::Value DecodeRoutes(Napi::Env env, const std::vector<MsgView>& msgs) {
  std::vector<const MsgView*> routes;
  for (const MsgView& m : msgs)
    if ((m.hdr->nlmsg_type == RTM_NEWROUTE || m.hdr->nlmsg_type == RTM_DELROUTE) && m.payloadLen >= sizeof(rtmsg))
      routes.push_back(&m);
  const size_t n = routes.size();
  Napi::Float64Array nums = Napi::Float64Array::New(env, n * kRouteNums);
  Napi::Array extra = Napi::Array::New(env, n);
  std::string text;
  text.reserve(n * 24);
  double* out = nums.Data();
  for (size_t i = 0; i < n; ++i) {
    const MsgView& m = *routes[i];
    rtmsg r;
    std::memcpy(&r, m.payload, sizeof r);
    AttrView t[RTA_MAX + 1] = {};
    size_t off = NLMSG_ALIGN(sizeof(rtmsg));
    if (m.payloadLen > off) ParseAttrs(m.payload + off, m.payloadLen - off, t);
    int fam = r.rtm_family;
    double* f = out + i * kRouteNums;
    auto opt = [](const AttrView& a) { return a.data ? static_cast<double>(a.U32Or(0)) : NAN; };
    f[kRFamily] = fam == AF_INET ? 4 : fam == AF_INET6 ? 6 : fam;
    f[kRDstLen] = r.rtm_dst_len;
    f[kRSrcLen] = r.rtm_src_len;
    f[kRTos] = r.rtm_tos;
    f[kRTable] = t[RTA_TABLE].data ? t[RTA_TABLE].U32Or(r.rtm_table) : r.rtm_table;
    f[kRProtocol] = r.rtm_protocol;
    f[kRScope] = r.rtm_scope;
    f[kRType] = r.rtm_type;
    f[kRFlags] = r.rtm_flags;
    f[kROif] = opt(t[RTA_OIF]);
    f[kRIif] = opt(t[RTA_IIF]);
    f[kRPriority] = opt(t[RTA_PRIORITY]);
    f[kRMark] = opt(t[RTA_MARK]);
    f[kRUid] = opt(t[RTA_UID]);
    f[kRPref] = t[RTA_PREF].data ? static_cast<double>(t[RTA_PREF].U8Or(0)) : NAN;
    f[kRExpires] = NAN;
    if (t[RTA_CACHEINFO].data && t[RTA_CACHEINFO].len >= sizeof(rta_cacheinfo)) {
      rta_cacheinfo ci;
      std::memcpy(&ci, t[RTA_CACHEINFO].data, sizeof ci);
      if (ci.rta_expires) f[kRExpires] = ci.rta_expires / 100.0;  // clock ticks (USER_HZ) -> seconds
    }
    // Appends an address (and "/len") to text and records where it is.
    auto ip = [&](const AttrView& a, int at, int len) {
      f[at] = f[at + 1] = -1;
      if (!a.data || a.len < (fam == AF_INET6 ? 16u : 4u)) return false;
      f[at] = static_cast<double>(text.size());
      if (fam == AF_INET) {
        AppendIpv4(a.data, &text);  // inet_ntop costs more than the rest of the route
      } else {
        char buf[INET6_ADDRSTRLEN];
        if (!inet_ntop(fam, a.data, buf, sizeof buf)) return false;
        text += buf;
      }
      if (len >= 0) {
        text += '/';
        AppendUint(static_cast<unsigned>(len), &text);
      }
      f[at + 1] = static_cast<double>(text.size());
      return true;
    };
    if (!ip(t[RTA_DST], kRDstAt, r.rtm_dst_len)) {
      f[kRDstAt] = static_cast<double>(text.size());
      if (r.rtm_dst_len == 0)
        text += "default";
      else
        text += (fam == AF_INET6 ? "::/" : "0.0.0.0/") + std::to_string(r.rtm_dst_len);
      f[kRDstEnd] = static_cast<double>(text.size());
    }
    ip(t[RTA_SRC], kRSrcAt, r.rtm_src_len);
    ip(t[RTA_GATEWAY], kRGwAt, -1);
    ip(t[RTA_PREFSRC], kRPrefAt, -1);
    if (!t[RTA_METRICS].data && !t[RTA_MULTIPATH].data) continue;
    Napi::Object x = Napi::Object::New(env);
    if (t[RTA_METRICS].data) {
      Napi::Object mo = Napi::Object::New(env);
      AttrIter it(t[RTA_METRICS]);
      AttrView a;
      while (it.Next(&a)) {
        if (a.type == RTAX_CC_ALGO) {
          mo.Set("congctl", a.Str());
          continue;
        }
        for (const Metric& mm : kMetrics)
          if (mm.id == a.type) mo.Set(mm.name, a.U32Or(0));
      }
      x.Set("metrics", mo);
    }
    if (t[RTA_MULTIPATH].data) {
      Napi::Array hops = Napi::Array::New(env);
      const uint8_t* p = t[RTA_MULTIPATH].data;
      size_t left = t[RTA_MULTIPATH].len;
      uint32_t h = 0;
      while (left >= sizeof(rtnexthop)) {
        rtnexthop nh;
        std::memcpy(&nh, p, sizeof nh);
        if (nh.rtnh_len < sizeof nh || nh.rtnh_len > left) break;
        Napi::Object ho = Napi::Object::New(env);
        ho.Set("oif", nh.rtnh_ifindex);
        ho.Set("weight", nh.rtnh_hops + 1);
        ho.Set("flags", nh.rtnh_flags);
        AttrView ht[RTA_MAX + 1] = {};
        size_t hoff = RTNH_ALIGN(sizeof nh);
        if (nh.rtnh_len > hoff) ParseAttrs(p + hoff, nh.rtnh_len - hoff, ht);
        if (ht[RTA_GATEWAY].data) ho.Set("gateway", FormatIp(env, fam, ht[RTA_GATEWAY].data, ht[RTA_GATEWAY].len));
        hops.Set(h++, ho);
        size_t step = RTNH_ALIGN(nh.rtnh_len);
        if (step >= left) break;
        p += step;
        left -= step;
      }
      x.Set("multipath", hops);
    }
    extra.Set(static_cast<uint32_t>(i), x);
  }
  Napi::Object batch = Napi::Object::New(env);
  batch.Set("routeBatch", Napi::Number::New(env, static_cast<double>(n)));
  batch.Set("nums", nums);
  batch.Set("text", Napi::String::New(env, text));
  batch.Set("extra", extra);
  return batch;
}

}  // namespace netdev
