#include "rtnl/codec.h"

#include <linux/rtnetlink.h>

namespace netdev {

void EncodeRequest(const Napi::Object& req, MsgBuilder* b) {
  uint32_t type = 0, flags = 0;
  if (!GetU32(req, "type", &type)) ThrowType(req.Env(), "request.type must be a number");
  GetU32(req, "flags", &flags);
  Napi::Object body;
  b->Begin(static_cast<uint16_t>(type), static_cast<uint16_t>(flags), 0);
  switch (type) {
    case RTM_NEWLINK:
    case RTM_SETLINK:
    case RTM_DELLINK:
    case RTM_GETLINK:
    case RTM_NEWLINKPROP:
    case RTM_DELLINKPROP:
      if (!GetObj(req, "link", &body)) ThrowType(req.Env(), "request.link must be an object");
      EncodeLink(body, b);
      break;
    case RTM_NEWADDR:
    case RTM_DELADDR:
    case RTM_GETADDR:
      if (!GetObj(req, "addr", &body)) ThrowType(req.Env(), "request.addr must be an object");
      EncodeAddr(body, b);
      break;
    case RTM_NEWNEIGH:
    case RTM_DELNEIGH:
    case RTM_GETNEIGH:
      if (!GetObj(req, "neigh", &body)) ThrowType(req.Env(), "request.neigh must be an object");
      EncodeNeigh(body, b);
      break;
    case RTM_NEWROUTE:
    case RTM_DELROUTE:
    case RTM_GETROUTE:
      // An object, or the packed array lib/routes.ts sends on its hot path.
      if (!GetObj(req, "route", &body)) ThrowType(req.Env(), "request.route must be an object or array");
      EncodeRoute(body, b);
      break;
    case RTM_NEWRULE:
    case RTM_DELRULE:
    case RTM_GETRULE:
      if (!GetObj(req, "rule", &body)) ThrowType(req.Env(), "request.rule must be an object");
      EncodeRule(body, b);
      break;
    case RTM_NEWNSID:
    case RTM_DELNSID:
    case RTM_GETNSID:
      if (!GetObj(req, "nsid", &body)) ThrowType(req.Env(), "request.nsid must be an object");
      EncodeNsid(body, b);
      break;
    default: ThrowType(req.Env(), "unsupported request type");
  }
  b->End();
}

Napi::Array DecodeMessages(Napi::Env env, const uint8_t* data, size_t len) {
  std::vector<MsgView> views;
  SplitMessages(data, len, &views);
  Napi::Array out = Napi::Array::New(env);
  uint32_t n = 0;
  bool links = false;
  bool routes = false;
  // One object per message for the small kinds; undefined (malformed) ones are left out.
  auto one = [&](Napi::Value (*decode)(Napi::Env, const nlmsghdr*, const uint8_t*, size_t), const MsgView& m) {
    Napi::Value v = decode(env, m.hdr, m.payload, m.payloadLen);
    if (!v.IsUndefined()) out.Set(n++, v);
  };
  for (const MsgView& m : views) {
    switch (m.hdr->nlmsg_type) {
      case RTM_NEWLINK:
      case RTM_DELLINK: links = true; break;
      case RTM_NEWROUTE:
      case RTM_DELROUTE: routes = true; break;
      case RTM_NEWADDR:
      case RTM_DELADDR: one(DecodeAddr, m); break;
      case RTM_NEWNEIGH:
      case RTM_DELNEIGH: one(DecodeNeigh, m); break;
      case RTM_NEWRULE:
      case RTM_DELRULE: one(DecodeRule, m); break;
      case RTM_NEWNSID:
      case RTM_DELNSID: one(DecodeNsid, m); break;
      default: break;
    }
  }
  // All links of a reply travel as one columnar batch (lib/ expands it into Link objects).
  if (links) out.Set(n++, DecodeLinks(env, views));
  if (routes) out.Set(n++, DecodeRoutes(env, views));
  return out;
}

}  // namespace netdev
