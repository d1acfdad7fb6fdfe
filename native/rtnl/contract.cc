// The addon's side of the JS<->C++ contract, exported so that lib/ never mirrors a layout by hand
// unchecked: the column names of decoded links and routes, the packed route's field names, and
// the link counters' names. lib/core/contract.ts declares the same lists as types;
// test/unit/contract.test.mjs proves they are equal.
#include <linux/if_link.h>

#include <cstddef>

#include "rtnl/codec.h"

namespace netdev {

namespace {

// rtnl_link_stats64 in its uapi order: the counters DecodeLinks copies, first to last.
// clang-format off
#define NETDEV_LINK_STATS(X)                \
  X(rx_packets, rxPackets)                  \
  X(tx_packets, txPackets)                  \
  X(rx_bytes, rxBytes)                      \
  X(tx_bytes, txBytes)                      \
  X(rx_errors, rxErrors)                    \
  X(tx_errors, txErrors)                    \
  X(rx_dropped, rxDropped)                  \
  X(tx_dropped, txDropped)                  \
  X(multicast, multicast)                   \
  X(collisions, collisions)                 \
  X(rx_length_errors, rxLengthErrors)       \
  X(rx_over_errors, rxOverErrors)           \
  X(rx_crc_errors, rxCrcErrors)             \
  X(rx_frame_errors, rxFrameErrors)         \
  X(rx_fifo_errors, rxFifoErrors)           \
  X(rx_missed_errors, rxMissedErrors)       \
  X(tx_aborted_errors, txAbortedErrors)     \
  X(tx_carrier_errors, txCarrierErrors)     \
  X(tx_fifo_errors, txFifoErrors)           \
  X(tx_heartbeat_errors, txHeartbeatErrors) \
  X(tx_window_errors, txWindowErrors)       \
  X(rx_compressed, rxCompressed)            \
  X(tx_compressed, txCompressed)            \
  X(rx_nohandler, rxNohandler)
// clang-format on

// Each counter is where its position says: the order above is the kernel's.
constexpr size_t kStatIndex[] = {
#define NETDEV_STAT_OFFSET(field, name) offsetof(rtnl_link_stats64, field) / sizeof(__u64),
    NETDEV_LINK_STATS(NETDEV_STAT_OFFSET)};
constexpr bool InOrder() {
  for (size_t i = 0; i < std::size(kStatIndex); ++i)
    if (kStatIndex[i] != i) return false;
  return true;
}
static_assert(InOrder() && std::size(kStatIndex) == kLinkStats, "NETDEV_LINK_STATS is rtnl_link_stats64's order");

Napi::Array Names(Napi::Env env, std::initializer_list<const char*> names) {
  Napi::Array a = Napi::Array::New(env, names.size());
  uint32_t i = 0;
  for (const char* n : names) a.Set(i++, n);
  return a;
}

}  // namespace

Napi::Object Contract(Napi::Env env) {
#define NETDEV_NAME(id, name) #name,
  Napi::Object o = Napi::Object::New(env);
  o.Set("linkNums", Names(env, {NETDEV_LINK_NUMS(NETDEV_NAME)}));
  o.Set("linkStrs", Names(env, {NETDEV_LINK_STRS(NETDEV_NAME)}));
  o.Set("linkStats", Names(env, {NETDEV_LINK_STATS(NETDEV_NAME)}));
  o.Set("routeNums", Names(env, {NETDEV_ROUTE_NUMS(NETDEV_NAME)}));
  o.Set("routeFields", Names(env, {NETDEV_ROUTE_FIELDS(NETDEV_NAME)}));
#undef NETDEV_NAME
  return o;
}

}  // namespace netdev
