// rtnetlink codecs: requests encoded from plain JS objects (already validated by lib/) and replies
// decoded into the plain objects lib/ exposes. Built against the kernel's uapi headers.
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>

#include "napi/js_args.h"  // the readers every codec reads its request with
#include "netlink/nlmsg.h"

namespace netdev {

// Encodes one request object ({ type, flags, link | addr }) as one message appended to *b.
// Throws a JS TypeError for malformed input.
void EncodeRequest(const Napi::Object& req, MsgBuilder* b);

// Decodes every rtnetlink message in [data, data+len) into a JS array of objects.
Napi::Array DecodeMessages(Napi::Env env, const uint8_t* data, size_t len);

// Link and address parts (codec_link.cc, codec_addr.cc).
void EncodeLink(const Napi::Object& spec, MsgBuilder* b);
void EncodeAddr(const Napi::Object& spec, MsgBuilder* b);
void EncodeNeigh(const Napi::Object& spec, MsgBuilder* b);
Napi::Value DecodeNeigh(Napi::Env env, const nlmsghdr* h, const uint8_t* payload, size_t len);
void EncodeRoute(const Napi::Object& spec, MsgBuilder* b);
Napi::Value DecodeRoutes(Napi::Env env, const std::vector<MsgView>& msgs);
// Column layout of decoded routes (lib/ip/route_decode.ts reads the slots by the names
// contract.cc exports). After the numbers: where the route's strings are in the batch's one `text`
// string, [start, end) for the destination ("default" or "PREFIX/LEN"), the source prefix, the
// gateway, the preferred source; -1 when absent. One string for the whole batch instead of one
// N-API string per address.
// clang-format off
#define NETDEV_ROUTE_NUMS(X) \
  X(kRFamily, family)        \
  X(kRDstLen, dstLen)        \
  X(kRSrcLen, srcLen)        \
  X(kRTos, tos)              \
  X(kRTable, table)          \
  X(kRProtocol, protocol)    \
  X(kRScope, scope)          \
  X(kRType, type)            \
  X(kRFlags, flags)          \
  X(kROif, oif)              \
  X(kRIif, iif)              \
  X(kRPriority, priority)    \
  X(kRMark, mark)            \
  X(kRUid, uid)              \
  X(kRPref, pref)            \
  X(kRExpires, expires)      \
  X(kRDstAt, dstAt)          \
  X(kRDstEnd, dstEnd)        \
  X(kRSrcAt, srcAt)          \
  X(kRSrcEnd, srcEnd)        \
  X(kRGwAt, gwAt)            \
  X(kRGwEnd, gwEnd)          \
  X(kRPrefAt, prefAt)        \
  X(kRPrefEnd, prefEnd)
// clang-format on
#define NETDEV_ENUM_ENTRY(id, name) id,
enum RouteNum { NETDEV_ROUTE_NUMS(NETDEV_ENUM_ENTRY) kRouteNums };
// The positional (packed) form of a route request, read by codec_route.cc and built by
// lib/ip/routes.ts from the same names (contract.cc exports them).
// clang-format off
#define NETDEV_ROUTE_FIELDS(X) \
  X(kFFamily, family)          \
  X(kFDstLen, dstLen)          \
  X(kFSrcLen, srcLen)          \
  X(kFTos, tos)                \
  X(kFTable, table)            \
  X(kFProtocol, protocol)      \
  X(kFScope, scope)            \
  X(kFType, type)              \
  X(kFFlags, flags)            \
  X(kFDst, dst)                \
  X(kFSrc, src)                \
  X(kFGateway, gateway)        \
  X(kFPrefsrc, prefsrc)        \
  X(kFOif, oif)                \
  X(kFIif, iif)                \
  X(kFPriority, priority)      \
  X(kFMark, mark)              \
  X(kFUid, uid)                \
  X(kFPref, pref)              \
  X(kFExpires, expires)        \
  X(kFMetrics, metrics)        \
  X(kFMultipath, multipath)
// clang-format on
enum RouteField : uint32_t { NETDEV_ROUTE_FIELDS(NETDEV_ENUM_ENTRY) kRouteFields };
void EncodeRule(const Napi::Object& spec, MsgBuilder* b);
Napi::Value DecodeRule(Napi::Env env, const nlmsghdr* h, const uint8_t* payload, size_t len);
void EncodeNsid(const Napi::Object& spec, MsgBuilder* b);
Napi::Value DecodeNsid(Napi::Env env, const nlmsghdr* h, const uint8_t* payload, size_t len);
Napi::Value DecodeLinks(Napi::Env env, const std::vector<MsgView>& msgs);
Napi::Object LinkTables(Napi::Env env);

// Column layout of decoded links (see DecodeLinks; lib/link/decode.ts reads the slots by the
// names contract.cc exports). The last numeric slot starts the kLinkStats counters.
// clang-format off
#define NETDEV_LINK_NUMS(X)        \
  X(kIndex, index)                 \
  X(kType, type)                   \
  X(kFlags, flags)                 \
  X(kOperstate, operstate)         \
  X(kMtu, mtu)                     \
  X(kMinMtu, minMtu)               \
  X(kMaxMtu, maxMtu)               \
  X(kMaster, master)               \
  X(kParent, parent)               \
  X(kParentNetnsId, parentNetnsId) \
  X(kTxqlen, txqlen)               \
  X(kGroup, group)                 \
  X(kCarrier, carrier)             \
  X(kPromiscuity, promiscuity)     \
  X(kNumTxQueues, numTxQueues)     \
  X(kNumRxQueues, numRxQueues)     \
  X(kGsoMaxSize, gsoMaxSize)       \
  X(kGsoMaxSegs, gsoMaxSegs)       \
  X(kGroMaxSize, groMaxSize)       \
  X(kHasStats, hasStats)           \
  X(kStats, stats)
// clang-format on
enum LinkNum { NETDEV_LINK_NUMS(NETDEV_ENUM_ENTRY) };
constexpr size_t kLinkStats = 24;  // the counters of struct rtnl_link_stats64 netdev reports
constexpr size_t kLinkNums = kStats + kLinkStats;
// Objects per link in the batch's `extra` array: the kind's settings, the port settings, the
// bridge VLANs (AF_BRIDGE), the alternative names.
constexpr size_t kLinkExtras = 4;
// clang-format off
#define NETDEV_LINK_STRS(X)      \
  X(kName, name)                 \
  X(kMac, mac)                   \
  X(kBroadcast, broadcast)       \
  X(kPermanentMac, permanentMac) \
  X(kAlias, alias)               \
  X(kQdisc, qdisc)               \
  X(kKind, kind)                 \
  X(kPortKind, portKind)
// clang-format on
enum LinkStr { NETDEV_LINK_STRS(NETDEV_ENUM_ENTRY) kLinkStrs };
#undef NETDEV_ENUM_ENTRY
// The addon's side of the JS<->C++ contract: the column and field names above, the counters'
// names (contract.cc).
Napi::Object Contract(Napi::Env env);
Napi::Value DecodeAddr(Napi::Env env, const nlmsghdr* h, const uint8_t* payload, size_t len);

// A destination namespace given by a NetnsHandle at spec[key] (IFLA_NET_NS_FD, NETNSA_FD): appends
// `attr` holding its fd and makes *b hold the namespace until the messages are done with, so the
// fd cannot be closed, and its number reused by another namespace, in between. False if the key
// is not set; throws ERR_INVALID_ARG_TYPE for anything but a NetnsHandle, ERR_INVALID_ARG_VALUE for
// a closed one (codec_util.cc, over napi/netns_handle.h).
bool PutNetnsFd(const Napi::Object& spec, const char* key, uint16_t attr, MsgBuilder* b);

// Helpers for the codecs (codec_util.cc).
// Whether [p, p+len) is a sequence of whole netlink attributes (each at least a header, inside the
// buffer, the next one at its aligned end), as the kernel's nla_parse reads them.
bool WellFormedAttrs(const uint8_t* p, size_t len);
// Parses "aa:bb:cc:.." (1-32 bytes) into out; returns its length or 0 if malformed.
size_t ParseHwAddr(const std::string& s, uint8_t* out, size_t cap);
std::string FormatHwAddr(const uint8_t* p, size_t n);
// Appends attribute `attr` holding the IP literal at spec[key] (of `family`), if the key is set;
// throws a TypeError if it is not an address of that family.
void PutIp(const Napi::Object& spec, const char* key, int family, uint16_t attr, MsgBuilder* b);
// spec[key] parsed as an address of `family` into out (16 bytes); its length, 0 when absent.
// Throws ERR_INVALID_ARG_TYPE for anything but an address of the family.
size_t GetIp(const Napi::Object& spec, const char* key, int family, uint8_t* out);
// Parses an IPv4/IPv6 literal of the given family (AF_INET / AF_INET6) into out (4 or 16 bytes).
size_t ParseIp(int family, const std::string& s, uint8_t* out);
Napi::Value FormatIp(Napi::Env env, int family, const uint8_t* p, size_t n);

}  // namespace netdev
