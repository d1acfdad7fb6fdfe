// The reply decoders (native/codec*.cc) over arbitrary bytes: what a kernel, or anything that can
// get a message into a netdev socket, could send. One target per message family, which rewrites
// every message's type to that family's (so a corpus of any replies reaches that decoder), and
// one that takes the bytes as they are.
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <cstring>
#include <vector>

#include "rtnl/codec.h"
#include "targets.h"

namespace netdev::fuzz {

namespace {

// The input in a buffer aligned as a receive buffer is (the decoders rely on nlmsghdr alignment,
// as the kernel guarantees), sized exactly, so a read past the end is caught.
struct Aligned {
  std::vector<uint64_t> words;
  Aligned(const uint8_t* data, size_t n) : words((n + 7) / 8) {
    if (n) std::memcpy(words.data(), data, n);
  }
  uint8_t* Data() { return reinterpret_cast<uint8_t*>(words.data()); }
};

// Decodes the input as one reply buffer, every message's type set to `base` (or base + 1, the
// DEL type, when the original type is odd).
template <uint16_t base>
void DecodeAs(Napi::Env env, const uint8_t* data, size_t len) {
  Aligned in(data, len);
  uint8_t* p = in.Data();
  for (size_t off = 0; off + sizeof(nlmsghdr) <= len;) {
    nlmsghdr h;
    std::memcpy(&h, p + off, sizeof h);
    h.nlmsg_type = static_cast<uint16_t>(base + (h.nlmsg_type & 1));
    std::memcpy(p + off, &h, sizeof h);
    if (h.nlmsg_len < sizeof(nlmsghdr) || h.nlmsg_len > len - off) break;
    off += NLMSG_ALIGN(h.nlmsg_len);
  }
  DecodeMessages(env, p, len);
}

void DecodeRaw(Napi::Env env, const uint8_t* data, size_t len) {
  Aligned in(data, len);
  DecodeMessages(env, in.Data(), len);
}

}  // namespace

const Target kDecodeTargets[] = {
    {"link", "RTM_NEWLINK/DELLINK replies: DecodeLinks, every IFLA_* and kind's info", DecodeAs<RTM_NEWLINK>},
    {"addr", "RTM_NEWADDR/DELADDR replies: DecodeAddr", DecodeAs<RTM_NEWADDR>},
    {"route", "RTM_NEWROUTE/DELROUTE replies: DecodeRoutes, multipath, metrics", DecodeAs<RTM_NEWROUTE>},
    {"neigh", "RTM_NEWNEIGH/DELNEIGH replies (ARP, NDP, FDB): DecodeNeigh", DecodeAs<RTM_NEWNEIGH>},
    {"rule", "RTM_NEWRULE/DELRULE replies: DecodeRule", DecodeAs<RTM_NEWRULE>},
    {"nsid", "RTM_NEWNSID/DELNSID replies: DecodeNsid", DecodeAs<RTM_NEWNSID>},
    {"messages", "any mix of messages, types as given: DecodeMessages", DecodeRaw},
    {nullptr, nullptr, nullptr},
};

}  // namespace netdev::fuzz
