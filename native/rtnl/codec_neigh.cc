// RTM_{NEW,DEL,GET}NEIGH requests and RTM_NEWNEIGH replies (struct ndmsg + NDA_*): the bridge
// forwarding database (family AF_BRIDGE: `bridge fdb`) and, later, ARP/NDP neighbours.
#include <arpa/inet.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "rtnl/codec.h"

namespace netdev {

namespace {

struct Bit {
  uint32_t bit;
  const char* name;
};
const Bit kNudStates[] = {{NUD_INCOMPLETE, "incomplete"}, {NUD_REACHABLE, "reachable"}, {NUD_STALE, "stale"},
                          {NUD_DELAY, "delay"},           {NUD_PROBE, "probe"},         {NUD_FAILED, "failed"},
                          {NUD_NOARP, "noarp"},           {NUD_PERMANENT, "permanent"}};
const Bit kNeighFlags[] = {{NTF_USE, "use"},
                           {NTF_SELF, "self"},
                           {NTF_MASTER, "master"},
                           {NTF_PROXY, "proxy"},
                           {NTF_EXT_LEARNED, "extern_learn"},
                           {NTF_OFFLOADED, "offload"},
                           {NTF_STICKY, "sticky"},
                           {NTF_ROUTER, "router"}};

Napi::Array Names(Napi::Env env, const Bit* bits, size_t n, uint32_t v) {
  Napi::Array a = Napi::Array::New(env);
  uint32_t k = 0;
  for (size_t i = 0; i < n; ++i)
    if (v & bits[i].bit) a.Set(k++, bits[i].name);
  return a;
}

}  // namespace

void EncodeNeigh(const Napi::Object& spec, MsgBuilder* b) {
  ndmsg nd{};
  uint32_t v;
  if (GetU32(spec, "family", &v)) nd.ndm_family = static_cast<uint8_t>(v);
  if (GetU32(spec, "index", &v)) nd.ndm_ifindex = static_cast<int>(v);
  if (GetU32(spec, "state", &v)) nd.ndm_state = static_cast<uint16_t>(v);
  if (GetU32(spec, "flags", &v)) nd.ndm_flags = static_cast<uint8_t>(v);
  b->Put(nd);
  std::string s;
  if (GetStr(spec, "mac", &s)) {
    uint8_t hw[32];
    size_t n = ParseHwAddr(s, hw, sizeof hw);
    if (!n) ThrowType(spec.Env(), "mac must be a hardware address");
    b->Attr(NDA_LLADDR, hw, n);
  }
  if (GetStr(spec, "dst", &s)) {
    uint8_t ip[16];
    size_t n = ParseIp(s.find(':') != std::string::npos ? AF_INET6 : AF_INET, s, ip);
    if (!n) ThrowType(spec.Env(), "dst must be an IP address");
    b->Attr(NDA_DST, ip, n);
  }
  if (GetU32(spec, "vlan", &v)) b->AttrU16(NDA_VLAN, static_cast<uint16_t>(v));
  if (GetU32(spec, "port", &v)) b->AttrU16(NDA_PORT, htons(static_cast<uint16_t>(v)));
  if (GetU32(spec, "vni", &v)) b->AttrU32(NDA_VNI, v);
  if (GetU32(spec, "srcVni", &v)) b->AttrU32(NDA_SRC_VNI, v);
  if (GetU32(spec, "via", &v)) b->AttrU32(NDA_IFINDEX, v);
  if (GetU32(spec, "master", &v)) b->AttrU32(NDA_MASTER, v);
}

Napi::Value DecodeNeigh(Napi::Env env, const nlmsghdr* /*h*/, const uint8_t* payload, size_t len) {
  if (len < sizeof(ndmsg)) return env.Undefined();
  ndmsg nd;
  std::memcpy(&nd, payload, sizeof nd);
  AttrView t[NDA_MAX + 1] = {};
  size_t off = NLMSG_ALIGN(sizeof(ndmsg));
  if (len > off) ParseAttrs(payload + off, len - off, t);
  Napi::Object o = Napi::Object::New(env);
  o.Set("index", nd.ndm_ifindex);
  o.Set("family", nd.ndm_family == AF_BRIDGE  ? Napi::Value(Napi::String::New(env, "bridge"))
                  : nd.ndm_family == AF_INET  ? Napi::Value(Napi::Number::New(env, 4))
                  : nd.ndm_family == AF_INET6 ? Napi::Value(Napi::Number::New(env, 6))
                                              : Napi::Value(Napi::Number::New(env, nd.ndm_family)));
  o.Set("state", Names(env, kNudStates, std::size(kNudStates), nd.ndm_state));
  o.Set("flags", Names(env, kNeighFlags, std::size(kNeighFlags), nd.ndm_flags));
  if (t[NDA_LLADDR].data) o.Set("mac", FormatHwAddr(t[NDA_LLADDR].data, t[NDA_LLADDR].len));
  if (t[NDA_DST].data)
    o.Set("dst", FormatIp(env, t[NDA_DST].len == 16 ? AF_INET6 : AF_INET, t[NDA_DST].data, t[NDA_DST].len));
  if (t[NDA_VLAN].data) o.Set("vlan", t[NDA_VLAN].U16Or(0));
  if (t[NDA_PORT].data) o.Set("port", ntohs(t[NDA_PORT].U16Or(0)));
  if (t[NDA_VNI].data) o.Set("vni", t[NDA_VNI].U32Or(0));
  if (t[NDA_SRC_VNI].data) o.Set("srcVni", t[NDA_SRC_VNI].U32Or(0));
  if (t[NDA_IFINDEX].data) o.Set("via", t[NDA_IFINDEX].U32Or(0));
  if (t[NDA_MASTER].data) o.Set("master", t[NDA_MASTER].U32Or(0));
  return o;
}

}  // namespace netdev
