// Native tests of NlSocket's reply handling against a scripted fake kernel: the peer of a
// SOCK_SEQPACKET socketpair (message boundaries kept, addresses ignored) reads each request batch
// and answers with exactly the datagrams a test scripts, including misbehaviour the real kernel
// cannot be made to show on cue. Prints TAP; exit status 0 when all pass.
#include "netlink/nlsock.h"

#include <linux/netlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <functional>
#include <thread>
#include <vector>

#include "check.h"

using netdev::NlResult;
using netdev::NlSocket;
using netdev::SysError;
using netdev::UniqueFd;

using netdev::test::Check;
using netdev::test::Done;

namespace {

constexpr uint32_t kPort = 4242;

// One reply message: header + payload, aligned.
std::vector<uint8_t> Msg(uint16_t type, uint16_t flags, uint32_t seq, uint32_t pid,
                         const std::vector<uint8_t>& payload) {
  nlmsghdr h{};
  h.nlmsg_len = static_cast<uint32_t>(NLMSG_HDRLEN + payload.size());
  h.nlmsg_type = type;
  h.nlmsg_flags = flags;
  h.nlmsg_seq = seq;
  h.nlmsg_pid = pid;
  std::vector<uint8_t> out(NLMSG_ALIGN(h.nlmsg_len), 0);
  std::memcpy(out.data(), &h, sizeof h);
  if (!payload.empty()) std::memcpy(out.data() + NLMSG_HDRLEN, payload.data(), payload.size());
  return out;
}

// An NLMSG_ERROR payload (capped) with an optional extack message.
std::vector<uint8_t> ErrPayload(int err, const char* extack = nullptr) {
  std::vector<uint8_t> p(sizeof(int) + sizeof(nlmsghdr), 0);
  std::memcpy(p.data(), &err, sizeof err);
  if (extack) {
    size_t n = std::strlen(extack) + 1;
    uint16_t len = static_cast<uint16_t>(4 + n), type = NLMSGERR_ATTR_MSG;
    size_t off = p.size();
    p.resize(off + NLMSG_ALIGN(len), 0);
    std::memcpy(p.data() + off, &len, 2);
    std::memcpy(p.data() + off + 2, &type, 2);
    std::memcpy(p.data() + off + 4, extack, n);
  }
  return p;
}

std::vector<uint8_t> Cat(std::initializer_list<std::vector<uint8_t>> parts) {
  std::vector<uint8_t> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// A request batch of n dummy messages (type 16, empty ifinfomsg-sized payload).
std::vector<uint8_t> Requests(int n) {
  std::vector<uint8_t> out;
  for (int i = 0; i < n; ++i) {
    auto m = Msg(16, 0, 0, 0, std::vector<uint8_t>(16, 0));
    out.insert(out.end(), m.begin(), m.end());
  }
  return out;
}

struct Sent {
  std::vector<nlmsghdr> headers;
};

// A socket pair: one end adopted as the netlink socket under test, the other playing the kernel.
std::pair<UniqueFd, std::unique_ptr<NlSocket>> FakePair() {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
    std::perror("socketpair");
    std::exit(2);
  }
  return {UniqueFd(sv[1]), NlSocket::Adopt(UniqueFd(sv[0]), kPort)};
}

// Runs `script` as the kernel: it is given each received batch's headers and returns the
// datagrams to answer with.
void WithFakeKernel(const std::function<std::vector<std::vector<uint8_t>>(const Sent&, int round)>& script, int rounds,
                    const std::function<void(NlSocket&)>& body) {
  auto fake = FakePair();  // named apart: the kernel thread captures them
  UniqueFd kernel = std::move(fake.first);
  auto sock = std::move(fake.second);
  std::thread k([&] {
    std::vector<uint8_t> buf(1 << 16);
    for (int r = 0; r < rounds; ++r) {
      ssize_t n = recv(kernel.Get(), buf.data(), buf.size(), 0);
      if (n <= 0) return;
      Sent s;
      for (size_t off = 0; off + sizeof(nlmsghdr) <= static_cast<size_t>(n);) {
        nlmsghdr h;
        std::memcpy(&h, buf.data() + off, sizeof h);
        s.headers.push_back(h);
        off += NLMSG_ALIGN(h.nlmsg_len);
      }
      for (const auto& d : script(s, r)) send(kernel.Get(), d.data(), d.size(), 0);
    }
  });
  body(*sock);
  shutdown(kernel.Get(), SHUT_RDWR);
  k.join();
}

}  // namespace

int main() {
  // 1. A batch: requests are numbered, only the last asks for an ACK, and an error for the
  //    second lands on the second request only.
  WithFakeKernel(
      [](const Sent& s, int) {
        std::vector<std::vector<uint8_t>> out;
        out.push_back(Msg(NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS, s.headers[1].nlmsg_seq, kPort,
                          ErrPayload(-17, "already there")));
        out.push_back(Msg(NLMSG_ERROR, NLM_F_CAPPED, s.headers[2].nlmsg_seq, kPort, ErrPayload(0)));
        return out;
      },
      1,
      [](NlSocket& sock) {
        std::vector<uint8_t> req = Requests(3);
        std::vector<NlResult> res;
        SysError e = sock.Transact(&req, &res);
        const auto* h = reinterpret_cast<const nlmsghdr*>(req.data());
        const auto* h2 = reinterpret_cast<const nlmsghdr*>(req.data() + NLMSG_ALIGN(h->nlmsg_len) * 2);
        Check(!e.Failed() && res.size() == 3, "batch of 3 completes on the last ACK");
        Check(!(h->nlmsg_flags & NLM_F_ACK) && (h2->nlmsg_flags & NLM_F_ACK), "only the last request asks for an ACK");
        Check(h->nlmsg_pid == kPort && (h->nlmsg_flags & NLM_F_REQUEST),
              "requests carry our port id and NLM_F_REQUEST");
        Check(res[0].errnum == 0 && res[1].errnum == 17 && res[2].errnum == 0, "an error lands on its own request");
        Check(res[1].extack == "already there", "extended ack text is carried");
        Check(sock.Healthy(), "socket stays healthy");
      });

  // 2. Replies that are not ours (wrong seq, wrong port id) are ignored, not mistaken for ours.
  WithFakeKernel(
      [](const Sent& s, int) {
        uint32_t seq = s.headers[0].nlmsg_seq;
        return std::vector<std::vector<uint8_t>>{
            Cat({Msg(NLMSG_ERROR, 0, seq + 1000, kPort, ErrPayload(-1)),
                 Msg(NLMSG_ERROR, 0, seq, kPort + 1, ErrPayload(-2)),
                 Msg(16, 0, seq, kPort, std::vector<uint8_t>(16, 7)), Msg(NLMSG_ERROR, 0, seq, kPort, ErrPayload(0))})};
      },
      1,
      [](NlSocket& sock) {
        std::vector<uint8_t> req = Requests(1);
        std::vector<NlResult> res;
        SysError e = sock.Transact(&req, &res);
        Check(!e.Failed() && res[0].errnum == 0, "stray seq / foreign port id replies are ignored");
        Check(res[0].messages.size() == NLMSG_ALIGN(NLMSG_HDRLEN + 16), "our reply message is kept");
      });

  // 3. A dump flagged NLM_F_DUMP_INTR is retried; the clean second attempt is what is returned.
  WithFakeKernel(
      [](const Sent& s, int round) {
        uint32_t seq = s.headers[0].nlmsg_seq;
        uint16_t f = NLM_F_MULTI | (round == 0 ? NLM_F_DUMP_INTR : 0);
        std::vector<uint8_t> item(16, static_cast<uint8_t>(round + 1));
        return std::vector<std::vector<uint8_t>>{Msg(16, f, seq, kPort, item), Msg(16, f, seq, kPort, item),
                                                 Msg(NLMSG_DONE, f, seq, kPort, std::vector<uint8_t>(4, 0))};
      },
      2,
      [](NlSocket& sock) {
        std::vector<uint8_t> req = Requests(1);
        NlResult r;
        SysError e = sock.Dump(&req, &r);
        Check(!e.Failed() && r.errnum == 0, "interrupted dump is retried");
        Check(r.messages.size() == 2 * NLMSG_ALIGN(NLMSG_HDRLEN + 16) && r.messages[NLMSG_HDRLEN] == 2,
              "only the clean attempt's messages are returned");
      });

  // 4. A dump interrupted every time gives up with EAGAIN instead of returning a torn view.
  WithFakeKernel(
      [](const Sent& s, int) {
        uint32_t seq = s.headers[0].nlmsg_seq;
        uint16_t f = NLM_F_MULTI | NLM_F_DUMP_INTR;
        return std::vector<std::vector<uint8_t>>{Msg(16, f, seq, kPort, std::vector<uint8_t>(16, 1)),
                                                 Msg(NLMSG_DONE, f, seq, kPort, std::vector<uint8_t>(4, 0))};
      },
      8,
      [](NlSocket& sock) {
        std::vector<uint8_t> req = Requests(1);
        NlResult r;
        sock.Dump(&req, &r);
        Check(r.errnum == EAGAIN && r.messages.empty(),
              "persistently interrupted dump fails with EAGAIN after 8 tries");
      });

  // 5. NLMSG_DONE carrying an error (and extack) fails the dump with it.
  WithFakeKernel(
      [](const Sent& s, int) {
        uint32_t seq = s.headers[0].nlmsg_seq;
        return std::vector<std::vector<uint8_t>>{
            Msg(NLMSG_DONE, NLM_F_MULTI | NLM_F_ACK_TLVS | NLM_F_CAPPED, seq, kPort, ErrPayload(-22, "bad filter"))};
      },
      1,
      [](NlSocket& sock) {
        std::vector<uint8_t> req = Requests(1);
        NlResult r;
        sock.Dump(&req, &r);
        Check(r.errnum == 22 && r.extack == "bad filter", "NLMSG_DONE status and extack are reported");
      });

  // 6. A malformed reply (length beyond the datagram) marks the socket unusable.
  WithFakeKernel(
      [](const Sent& s, int) {
        auto m = Msg(NLMSG_ERROR, 0, s.headers[0].nlmsg_seq, kPort, ErrPayload(0));
        uint32_t bogus = 4096;
        std::memcpy(m.data(), &bogus, 4);
        return std::vector<std::vector<uint8_t>>{m};
      },
      1,
      [](NlSocket& sock) {
        std::vector<uint8_t> req = Requests(1);
        std::vector<NlResult> res;
        SysError e = sock.Transact(&req, &res);
        Check(e.Failed() && e.errnum == EPROTO && !sock.Healthy(), "malformed reply: EPROTO, socket not reused");
      });

  // 7. A batch larger than one sendmsg is split: 70 requests -> 3 sends of at most 32.
  std::vector<size_t> sizes;
  WithFakeKernel(
      [&](const Sent& s, int) {
        sizes.push_back(s.headers.size());
        return std::vector<std::vector<uint8_t>>{Msg(NLMSG_ERROR, 0, s.headers.back().nlmsg_seq, kPort, ErrPayload(0))};
      },
      3,
      [](NlSocket& sock) {
        std::vector<uint8_t> req = Requests(70);
        std::vector<NlResult> res;
        SysError e = sock.Transact(&req, &res);
        Check(!e.Failed() && res.size() == 70, "70 requests complete");
      });
  Check(sizes == std::vector<size_t>({32, 32, 6}), "batches are split at 32 requests per sendmsg");

  // 8. No answer at all and the peer gone (the kernel never sends an empty datagram; a closed
  //    peer reads as one, forever): EPROTO, not a loop. The fuzzer's reply target relies on it.
  WithFakeKernel([](const Sent&, int) { return std::vector<std::vector<uint8_t>>{{}}; }, 1,
                 [](NlSocket& sock) {
                   std::vector<uint8_t> req = Requests(1);
                   NlResult out;
                   SysError e = sock.Dump(&req, &out);
                   Check(e.Failed() && e.errnum == EPROTO && !sock.Healthy(),
                         "an empty datagram: EPROTO, socket not reused");
                 });

  // 9-12. nf_tables batches. The kernel answers within sendmsg(), so Batch reads without waiting:
  //    the fake kernel queues its answers before the batch is sent (a fresh socket numbers it from
  //    seq 1: BATCH_BEGIN 1, two messages 2 and 3, BATCH_END 4; the ACK is asked of 3).
  auto batchWith = [](const std::vector<std::vector<uint8_t>>& queued,
                      const std::function<void(NlSocket&, SysError, const std::vector<NlResult>&)>& check) {
    auto [kernel, sock] = FakePair();
    for (const auto& d : queued) send(kernel.Get(), d.data(), d.size(), 0);
    std::vector<uint8_t> req = Requests(4);
    std::vector<NlResult> res;
    SysError e = sock->Batch(&req, &res);
    check(*sock, e, res);
  };
  batchWith(
      {Msg(16, 0, 2, kPort, std::vector<uint8_t>(8, 0)), Msg(NLMSG_ERROR, NLM_F_CAPPED, 3, kPort, ErrPayload(0))},
      [](NlSocket& sock, SysError e, const std::vector<NlResult>& res) {
        Check(!e.Failed() && res.size() == 4 && res[1].messages.size() == 24 && res[2].errnum == 0 && sock.Healthy(),
              "batch: the ACK of the last message ends it; an echo lands on its message");
      });
  batchWith({}, [](NlSocket& sock, SysError e, const std::vector<NlResult>&) {
    Check(e.Failed() && e.errnum == EPROTO && sock.Healthy(),
          "batch, a silent kernel: EPROTO at once, no wait for a reply");
  });
  batchWith({Msg(NLMSG_ERROR, NLM_F_CAPPED, 2, kPort, ErrPayload(-12))}, [](NlSocket& sock, SysError e,
                                                                            const std::vector<NlResult>& res) {
    Check(!e.Failed() && res[1].errnum == 12 && sock.Healthy(),
          "batch: a refusal that replaced every other answer (ENOMEM on the first message) is reported, no wait");
  });
  // An empty datagram: what a closed peer reads as (the kernel never sends one).
  batchWith({{}}, [](NlSocket& sock, SysError e, const std::vector<NlResult>&) {
    Check(e.Failed() && e.errnum == EPROTO && !sock.Healthy(), "batch, the peer gone: EPROTO, socket not reused");
  });

  return Done();
}
