// rtnetlink operations: requests encoded by the codecs (rtnl/), sent as one batch on a socket of
// the namespace's pool (netlink/netns_ref.h) from the threadpool, replies decoded into JS objects;
// and the codecs alone (encode, decode, decodeError), for tests and the fuzzers.
#include <linux/netlink.h>
#include <napi.h>

#include <memory>
#include <string>
#include <vector>

#include "api/ops.h"
#include "napi/js_args.h"
#include "napi/napi_error.h"
#include "napi/ns_arg.h"
#include "napi/promise_work.h"
#include "netlink/nlmsg.h"
#include "netlink/nlsock.h"
#include "rtnl/codec.h"

namespace netdev::api {

namespace {

// Requests sent as one batch; resolves with one entry per request: undefined (done), an array of
// decoded reply objects, or an Error describing the kernel's refusal.
class RtnlWork : public DispatchedWork {
 public:
  RtnlWork(Napi::Env env, NsArg ns, MsgBuilder msgs, bool dump)
      : DispatchedWork(env), ns_(std::move(ns)), msgs_(msgs.Take()), holds_(msgs.TakeHolds()), dump_(dump) {}
  ~RtnlWork() override { GiveReplyBuffers(&results_); }
  void Execute() override {
    err_ = ns_.Resolve();
    if (err_.Failed()) return;
    std::unique_ptr<NlSocket> sock;
    err_ = ns_.ref->Acquire(&sock);
    if (err_.Failed()) return;
    if (dump_) {
      results_.resize(1);
      err_ = sock->Dump(&msgs_, &results_[0]);
    } else {
      err_ = sock->Transact(&msgs_, &results_);
    }
    ns_.ref->Release(std::move(sock));
  }
  Napi::Value Result(Napi::Env env) override {
    if (dump_) {
      const NlResult& r = results_[0];
      if (r.errnum) throw ErrorOf(env, r, "rtnetlink");
      return DecodeMessages(env, r.messages.data(), r.messages.size());
    }
    Napi::Array out = Napi::Array::New(env, results_.size());
    for (size_t i = 0; i < results_.size(); ++i) {
      const NlResult& r = results_[i];
      if (r.errnum)
        out.Set(i, ErrorOf(env, r, "rtnetlink").Value());
      else if (!r.messages.empty())
        out.Set(i, DecodeMessages(env, r.messages.data(), r.messages.size()));
    }
    return out;
  }

 private:
  NsArg ns_;
  std::vector<uint8_t> msgs_;
  std::vector<std::shared_ptr<const void>> holds_;  // destination namespaces the messages name by fd
  bool dump_;
  std::vector<NlResult> results_;
};

MsgBuilder EncodeAll(Napi::Env env, const Napi::Value& v) {
  MsgBuilder b;
  try {
    if (v.IsArray()) {
      Napi::Array arr = v.As<Napi::Array>();
      for (uint32_t i = 0; i < arr.Length(); ++i) {
        Napi::Value item = arr.Get(i);
        if (!item.IsObject()) ThrowType(env, "each request must be an object");
        EncodeRequest(item.As<Napi::Object>(), &b);
      }
    } else if (v.IsObject()) {
      EncodeRequest(v.As<Napi::Object>(), &b);
    } else {
      ThrowType(env, "requests must be an object or an array");
    }
  } catch (const EncodeError& e) {
    // Something too long for netlink's length fields: refused whole, nothing is sent.
    Napi::Error err = Napi::RangeError::New(env, std::string("request too long to encode: ") + e.what());
    err.Set("code", Napi::String::New(env, "ERR_INVALID_ARG_VALUE"));
    err.Set("attribute", Napi::Number::New(env, e.Type() & NLA_TYPE_MASK));
    throw err;
  }
  return b;
}

}  // namespace

// rtnl(netns, requests[]) -> Promise<(undefined | object[] | Error)[]>
Napi::Value Rtnl(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  NsArg ns = ParseNs(env, info[0]);
  MsgBuilder msgs = EncodeAll(env, info[1]);
  return DispatchedWork::Queue(env, std::make_unique<RtnlWork>(env, std::move(ns), std::move(msgs), false));
}

// rtnlDump(netns, request) -> Promise<object[]>
Napi::Value RtnlDump(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  NsArg ns = ParseNs(env, info[0]);
  if (!info[1].IsObject() || info[1].IsArray()) ThrowType(env, "request must be an object");
  MsgBuilder msgs = EncodeAll(env, info[1]);
  return DispatchedWork::Queue(env, std::make_unique<RtnlWork>(env, std::move(ns), std::move(msgs), true));
}

// encode(request | request[]) -> Buffer (the exact bytes sent, before seq/portid/flags are set)
Napi::Value Encode(const Napi::CallbackInfo& info) {
  MsgBuilder b = EncodeAll(info.Env(), info[0]);
  return Napi::Buffer<uint8_t>::Copy(info.Env(), b.Bytes().data(), b.Bytes().size());
}

// decode(buffer) -> object[]
Napi::Value Decode(const Napi::CallbackInfo& info) {
  if (!info[0].IsBuffer()) ThrowType(info.Env(), "decode(buffer)");
  auto buf = info[0].As<Napi::Buffer<uint8_t>>();
  return DecodeMessages(info.Env(), buf.Data(), buf.Length());
}

// decodeError(buffer) -> { errnum, extack, extackOffset } for one NLMSG_ERROR message
Napi::Value DecodeError(const Napi::CallbackInfo& info) {
  if (!info[0].IsBuffer()) ThrowType(info.Env(), "decodeError(buffer)");
  auto buf = info[0].As<Napi::Buffer<uint8_t>>();
  std::vector<MsgView> views;
  Napi::Env env = info.Env();
  if (!SplitMessages(buf.Data(), buf.Length(), &views) || views.empty() || views[0].hdr->nlmsg_type != NLMSG_ERROR)
    return env.Null();
  NlResult r;
  if (!ParseNlError(views[0].payload, views[0].payloadLen, views[0].hdr->nlmsg_flags, &r)) return env.Null();
  Napi::Object o = Napi::Object::New(env);
  o.Set("errnum", r.errnum);
  o.Set("extack", r.extack);
  o.Set("extackOffset", r.extackOffset);
  return o;
}

}  // namespace netdev::api
