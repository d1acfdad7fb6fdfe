// A netlink socket of one protocol family (NETLINK_ROUTE for rtnetlink, NETLINK_NETFILTER for
// nf_tables, …) bound to one network namespace: batched requests with per-request results,
// multi-part dumps, and strict reply validation (sender, portid, sequence, DUMP_INTR, extack).
#pragma once

#include <linux/netlink.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/common.h"
#include "netlink/nlmsg.h"

namespace netdev {

// What the kernel answered to one request.
struct NlResult {
  int errnum = 0;                 // positive errno when the kernel refused the request
  std::string extack;             // the kernel's extended-ack message, if any
  std::string context;            // netdev's own explanation (a dump interrupted too often)
  int extackOffset = -1;          // offset of the offending attribute in the request, if given
  std::vector<uint8_t> messages;  // reply messages (whole nlmsghdr-framed messages, aligned)
};

// Reply buffers of dumps, kept warm from one dump to the next (at most a few, each at most 64 MiB).
// A dump of 2,000 links is ~3 MB of messages: a fresh buffer pays its growth (copies) and a page
// fault for every 4 KiB page, and freeing it gives the pages back, on every dump; on a VM that is
// several ms, and which thread's malloc arena served it made dumps bimodal.
std::vector<uint8_t> TakeReplyBuffer();
void GiveReplyBuffer(std::vector<uint8_t>&& buf);
// Gives back the reply buffers of `results` (the work that held them is done with them).
void GiveReplyBuffers(std::vector<NlResult>* results);

class NlSocket {
 public:
  // Opens a socket of `protocol` (NETLINK_ROUTE, NETLINK_NETFILTER, …) inside the namespace
  // behind nsfd (via a short-lived thread).
  static SysError Open(int nsfd, int protocol, std::unique_ptr<NlSocket>* out);
  // Wraps an already-connected message socket (for tests: a SOCK_SEQPACKET peer plays the kernel).
  static std::unique_ptr<NlSocket> Adopt(UniqueFd fd, uint32_t portid);
  ~NlSocket() = default;

  // Sends the concatenated requests in `msgs` (seq numbers and NLM_F_REQUEST/ACK are filled in
  // here) in as few sendmsg() calls as fit, and gathers each request's answer in (*results)[i].
  // A returned error means the socket is no longer usable (it must not go back to a pool).
  // `oneDatagram`: every request in a single sendmsg(), as nf_tables needs for a batch (the
  // kernel applies BATCH_BEGIN … BATCH_END as one transaction only within one datagram).
  SysError Transact(std::vector<uint8_t>* msgs, std::vector<NlResult>* results, bool oneDatagram = false);

  // An nf_tables batch (NFNL_MSG_BATCH_BEGIN, the object messages, NFNL_MSG_BATCH_END) in one
  // sendmsg(), the send buffer grown to fit it. Only the last object message asks for an ACK
  // (BATCH_END is ACKed only since Linux 6.10, and an ACK for each message would overflow the
  // receive buffer of a large batch); refusals always come back, each on its message's seq (a
  // refusal of the whole batch on BATCH_BEGIN's or the first message's). The kernel answers
  // within sendmsg(), so the answers are read without waiting. Echoed objects (NLM_F_ECHO)
  // gather in their message's result. Errors: a refusal is in its result; ENOBUFS when answers
  // were lost and none of those read is a refusal; EPROTO when nothing acknowledged the batch.
  SysError Batch(std::vector<uint8_t>* msgs, std::vector<NlResult>* results);

  // Runs one dump request; concatenated reply messages go to *out. Retries a bounded number of
  // times when the kernel flags the dump as interrupted (NLM_F_DUMP_INTR).
  SysError Dump(std::vector<uint8_t>* req, NlResult* out);

  bool Healthy() const { return healthy_; }
  int Protocol() const { return protocol_; }
  uint32_t Portid() const { return portid_; }

 private:
  NlSocket() = default;
  // dontwait: EAGAIN (the socket stays healthy) instead of waiting when nothing is queued.
  SysError Recv(std::vector<uint8_t>* buf, size_t* len, bool dontwait = false);
  // Receives one datagram into rx_ and splits it into its messages (views into rx_).
  SysError RecvMessages(std::vector<MsgView>* views, bool dontwait = false);
  SysError SendAll(const uint8_t* data, size_t len);
  // Splits msgs into its messages' offsets; false for a malformed one.
  static bool Index(const std::vector<uint8_t>& msgs, std::vector<size_t>* offs);

  UniqueFd fd_;
  int protocol_ = NETLINK_ROUTE;
  uint32_t portid_ = 0;
  uint32_t seq_ = 0;
  bool healthy_ = true;
  int sndbuf_ = 0;  // what SO_SNDBUF was raised to for a batch (0: the default)
  std::vector<uint8_t> rx_;
};

// Parses an NLMSG_ERROR payload (with extended-ack attributes) into *r. Returns false if the
// payload is too short to hold an error code.
bool ParseNlError(const uint8_t* payload, size_t len, uint16_t flags, NlResult* r);

}  // namespace netdev
