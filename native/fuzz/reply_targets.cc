// The netlink socket's reply handling (native/netlink/nlsock.cc) over arbitrary datagrams: sequence and
// port-id matching, multi-part dumps, NLM_F_DUMP_INTR, error and extended-ack parsing. A
// SOCK_SEQPACKET socketpair plays the kernel: the input is split into datagrams queued on it
// before the request is made, then the peer is shut, so every input ends (no reply left reads as
// an empty datagram, which NlSocket must refuse rather than wait on).
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cstring>
#include <vector>

#include "netlink/nlsock.h"
#include "targets.h"

namespace netdev::fuzz {

namespace {

constexpr uint32_t kPort = 0x4e44;

std::vector<uint8_t> Requests(int n) {
  std::vector<uint8_t> out;
  for (int i = 0; i < n; ++i) {
    nlmsghdr h{};
    h.nlmsg_len = NLMSG_LENGTH(16);
    h.nlmsg_type = RTM_GETLINK;
    size_t off = out.size();
    out.resize(off + NLMSG_ALIGN(h.nlmsg_len), 0);
    std::memcpy(out.data() + off, &h, sizeof h);
  }
  return out;
}

// Input: one byte of mode (bit 0: a dump, else a batch of 1 + (mode >> 1) % 4 requests), then
// datagrams, each a 16-bit length and that many bytes.
void Reply(Napi::Env, const uint8_t* data, size_t len) {
  if (len < 1) return;
  uint8_t mode = data[0];
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) Finding("socketpair failed");
  UniqueFd kernel(sv[1]);
  auto sock = NlSocket::Adopt(UniqueFd(sv[0]), kPort);
  for (size_t off = 1; off + 2 <= len;) {
    uint16_t n;
    std::memcpy(&n, data + off, 2);
    off += 2;
    size_t take = n < len - off ? n : len - off;
    if (send(kernel.Get(), data + off, take, MSG_DONTWAIT) < 0) break;
    off += take;
  }
  shutdown(kernel.Get(), SHUT_WR);
  if (mode & 1) {
    std::vector<uint8_t> req = Requests(1);
    NlResult out;
    SysError e = sock->Dump(&req, &out);
    if (!e.Failed() && out.messages.size() % NLMSG_ALIGNTO) Finding("dump result not aligned");
  } else {
    int count = 1 + (mode >> 1) % 4;
    std::vector<uint8_t> req = Requests(count);
    std::vector<NlResult> results;
    SysError e = sock->Transact(&req, &results);
    if (!e.Failed() && results.size() != static_cast<size_t>(count)) Finding("one result per request");
  }
}

// An NLMSG_ERROR payload: two bytes of nlmsg_flags, then the payload.
void NlError(Napi::Env, const uint8_t* data, size_t len) {
  if (len < 2) return;
  uint16_t flags;
  std::memcpy(&flags, data, 2);
  std::vector<uint8_t> payload(data + 2, data + len);
  NlResult r;
  if (ParseNlError(payload.data(), payload.size(), flags, &r) && r.extack.size() > payload.size())
    Finding("extack longer than its message");
}

}  // namespace

const Target kReplyTargets[] = {
    {"reply", "NlSocket::Transact/Dump against fuzzed datagrams from a fake kernel", Reply},
    {"nlerror", "ParseNlError: error codes and extended-ack attributes", NlError},
    {nullptr, nullptr, nullptr},
};

}  // namespace netdev::fuzz
