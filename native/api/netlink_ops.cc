// Raw netlink of any protocol family (netlink()): whole messages built in TypeScript, checked for
// framing here, sent on a socket of that family from the namespace's pool (netlink/netns_ref.h).
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <napi.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "api/ops.h"
#include "napi/dispatcher.h"
#include "napi/env_state.h"
#include "napi/js_args.h"
#include "napi/napi_error.h"
#include "napi/ns_arg.h"
#include "napi/promise_work.h"
#include "netlink/nlsock.h"
#include "netlink/owner_sockets.h"

namespace netdev::api {

namespace {

// Raw netlink of any protocol family, for codecs that live in TypeScript (nf_tables): the
// requests are whole messages built by the caller; seq, portid and the REQUEST/ACK flags are set
// here, and replies are checked (sender, portid, sequence, DUMP_INTR, extack) as for rtnetlink.
class NetlinkWork : public DispatchedWork {
 public:
  NetlinkWork(Napi::Env env, NsArg ns, int protocol, std::vector<uint8_t> msgs, bool dump)
      : DispatchedWork(env), ns_(std::move(ns)), protocol_(protocol), msgs_(std::move(msgs)), dump_(dump) {}
  ~NetlinkWork() override { GiveReplyBuffers(&results_); }
  void Execute() override {
    err_ = ns_.Resolve();
    if (err_.Failed()) return;
    std::unique_ptr<NlSocket> sock;
    err_ = ns_.ref->Acquire(&sock, protocol_);
    if (err_.Failed()) return;
    if (dump_) {
      results_.resize(1);
      err_ = sock->Dump(&msgs_, &results_[0]);
    } else {
      err_ = sock->Transact(&msgs_, &results_, true);
    }
    ns_.ref->Release(std::move(sock));
  }
  Napi::Value Result(Napi::Env env) override {
    auto bytes = [&](const NlResult& r) {
      return Napi::Buffer<uint8_t>::Copy(env, r.messages.data(), r.messages.size());
    };
    if (dump_) {
      if (results_[0].errnum) throw ErrorOf(env, results_[0], "netlink");
      return bytes(results_[0]);
    }
    Napi::Array out = Napi::Array::New(env, results_.size());
    for (size_t i = 0; i < results_.size(); ++i)
      out.Set(i, results_[i].errnum ? ErrorOf(env, results_[i], "netlink").Value() : bytes(results_[i]));
    return out;
  }

 private:
  NsArg ns_;
  int protocol_;
  std::vector<uint8_t> msgs_;
  bool dump_;
  std::vector<NlResult> results_;
};

// An nf_tables batch (NlSocket::Batch) on a pooled NETLINK_NETFILTER socket, or on the
// environment's owner socket for the namespace (tables made with NFT_TABLE_F_OWNER).
class NfBatchWork : public DispatchedWork {
 public:
  NfBatchWork(Napi::Env env, NsArg ns, std::vector<uint8_t> msgs, OwnerSockets* owners)
      : DispatchedWork(env), ns_(std::move(ns)), msgs_(std::move(msgs)), owners_(owners) {}
  ~NfBatchWork() override { GiveReplyBuffers(&results_); }
  void Execute() override {
    err_ = ns_.Resolve();
    if (err_.Failed()) return;
    if (owners_ != nullptr) {
      OwnerSockets::Held held;
      err_ = owners_->Acquire(*ns_.ref, NETLINK_NETFILTER, &held);
      if (!err_.Failed()) err_ = held.sock->Batch(&msgs_, &results_);
      return;
    }
    std::unique_ptr<NlSocket> sock;
    err_ = ns_.ref->Acquire(&sock, NETLINK_NETFILTER);
    if (err_.Failed()) return;
    err_ = sock->Batch(&msgs_, &results_);
    ns_.ref->Release(std::move(sock));
  }
  Napi::Value Result(Napi::Env env) override {
    Napi::Array out = Napi::Array::New(env, results_.size());
    for (size_t i = 0; i < results_.size(); ++i) {
      const NlResult& r = results_[i];
      // An accepted message with nothing echoed stays a hole (undefined): a batch of 10,000 rules
      // must not make 10,000 empty Buffers.
      if (r.errnum)
        out.Set(i, ErrorOf(env, r, "nftables").Value());
      else if (!r.messages.empty())
        out.Set(i, Napi::Buffer<uint8_t>::Copy(env, r.messages.data(), r.messages.size()));
    }
    return out;
  }

 private:
  NsArg ns_;
  std::vector<uint8_t> msgs_;
  OwnerSockets* owners_;
  std::vector<NlResult> results_;
};

// The environment's owner socket for a namespace: its port id (`drop` false), or closed when it
// owns no table any more (`drop` true).
class OwnerWork : public DispatchedWork {
 public:
  OwnerWork(Napi::Env env, NsArg ns, OwnerSockets* owners, bool drop)
      : DispatchedWork(env), ns_(std::move(ns)), owners_(owners), drop_(drop) {}
  void Execute() override {
    err_ = ns_.Resolve();
    if (err_.Failed()) return;
    if (drop_)
      err_ = owners_->DropIfUnused(*ns_.ref, NETLINK_NETFILTER, &dropped_);
    else
      portid_ = owners_->Portid(*ns_.ref, NETLINK_NETFILTER);
  }
  Napi::Value Result(Napi::Env env) override {
    if (drop_) return Napi::Boolean::New(env, dropped_);
    return Napi::Number::New(env, portid_);
  }

 private:
  NsArg ns_;
  OwnerSockets* owners_;
  bool drop_;
  bool dropped_ = false;
  uint32_t portid_ = 0;
};

// Whole messages only, each at least a header, the next at the aligned end of the last; the count.
size_t CountMessages(Napi::Env env, const Napi::Buffer<uint8_t>& buf) {
  size_t count = 0;
  for (size_t off = 0; off < buf.Length(); ++count) {
    nlmsghdr h;
    if (buf.Length() - off < sizeof h) ThrowValue(env, "messages must be whole netlink messages");
    std::memcpy(&h, buf.Data() + off, sizeof h);
    if (h.nlmsg_len < sizeof h || h.nlmsg_len > buf.Length() - off)
      ThrowValue(env, "messages must be whole netlink messages");
    off += std::min<size_t>(NLMSG_ALIGN(h.nlmsg_len), buf.Length() - off);
  }
  return count;
}

}  // namespace

// nfBatch(netns, messages: Buffer, owner: boolean) -> Promise<(Buffer | Error | undefined)[]>: one
// entry per message of the batch (BATCH_BEGIN and BATCH_END included): its echoed objects, its
// refusal, or undefined (accepted, nothing echoed).
Napi::Value NfBatch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  NsArg ns = ParseNs(env, info[0]);
  if (!info[1].IsBuffer() || !info[2].IsBoolean()) ThrowType(env, "nfBatch(netns, messages, owner)");
  auto buf = info[1].As<Napi::Buffer<uint8_t>>();
  if (CountMessages(env, buf) < 3) ThrowValue(env, "a batch is BATCH_BEGIN, one message or more, BATCH_END");
  // Without its BATCH_END the kernel rolls the batch back, yet ACKs the last message: refused here.
  nlmsghdr first, h;
  std::memcpy(&first, buf.Data(), sizeof first);
  size_t off = 0;
  for (;;) {
    std::memcpy(&h, buf.Data() + off, sizeof h);
    size_t next = off + NLMSG_ALIGN(h.nlmsg_len);
    if (next >= buf.Length()) break;
    off = next;
  }
  if (first.nlmsg_type != NFNL_MSG_BATCH_BEGIN || h.nlmsg_type != NFNL_MSG_BATCH_END)
    ThrowValue(env, "a batch is BATCH_BEGIN, one message or more, BATCH_END");
  OwnerSockets* owners = info[2].As<Napi::Boolean>().Value() ? &State(env)->owners : nullptr;
  std::vector<uint8_t> msgs(buf.Data(), buf.Data() + buf.Length());
  return DispatchedWork::Queue(env, std::make_unique<NfBatchWork>(env, std::move(ns), std::move(msgs), owners));
}

// nfDropOwner(netns) -> Promise<boolean>: closes this environment's owner socket for the namespace
// if no table names it as owner any more (a dump, under the socket's lock); whether it did.
Napi::Value NfDropOwner(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  NsArg ns = ParseNs(env, info[0]);
  return DispatchedWork::Queue(env, std::make_unique<OwnerWork>(env, std::move(ns), &State(env)->owners, true));
}

// nfOwnerPortid(netns) -> Promise<number>: the port id of this environment's owner socket for the
// namespace (what NFTA_TABLE_OWNER names), 0 when it has none.
Napi::Value NfOwnerPortid(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  NsArg ns = ParseNs(env, info[0]);
  return DispatchedWork::Queue(env, std::make_unique<OwnerWork>(env, std::move(ns), &State(env)->owners, false));
}

// netlink(netns, protocol, messages: Buffer, dump: boolean)
//   -> Promise<(Buffer | Error)[]> (one entry per request: its reply messages, or the refusal)
//   -> Promise<Buffer> for a dump (every reply message of the one request)
Napi::Value Netlink(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  NsArg ns = ParseNs(env, info[0]);
  if (!info[1].IsNumber() || !info[2].IsBuffer() || !info[3].IsBoolean())
    ThrowType(env, "netlink(netns, protocol, messages, dump)");
  int protocol = info[1].As<Napi::Number>().Int32Value();
  if (protocol < 0 || protocol >= MAX_LINKS) ThrowValue(env, "protocol must be a netlink protocol number (0-31)");
  auto buf = info[2].As<Napi::Buffer<uint8_t>>();
  bool dump = info[3].As<Napi::Boolean>().Value();
  size_t count = CountMessages(env, buf);
  if (count == 0 || (dump && count != 1))
    ThrowValue(env, dump ? "a dump is one request message" : "no request message");
  std::vector<uint8_t> msgs(buf.Data(), buf.Data() + buf.Length());
  return DispatchedWork::Queue(env, std::make_unique<NetlinkWork>(env, std::move(ns), protocol, std::move(msgs), dump));
}

// dispatcherStats() -> { threads, completed, spinTurns, asyncWakes, pickupNs, executeNs, deliverNs }
Napi::Value DispatcherStats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Dispatcher::Stats st = DispatcherOf(env)->GetStats();
  Napi::Object o = Napi::Object::New(env);
  o.Set("threads", st.threads);
  o.Set("completed", static_cast<double>(st.completed));
  o.Set("spinTurns", static_cast<double>(st.spinTurns));
  o.Set("asyncWakes", static_cast<double>(st.asyncWakes));
  o.Set("pickupNs", static_cast<double>(st.pickupNs));
  o.Set("executeNs", static_cast<double>(st.executeNs));
  o.Set("deliverNs", static_cast<double>(st.deliverNs));
  return o;
}

}  // namespace netdev::api
