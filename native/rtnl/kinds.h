// Kind-specific link attributes (IFLA_INFO_DATA), described once per kind as a table: the JS key,
// the uapi attribute, how it is encoded, its range or names. Encoding, decoding and the JS-side
// validation (the tables are exported to lib/) all come from the same table, so every setting
// that can be written can be read back.
#pragma once

#include <napi.h>

#include <cstdint>

#include "netlink/nlmsg.h"

namespace netdev {

enum class Enc : uint8_t {
  kU8,
  kU16,
  kU32,
  kBe16,
  kBe32,
  kBool8,      // u8 0/1 <-> boolean
  kFlag,       // attribute present <-> true
  kFlagU8,     // written as a flag, read back as a u8 0/1 (IFLA_VXLAN_TTL_INHERIT)
  kEnum8,      // u8 <-> one of `names`
  kEnum16,     // u16 <-> one of `names`
  kEnumBe16,   // big-endian u16 <-> one of `names` (ethertypes)
  kEnum32,     // u32 <-> one of `names`
  kBit16,      // one bit (`bit`) of a u16 attribute <-> boolean; bits of one attribute are combined
  kVlanFlag,   // one bit of struct ifla_vlan_flags (flags + mask) <-> boolean
  kIn4,        // IPv4 address <-> string
  kIn6,        // IPv6 address <-> string
  kPortRange,  // struct ifla_vxlan_port_range (be16 low, high) <-> [low, high]
  kQosMap,     // nested IFLA_VLAN_QOS_MAPPING entries <-> [[from, to], ...]
  kMacList,    // nested IFLA_MACVLAN_MACADDR entries <-> ['aa:bb:..', ...]
  kIn4List,    // nested IPv4 addresses (bond arp_ip_target) <-> ["a.b.c.d", ...]
  kMac,        // hardware address <-> "aa:bb:.."
  kHex64,      // 8 bytes in wire order <-> 16 hex digits (MACsec SCI)
  kEnum64,     // u64 <-> one of `names` (MACsec cipher suites)
  kS32,        // signed 32-bit integer
  kBool32,     // u32 0/1 <-> boolean (IFLA_BR_STP_STATE)
  kCentis,     // u32 clock_t (centiseconds) <-> seconds, a number in [min, max] (bridge timers)
  kBridgeId,   // struct ifla_bridge_id <-> "8000.02:00:00:00:00:aa": priority, MAC (read-only)
  kTrueU8,     // true: a u8 1 (present means on, whatever its value); false: left out (IFLA_GTP_CREATE_SOCKETS)
};

struct EnumName {
  uint64_t value;
  const char* name;
};

struct Field {
  const char* key;
  uint16_t attr;
  const char* attrName;  // the uapi name of `attr` (IFLA_VXLAN_ID), exported for the generated types' docs
  Enc enc;
  double min = 0;
  double max = 0;
  const EnumName* names = nullptr;  // kEnum*: the names; terminated by {0, nullptr}
  uint32_t bit = 0;                 // kBit16 / kVlanFlag
  bool readOnly = false;            // reported by the kernel, never written
};

struct KindTable {
  const char* kind;
  const Field* fields;
  size_t count;
};

// The highest attribute number any table row may have: decoding parses into a flat table of this
// size (a row above it would never decode, which the contract test's round trip of every row shows).
constexpr uint16_t kMaxKindAttr = 127;

// Every kind's table, and every port kind's (kind_tables.cc).
const KindTable* KindList(size_t* count);
const KindTable* PortKindList(size_t* count);
// The table for a kind, or nullptr.
const KindTable* FindKind(const std::string& kind);
// Kinds created with a peer nested in IFLA_INFO_DATA (veth, vxcan, netkit).
bool HasPeer(const std::string& kind);
// The table for the port settings of a master kind (IFLA_INFO_SLAVE_DATA), or nullptr.
const KindTable* FindPortKind(const std::string& kind);
// Encodes the known keys of `data` (already validated by lib/) as IFLA_INFO_DATA attributes.
void EncodeKindData(const KindTable& k, const Napi::Object& data, MsgBuilder* b);
// Decodes IFLA_INFO_DATA into an object with the table's keys.
Napi::Object DecodeKindData(Napi::Env env, const KindTable& k, const AttrView& data);
// The kinds' tables, for lib/'s validation and generated types:
// { kind: [{ key, attr, enc, min, max, readOnly, names? }] }.
Napi::Object KindTables(Napi::Env env);
// The port tables (IFLA_INFO_SLAVE_DATA) by master kind, in the same form.
Napi::Object PortTables(Napi::Env env);

}  // namespace netdev
