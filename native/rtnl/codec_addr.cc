// RTM_{NEW,DEL,GET}ADDR requests and RTM_NEWADDR replies (struct ifaddrmsg + IFA_*).
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cmath>

#include "rtnl/codec.h"

namespace netdev {

namespace {

const char* ScopeName(uint8_t s) {
  switch (s) {
    case RT_SCOPE_UNIVERSE: return "global";
    case RT_SCOPE_SITE: return "site";
    case RT_SCOPE_LINK: return "link";
    case RT_SCOPE_HOST: return "host";
    case RT_SCOPE_NOWHERE: return "nowhere";
    default: return nullptr;
  }
}

struct FlagName {
  uint32_t bit;
  const char* name;
};
const FlagName kAddrFlags[] = {
    {IFA_F_SECONDARY, "secondary"},           {IFA_F_NODAD, "nodad"},
    {IFA_F_OPTIMISTIC, "optimistic"},         {IFA_F_DADFAILED, "dadfailed"},
    {IFA_F_HOMEADDRESS, "homeaddress"},       {IFA_F_DEPRECATED, "deprecated"},
    {IFA_F_TENTATIVE, "tentative"},           {IFA_F_PERMANENT, "permanent"},
    {IFA_F_MANAGETEMPADDR, "managetempaddr"}, {IFA_F_NOPREFIXROUTE, "noprefixroute"},
    {IFA_F_MCAUTOJOIN, "autojoin"},           {IFA_F_STABLE_PRIVACY, "stable-privacy"},
};

}  // namespace

void EncodeAddr(const Napi::Object& spec, MsgBuilder* b) {
  ifaddrmsg ifa{};
  uint32_t v;
  if (GetU32(spec, "family", &v)) ifa.ifa_family = static_cast<uint8_t>(v);
  if (GetU32(spec, "prefixLength", &v)) ifa.ifa_prefixlen = static_cast<uint8_t>(v);
  if (GetU32(spec, "index", &v)) ifa.ifa_index = v;
  if (GetU32(spec, "scope", &v)) ifa.ifa_scope = static_cast<uint8_t>(v);
  uint32_t flags = 0;
  bool hasFlags = GetU32(spec, "flags", &flags);
  ifa.ifa_flags = static_cast<uint8_t>(flags & 0xff);
  b->Put(ifa);
  int family = ifa.ifa_family;
  if (family != AF_INET && family != AF_INET6) return;  // a dump filter with no family
  // Read and parsed once: it goes in twice.
  uint8_t localIp[16];
  size_t localLen = GetIp(spec, "local", family, localIp);
  if (localLen) b->Attr(IFA_LOCAL, localIp, localLen);
  // Like iproute2: IFA_ADDRESS is the peer when given, else the local address again.
  if (!Own(spec, "peer").IsUndefined())
    PutIp(spec, "peer", family, IFA_ADDRESS, b);
  else if (localLen)
    b->Attr(IFA_ADDRESS, localIp, localLen);
  PutIp(spec, "broadcast", family, IFA_BROADCAST, b);
  std::string label;
  if (GetStr(spec, "label", &label)) b->AttrStr(IFA_LABEL, label);
  if (hasFlags && flags > 0xff) b->AttrU32(IFA_FLAGS, flags);
  uint32_t valid, preferred;
  bool hv = GetU32(spec, "validLifetime", &valid);
  bool hp = GetU32(spec, "preferredLifetime", &preferred);
  if (hv || hp) {
    ifa_cacheinfo ci{};
    ci.ifa_valid = hv ? valid : 0xffffffffu;
    ci.ifa_prefered = hp ? preferred : ci.ifa_valid;
    b->Attr(IFA_CACHEINFO, &ci, sizeof ci);
  }
}

Napi::Value DecodeAddr(Napi::Env env, const nlmsghdr* /*h*/, const uint8_t* payload, size_t len) {
  if (len < sizeof(ifaddrmsg)) return env.Undefined();
  ifaddrmsg ifa;
  std::memcpy(&ifa, payload, sizeof ifa);
  AttrView t[IFA_MAX + 1] = {};
  size_t off = NLMSG_ALIGN(sizeof(ifaddrmsg));
  if (len > off) ParseAttrs(payload + off, len - off, t);
  int fam = ifa.ifa_family;
  Napi::Object o = Napi::Object::New(env);
  o.Set("index", ifa.ifa_index);
  o.Set("family", fam == AF_INET ? 4 : fam == AF_INET6 ? 6 : fam);
  const AttrView& local = t[IFA_LOCAL].data ? t[IFA_LOCAL] : t[IFA_ADDRESS];
  o.Set("address", local.data ? FormatIp(env, fam, local.data, local.len) : env.Null());
  o.Set("prefixLength", ifa.ifa_prefixlen);
  if (t[IFA_LOCAL].data && t[IFA_ADDRESS].data &&
      (t[IFA_LOCAL].len != t[IFA_ADDRESS].len ||
       std::memcmp(t[IFA_LOCAL].data, t[IFA_ADDRESS].data, t[IFA_LOCAL].len) != 0))
    o.Set("peer", FormatIp(env, fam, t[IFA_ADDRESS].data, t[IFA_ADDRESS].len));
  if (t[IFA_BROADCAST].data) o.Set("broadcast", FormatIp(env, fam, t[IFA_BROADCAST].data, t[IFA_BROADCAST].len));
  if (t[IFA_LABEL].data) o.Set("label", t[IFA_LABEL].Str());
  const char* scope = ScopeName(ifa.ifa_scope);
  o.Set("scope",
        scope ? Napi::Value(Napi::String::New(env, scope)) : Napi::Value(Napi::Number::New(env, ifa.ifa_scope)));
  uint32_t flags = t[IFA_FLAGS].data ? t[IFA_FLAGS].U32Or(ifa.ifa_flags) : ifa.ifa_flags;
  Napi::Array fl = Napi::Array::New(env);
  uint32_t n = 0;
  for (const auto& f : kAddrFlags)
    if (flags & f.bit) fl.Set(n++, f.name);
  o.Set("flags", fl);
  if (t[IFA_CACHEINFO].data && t[IFA_CACHEINFO].len >= sizeof(ifa_cacheinfo)) {
    ifa_cacheinfo ci;
    std::memcpy(&ci, t[IFA_CACHEINFO].data, sizeof ci);
    // 0xffffffff is "forever"; reported as Infinity.
    auto life = [&](uint32_t v) { return v == 0xffffffffu ? INFINITY : static_cast<double>(v); };
    o.Set("validLifetime", life(ci.ifa_valid));
    o.Set("preferredLifetime", life(ci.ifa_prefered));
  }
  return o;
}

}  // namespace netdev
