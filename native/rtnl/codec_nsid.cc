// RTM_{NEW,GET}NSID requests and RTM_NEWNSID replies (struct rtgenmsg + NETNSA_*): the ids a
// namespace gives its peers (`ip netns set NAME ID`, `ip netns list-id`).
#include <linux/net_namespace.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "rtnl/codec.h"

namespace netdev {

void EncodeNsid(const Napi::Object& spec, MsgBuilder* b) {
  rtgenmsg g{};
  g.rtgen_family = AF_UNSPEC;
  b->Put(g);
  int32_t i;
  if (GetI32(spec, "nsid", &i)) b->AttrS32(NETNSA_NSID, i);
  PutNetnsFd(spec, "targetNetns", NETNSA_FD, b);
  if (GetI32(spec, "pid", &i)) b->AttrU32(NETNSA_PID, static_cast<uint32_t>(i));
}

Napi::Value DecodeNsid(Napi::Env env, const nlmsghdr* /*h*/, const uint8_t* payload, size_t len) {
  if (len < sizeof(rtgenmsg)) return env.Undefined();
  AttrView t[NETNSA_MAX + 1] = {};
  size_t off = NLMSG_ALIGN(sizeof(rtgenmsg));
  if (len > off) ParseAttrs(payload + off, len - off, t);
  Napi::Object o = Napi::Object::New(env);
  o.Set("nsid", static_cast<int32_t>(t[NETNSA_NSID].U32Or(static_cast<uint32_t>(NETNSA_NSID_NOT_ASSIGNED))));
  return o;
}

}  // namespace netdev
