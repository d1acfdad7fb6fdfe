#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "napi/env_state.h"
#include "napi/netns_handle.h"
#include "rtnl/codec.h"

namespace netdev {

bool WellFormedAttrs(const uint8_t* p, size_t len) {
  size_t off = 0;
  while (off < len) {
    if (len - off < sizeof(rtattr)) return false;
    rtattr a;
    std::memcpy(&a, p + off, sizeof a);
    if (a.rta_len < sizeof(rtattr) || a.rta_len > len - off) return false;
    off += std::min(static_cast<size_t>(RTA_ALIGN(a.rta_len)), len - off);
  }
  return true;
}

size_t ParseHwAddr(const std::string& s, uint8_t* out, size_t cap) {
  size_t n = 0;
  size_t i = 0;
  while (i < s.size()) {
    if (n == cap) return 0;
    unsigned v = 0;
    int digits = 0;
    while (i < s.size() && s[i] != ':' && digits < 3) {
      char c = s[i++];
      unsigned d;
      if (c >= '0' && c <= '9')
        d = static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f')
        d = static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        d = static_cast<unsigned>(c - 'A' + 10);
      else
        return 0;
      v = v * 16 + d;
      ++digits;
    }
    if (digits == 0 || digits > 2) return 0;
    out[n++] = static_cast<uint8_t>(v);
    if (i < s.size()) {
      if (s[i] != ':' || i + 1 == s.size()) return 0;
      ++i;
    }
  }
  return n;
}

std::string FormatHwAddr(const uint8_t* p, size_t n) {
  std::string s;
  s.reserve(n * 3);
  static const char* hex = "0123456789abcdef";
  for (size_t i = 0; i < n; ++i) {
    if (i) s.push_back(':');
    s.push_back(hex[p[i] >> 4]);
    s.push_back(hex[p[i] & 15]);
  }
  return s;
}

bool PutNetnsFd(const Napi::Object& spec, const char* key, uint16_t attr, MsgBuilder* b) {
  Napi::Env env = spec.Env();
  Napi::Value v = Own(spec, key);
  if (v.IsUndefined() || v.IsNull()) return false;
  if (!v.IsObject() || !v.As<Napi::Object>().InstanceOf(State(env)->netnsCtor.Value()))
    ThrowType(env, std::string(key) + " must be a NetnsHandle");
  std::shared_ptr<NetnsRef> ref = NetnsHandle::Unwrap(v.As<Napi::Object>())->Ref();
  if (!ref) ThrowClosed(env);
  b->AttrU32(attr, static_cast<uint32_t>(ref->Fd()));
  b->Hold(std::move(ref));
  return true;
}

size_t ParseIp(int family, const std::string& s, uint8_t* out) {
  if (inet_pton(family, s.c_str(), out) != 1) return 0;
  return family == AF_INET ? 4 : 16;
}

size_t GetIp(const Napi::Object& spec, const char* key, int family, uint8_t* out) {
  std::string s;
  if (!GetStr(spec, key, &s)) return 0;
  size_t n = ParseIp(family, s, out);
  if (!n) ThrowType(spec.Env(), std::string(key) + " must be an IP address of the request's family");
  return n;
}

void PutIp(const Napi::Object& spec, const char* key, int family, uint16_t attr, MsgBuilder* b) {
  uint8_t ip[16];
  if (size_t n = GetIp(spec, key, family, ip)) b->Attr(attr, ip, n);
}

Napi::Value FormatIp(Napi::Env env, int family, const uint8_t* p, size_t n) {
  char buf[INET6_ADDRSTRLEN];
  if ((family == AF_INET && n < 4) || (family == AF_INET6 && n < 16) || !inet_ntop(family, p, buf, sizeof buf))
    return env.Null();
  return Napi::String::New(env, buf);
}

}  // namespace netdev
