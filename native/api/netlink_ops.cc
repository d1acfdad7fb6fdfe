// Raw netlink of any protocol family (netlink()): whole messages built in TypeScript, checked for
// framing here, sent on a socket of that family from the namespace's pool (netlink/netns_ref.h).
#include <linux/netlink.h>
#include <napi.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "api/ops.h"
#include "napi/dispatcher.h"
#include "napi/js_args.h"
#include "napi/napi_error.h"
#include "napi/ns_arg.h"
#include "napi/promise_work.h"
#include "netlink/nlsock.h"

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

}  // namespace

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
  // Whole messages only, each at least a header, the next at the aligned end of the last.
  size_t count = 0;
  for (size_t off = 0; off < buf.Length(); ++count) {
    nlmsghdr h;
    if (buf.Length() - off < sizeof h) ThrowValue(env, "messages must be whole netlink messages");
    std::memcpy(&h, buf.Data() + off, sizeof h);
    if (h.nlmsg_len < sizeof h || h.nlmsg_len > buf.Length() - off)
      ThrowValue(env, "messages must be whole netlink messages");
    off += std::min<size_t>(NLMSG_ALIGN(h.nlmsg_len), buf.Length() - off);
  }
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
