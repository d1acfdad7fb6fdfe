#include "netlink/nlsock.h"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <climits>
#include <cstring>
#include <mutex>

#include "netlink/nlmsg.h"
#include "sys/netns.h"

namespace netdev {

namespace {

constexpr size_t kMaxBatchBytes = 32 * 1024;  // well below the default socket send buffer
constexpr size_t kMaxBatchMsgs = 32;          // bounds the replies queued before we read
constexpr int kRcvBuf = 1 << 20;
constexpr int kDumpRetries = 8;
constexpr int kReplyTimeoutSec = 60;  // a safety net: the kernel always answers well before

void SetOpt(int fd, int level, int name, int value) { setsockopt(fd, level, name, &value, sizeof value); }

}  // namespace

bool ParseNlError(const uint8_t* payload, size_t len, uint16_t flags, NlResult* r) {
  if (len < sizeof(int)) return false;
  int err;
  std::memcpy(&err, payload, sizeof err);
  // INT_MIN has no positive counterpart (and is no errno): a malformed error, EPROTO.
  r->errnum = err == INT_MIN ? EPROTO : (err < 0 ? -err : err);
  if (!(flags & NLM_F_ACK_TLVS) || len < sizeof(nlmsgerr)) return true;
  // With NETLINK_CAP_ACK the original request is echoed as its header only.
  size_t off = sizeof(int);
  nlmsghdr orig;
  std::memcpy(&orig, payload + off, sizeof orig);
  off += (flags & NLM_F_CAPPED) ? sizeof(nlmsghdr) : NLMSG_ALIGN(orig.nlmsg_len);
  if (off > len) return true;
  AttrIter it(payload + off, len - off);
  AttrView a;
  while (it.Next(&a)) {
    if (a.type == NLMSGERR_ATTR_MSG) r->extack = a.Str();
    if (a.type == NLMSGERR_ATTR_OFFS) {
      uint32_t o;
      if (a.U32(&o)) r->extackOffset = static_cast<int>(o);
    }
  }
  return true;
}

SysError NlSocket::Open(int nsfd, int protocol, std::unique_ptr<NlSocket>* out) {
  UniqueFd fd;
  SysError e = RunInNetns(nsfd, [&]() -> SysError {
    int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
    if (s < 0) return SysError::Errno("socket");
    fd.Reset(s);
    return {};
  });
  if (e.Failed()) return e;
  int s = fd.Get();
  // Larger buffers where allowed (FORCE needs CAP_NET_ADMIN in the initial namespace).
  if (setsockopt(s, SOL_SOCKET, SO_RCVBUFFORCE, &kRcvBuf, sizeof kRcvBuf) != 0)
    SetOpt(s, SOL_SOCKET, SO_RCVBUF, kRcvBuf);
  SetOpt(s, SOL_NETLINK, NETLINK_EXT_ACK, 1);
  SetOpt(s, SOL_NETLINK, NETLINK_CAP_ACK, 1);
  // Strict checking (4.20+): filters in dump requests are honoured, bad headers are rejected.
  SetOpt(s, SOL_NETLINK, NETLINK_GET_STRICT_CHK, 1);
  timeval tv{kReplyTimeoutSec, 0};
  setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_nl sa{};
  sa.nl_family = AF_NETLINK;
  if (bind(s, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) return SysError::Errno("bind");
  socklen_t sl = sizeof sa;
  if (getsockname(s, reinterpret_cast<sockaddr*>(&sa), &sl) != 0) return SysError::Errno("getsockname");
  std::unique_ptr<NlSocket> sock(new NlSocket());
  sock->fd_ = std::move(fd);
  sock->protocol_ = protocol;
  sock->portid_ = sa.nl_pid;
  sock->rx_.resize(64 * 1024);
  *out = std::move(sock);
  return {};
}

std::unique_ptr<NlSocket> NlSocket::Adopt(UniqueFd fd, uint32_t portid) {
  std::unique_ptr<NlSocket> sock(new NlSocket());
  sock->fd_ = std::move(fd);
  sock->portid_ = portid;
  sock->rx_.resize(64 * 1024);
  return sock;
}

SysError NlSocket::SendAll(const uint8_t* data, size_t len) {
  sockaddr_nl to{};
  to.nl_family = AF_NETLINK;
  iovec iov{const_cast<uint8_t*>(data), len};
  msghdr mh{};
  mh.msg_name = &to;
  mh.msg_namelen = sizeof to;
  mh.msg_iov = &iov;
  mh.msg_iovlen = 1;
  ssize_t n;
  do {
    n = sendmsg(fd_.Get(), &mh, 0);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    healthy_ = false;
    return SysError::Errno("sendmsg");
  }
  return {};
}

SysError NlSocket::RecvMessages(std::vector<MsgView>* views, bool dontwait) {
  size_t n;
  SysError e = Recv(&rx_, &n, dontwait);
  if (e.Failed()) return e;
  views->clear();
  if (!SplitMessages(rx_.data(), n, views)) {
    healthy_ = false;
    return SysError::Of(EPROTO, "recvmsg", "malformed netlink reply");
  }
  return {};
}

// Receives one datagram into *buf (grown to fit: the size is peeked first), from the kernel only.
SysError NlSocket::Recv(std::vector<uint8_t>* buf, size_t* len, bool dontwait) {
  const int flags = dontwait ? MSG_DONTWAIT : 0;
  for (;;) {
    ssize_t want = recv(fd_.Get(), nullptr, 0, MSG_PEEK | MSG_TRUNC | flags);
    if (want < 0) {
      if (errno == EINTR) continue;
      if (dontwait && (errno == EAGAIN || errno == EWOULDBLOCK)) return SysError::Of(EAGAIN, "recvmsg");
      healthy_ = false;
      if (errno == EAGAIN) return SysError::Of(ETIMEDOUT, "recvmsg", "no reply from the kernel");
      return SysError::Errno("recvmsg");
    }
    if (static_cast<size_t>(want) > buf->size()) buf->resize(static_cast<size_t>(want));
    sockaddr_nl from{};
    iovec iov{buf->data(), buf->size()};
    msghdr mh{};
    mh.msg_name = &from;
    mh.msg_namelen = sizeof from;
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    ssize_t n = recvmsg(fd_.Get(), &mh, flags);
    if (n < 0) {
      if (errno == EINTR) continue;
      healthy_ = false;
      return SysError::Errno("recvmsg");
    }
    if (n == 0) {
      // The kernel never sends an empty datagram; a closed peer (a socketpair in the tests and
      // fuzzer) reads as one, forever. Refuse it rather than wait on it.
      healthy_ = false;
      return SysError::Of(EPROTO, "recvmsg", "empty netlink reply");
    }
    if (mh.msg_flags & MSG_TRUNC) {
      healthy_ = false;
      return SysError::Of(EMSGSIZE, "recvmsg", "netlink reply truncated");
    }
    if (from.nl_pid != 0) continue;  // not from the kernel: ignore
    *len = static_cast<size_t>(n);
    return {};
  }
}

bool NlSocket::Index(const std::vector<uint8_t>& msgs, std::vector<size_t>* offs) {
  size_t off = 0;
  while (off < msgs.size() && msgs.size() - off >= sizeof(nlmsghdr)) {
    const auto* h = reinterpret_cast<const nlmsghdr*>(msgs.data() + off);
    if (h->nlmsg_len < sizeof(nlmsghdr) || h->nlmsg_len > msgs.size() - off) return false;
    offs->push_back(off);
    off += NLMSG_ALIGN(h->nlmsg_len);
  }
  return true;
}

SysError NlSocket::Transact(std::vector<uint8_t>* msgs, std::vector<NlResult>* results, bool oneDatagram) {
  std::vector<size_t> offs;
  if (!Index(*msgs, &offs)) return SysError::Of(EINVAL, "rtnetlink", "malformed request");
  results->assign(offs.size(), NlResult{});
  size_t i = 0;
  while (i < offs.size()) {
    // One chunk: requests [i, j) in one sendmsg(); only the last asks for an ACK. The kernel
    // processes them in order and reports any failure, so the last ACK means all are done.
    size_t j = i;
    size_t bytes = 0;
    while (j < offs.size() && (oneDatagram || j - i < kMaxBatchMsgs)) {
      auto* h = reinterpret_cast<nlmsghdr*>(msgs->data() + offs[j]);
      size_t sz = NLMSG_ALIGN(h->nlmsg_len);
      if (!oneDatagram && j > i && bytes + sz > kMaxBatchBytes) break;
      bytes += sz;
      ++j;
    }
    uint32_t base = ++seq_;
    seq_ += static_cast<uint32_t>(j - i - 1);
    for (size_t k = i; k < j; ++k) {
      auto* h = reinterpret_cast<nlmsghdr*>(msgs->data() + offs[k]);
      h->nlmsg_seq = base + static_cast<uint32_t>(k - i);
      h->nlmsg_pid = portid_;
      h->nlmsg_flags |= NLM_F_REQUEST;
      h->nlmsg_flags &= static_cast<uint16_t>(~NLM_F_ACK);
      if (k + 1 == j) h->nlmsg_flags |= NLM_F_ACK;
    }
    SysError e = SendAll(msgs->data() + offs[i], bytes);
    if (e.Failed()) return e;
    uint32_t lastSeq = base + static_cast<uint32_t>(j - i - 1);
    bool done = false;
    std::vector<MsgView> views;
    while (!done) {
      e = RecvMessages(&views);
      if (e.Failed()) return e;
      for (const MsgView& m : views) {
        const nlmsghdr* h = m.hdr;
        if (h->nlmsg_pid != portid_ || h->nlmsg_seq < base || h->nlmsg_seq > lastSeq) continue;
        NlResult& r = (*results)[i + (h->nlmsg_seq - base)];
        if (h->nlmsg_type == NLMSG_ERROR) {
          if (!ParseNlError(m.payload, m.payloadLen, h->nlmsg_flags, &r)) {
            healthy_ = false;
            return SysError::Of(EPROTO, "recvmsg", "short netlink error message");
          }
          if (h->nlmsg_seq == lastSeq) done = true;
        } else if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_NOOP) {
          continue;
        } else {
          const auto* p = reinterpret_cast<const uint8_t*>(h);
          r.messages.insert(r.messages.end(), p, p + NLMSG_ALIGN(h->nlmsg_len));
          r.messages.resize(NLMSG_ALIGN(r.messages.size()), 0);
        }
      }
    }
    i = j;
  }
  return {};
}

SysError NlSocket::Batch(std::vector<uint8_t>* msgs, std::vector<NlResult>* results) {
  std::vector<size_t> offs;
  if (!Index(*msgs, &offs) || offs.size() < 3)
    return SysError::Of(EINVAL, "nftables", "a batch is BATCH_BEGIN, one message or more, BATCH_END");
  size_t n = offs.size();
  results->assign(n, NlResult{});
  // The whole batch is one datagram, which netlink refuses (EMSGSIZE) beyond the send buffer.
  size_t bytes = msgs->size();
  if (bytes + 64 * 1024 > static_cast<size_t>(sndbuf_) && bytes > 128 * 1024) {
    if (bytes > (size_t{1} << 30)) return SysError::Of(EMSGSIZE, "sendmsg", "an nf_tables batch of over 1 GiB");
    int want = static_cast<int>(bytes + 64 * 1024);
    // FORCE needs CAP_NET_ADMIN in the initial user namespace (capable()); without it (a rootless
    // container) the kernel caps the size at twice net.core.wmem_max, and a batch beyond that is
    // refused with EMSGSIZE below.
    if (setsockopt(fd_.Get(), SOL_SOCKET, SO_SNDBUFFORCE, &want, sizeof want) != 0)
      SetOpt(fd_.Get(), SOL_SOCKET, SO_SNDBUF, want);
    sndbuf_ = want;
  }
  uint32_t base = ++seq_;
  seq_ += static_cast<uint32_t>(n - 1);
  uint32_t ackSeq = base + static_cast<uint32_t>(n - 2);
  for (size_t k = 0; k < n; ++k) {
    auto* h = reinterpret_cast<nlmsghdr*>(msgs->data() + offs[k]);
    h->nlmsg_seq = base + static_cast<uint32_t>(k);
    h->nlmsg_pid = portid_;
    h->nlmsg_flags |= NLM_F_REQUEST;
    h->nlmsg_flags &= static_cast<uint16_t>(~NLM_F_ACK);
    if (k == n - 2) h->nlmsg_flags |= NLM_F_ACK;
  }
  SysError e = SendAll(msgs->data(), bytes);
  if (e.Failed()) {
    // One datagram, refused whole (EMSGSIZE, ENOBUFS, ENOMEM): nothing of it was read by the
    // kernel, and the socket is as good as before.
    healthy_ = true;
    return e;
  }
  // nfnetlink handles the whole batch inside sendmsg() (module loads and replays included), so
  // every answer it gives is queued by now: read them without waiting. Waiting for one particular
  // answer could only end in the receive timeout when the kernel sends another (an ENOMEM that
  // replaced all the others, a commit failure on the first message's seq).
  bool acked = false;
  bool lost = false;
  std::vector<MsgView> views;
  for (;;) {
    e = RecvMessages(&views, true);
    if (e.Failed()) {
      if (e.errnum == EAGAIN) break;  // all read
      if (e.errnum == ENOBUFS) {      // answers the receive buffer had no room for: read the rest
        lost = true;
        continue;
      }
      return e;
    }
    for (const MsgView& m : views) {
      const nlmsghdr* h = m.hdr;
      if (h->nlmsg_pid != portid_ || h->nlmsg_seq < base || h->nlmsg_seq >= base + n) continue;
      NlResult& r = (*results)[h->nlmsg_seq - base];
      if (h->nlmsg_type == NLMSG_ERROR) {
        if (!ParseNlError(m.payload, m.payloadLen, h->nlmsg_flags, &r)) {
          healthy_ = false;
          return SysError::Of(EPROTO, "recvmsg", "short netlink error message");
        }
        if (h->nlmsg_seq == ackSeq && r.errnum == 0) acked = true;
      } else if (h->nlmsg_type != NLMSG_DONE && h->nlmsg_type != NLMSG_NOOP) {
        const auto* p = reinterpret_cast<const uint8_t*>(h);
        r.messages.insert(r.messages.end(), p, p + NLMSG_ALIGN(h->nlmsg_len));
        r.messages.resize(NLMSG_ALIGN(r.messages.size()), 0);
      }
    }
  }
  healthy_ = true;  // read to the end: nothing of this batch is left to be read by the next user
  bool refused = false;
  for (const NlResult& r : *results) refused = refused || r.errnum != 0;
  if (refused) return {};  // the first refusal the kernel's answers kept is reported
  if (lost)
    return SysError::Of(ENOBUFS, "recvmsg",
                        "the kernel's answers to the batch overflowed the receive buffer: read the ruleset back");
  if (!acked) return SysError::Of(EPROTO, "recvmsg", "no acknowledgement of the nf_tables batch");
  return {};
}

namespace {
std::mutex gBuffersMu;
std::vector<std::vector<uint8_t>> gBuffers;
constexpr size_t kMaxBuffers = 4;
constexpr size_t kMaxBufferBytes = 64u << 20;
}  // namespace

std::vector<uint8_t> TakeReplyBuffer() {
  std::lock_guard<std::mutex> lock(gBuffersMu);
  if (gBuffers.empty()) return {};
  std::vector<uint8_t> b = std::move(gBuffers.back());
  gBuffers.pop_back();
  return b;
}

void GiveReplyBuffer(std::vector<uint8_t>&& buf) {
  if (buf.capacity() < 64 * 1024 || buf.capacity() > kMaxBufferBytes) return;
  buf.clear();
  std::lock_guard<std::mutex> lock(gBuffersMu);
  if (gBuffers.size() < kMaxBuffers) gBuffers.push_back(std::move(buf));
}

void GiveReplyBuffers(std::vector<NlResult>* results) {
  for (NlResult& r : *results) GiveReplyBuffer(std::move(r.messages));
}

SysError NlSocket::Dump(std::vector<uint8_t>* req, NlResult* out) {
  if (req->size() < sizeof(nlmsghdr)) return SysError::Of(EINVAL, "rtnetlink", "malformed request");
  auto* h = reinterpret_cast<nlmsghdr*>(req->data());
  std::vector<uint8_t> buffer = TakeReplyBuffer();
  for (int attempt = 0; attempt < kDumpRetries; ++attempt) {
    buffer.clear();
    *out = NlResult{};
    out->messages = std::move(buffer);
    uint32_t seq = ++seq_;
    h->nlmsg_seq = seq;
    h->nlmsg_pid = portid_;
    h->nlmsg_flags |= NLM_F_REQUEST | NLM_F_DUMP;
    SysError e = SendAll(req->data(), h->nlmsg_len);
    if (e.Failed()) return e;
    bool done = false;
    bool interrupted = false;
    std::vector<MsgView> views;
    while (!done) {
      e = RecvMessages(&views);
      if (e.Failed()) return e;
      for (const MsgView& m : views) {
        const nlmsghdr* rh = m.hdr;
        if (rh->nlmsg_pid != portid_ || rh->nlmsg_seq != seq) continue;
        if (rh->nlmsg_flags & NLM_F_DUMP_INTR) interrupted = true;
        if (rh->nlmsg_type == NLMSG_DONE) {
          done = true;
          // NLMSG_DONE carries the dump's final status (and extack) like an error message.
          NlResult status;
          if (m.payloadLen >= sizeof(int) && ParseNlError(m.payload, m.payloadLen, rh->nlmsg_flags, &status) &&
              status.errnum) {
            out->errnum = status.errnum;
            out->extack = status.extack;
          }
          break;
        }
        if (rh->nlmsg_type == NLMSG_ERROR) {
          ParseNlError(m.payload, m.payloadLen, rh->nlmsg_flags, out);
          if (out->errnum == 0) continue;  // an ACK
          done = true;
          break;
        }
        const auto* p = reinterpret_cast<const uint8_t*>(rh);
        out->messages.insert(out->messages.end(), p, p + NLMSG_ALIGN(rh->nlmsg_len));
        out->messages.resize(NLMSG_ALIGN(out->messages.size()), 0);
      }
    }
    if (!interrupted || out->errnum) return {};
    buffer = std::move(out->messages);
  }
  // Still inconsistent after all retries: report it rather than return a torn view.
  GiveReplyBuffer(std::move(buffer));
  *out = NlResult{};
  out->errnum = EAGAIN;
  out->context = "dump interrupted by concurrent changes (NLM_F_DUMP_INTR) after retries";
  return {};
}

}  // namespace netdev
