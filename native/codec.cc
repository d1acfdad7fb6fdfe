#include "codec.h"

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
      if (!GetObj(req, "link", &body)) ThrowType(req.Env(), "request.link must be an object");
      EncodeLink(body, b);
      break;
    case RTM_NEWADDR:
    case RTM_DELADDR:
    case RTM_GETADDR:
      if (!GetObj(req, "addr", &body)) ThrowType(req.Env(), "request.addr must be an object");
      EncodeAddr(body, b);
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
  for (const MsgView& m : views) {
    Napi::Value v;
    switch (m.hdr->nlmsg_type) {
      case RTM_NEWLINK:
      case RTM_DELLINK: v = DecodeLink(env, m.hdr, m.payload, m.payloadLen); break;
      case RTM_NEWADDR:
      case RTM_DELADDR: v = DecodeAddr(env, m.hdr, m.payload, m.payloadLen); break;
      default: continue;
    }
    if (!v.IsUndefined()) out.Set(n++, v);
  }
  return out;
}

}  // namespace netdev
