// fds opened on a thread in a namespace and handed to JS: TUN/TAP queues (tunOpen), macvtap/ipvtap
// character devices (tapDevOpen) and rtnetlink monitor sockets (monitorOpen); and the quick ioctls
// on an open TUN/TAP fd (tunIoctl).
#include <napi.h>

#include <functional>
#include <string>
#include <vector>

#include "api/ops.h"
#include "events/monitor.h"
#include "napi/js_args.h"
#include "napi/napi_error.h"
#include "napi/ns_arg.h"
#include "napi/promise_work.h"
#include "packet/tapdev.h"
#include "packet/tun.h"

namespace netdev::api {

namespace {

// Opens device fds on a thread in a namespace: a TUN/TAP (tunOpen) or a macvtap/ipvtap
// character device (tapDevOpen). Resolves with { name, flags, ifindex, fds }.
class DeviceOpenWork : public PromiseWork {
 public:
  using Opener = std::function<SysError(int nsfd, std::vector<UniqueFd>*, std::string*, int* flags, int* ifindex)>;
  DeviceOpenWork(Napi::Env env, NsArg ns, Opener open)
      : PromiseWork(env, "netdev:tun"), ns_(std::move(ns)), open_(std::move(open)) {}
  void Execute() override {
    err_ = ns_.Resolve();
    if (!err_.Failed()) err_ = open_(ns_.ref->Fd(), &fds_, &name_, &flags_, &ifindex_);
  }
  Napi::Value Result(Napi::Env env) override {
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", name_);
    o.Set("flags", flags_);
    o.Set("ifindex", ifindex_);
    Napi::Array fds = Napi::Array::New(env, fds_.size());
    for (size_t i = 0; i < fds_.size(); ++i) fds.Set(static_cast<uint32_t>(i), fds_[i].Get());
    o.Set("fds", fds);
    return o;
  }
  void Delivered(Napi::Env env) override {
    for (UniqueFd& fd : fds_) HandOver(env, &fd);
  }

 private:
  NsArg ns_;
  Opener open_;
  std::vector<UniqueFd> fds_;
  std::string name_;
  int flags_ = 0;
  int ifindex_ = 0;
};

}  // namespace

// tunOpen(netns, { tap, name, queues, multiQueue, vnetHdr, offload, packetInfo, napi, persist,
// owner, group, carrier, sndbuf, txqlen }) -> Promise<{ name, flags, fds }>
Napi::Value TunOpenFn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  NsArg ns = ParseNs(env, info[0]);
  if (!info[1].IsObject()) ThrowType(env, "tun spec must be an object");
  Napi::Object o = info[1].As<Napi::Object>();
  TunSpec s;
  uint32_t v;
  int32_t i;
  GetBool(o, "tap", &s.tap);
  GetStr(o, "name", &s.name);
  if (GetU32(o, "queues", &v)) s.queues = static_cast<int>(v);
  GetBool(o, "multiQueue", &s.multiQueue);
  GetBool(o, "vnetHdr", &s.vnetHdr);
  if (GetU32(o, "offload", &v)) s.offload = v;
  GetBool(o, "packetInfo", &s.packetInfo);
  GetBool(o, "napi", &s.napi);
  GetBool(o, "persist", &s.persist);
  if (GetI32(o, "owner", &i)) s.owner = i;
  if (GetI32(o, "group", &i)) s.group = i;
  if (GetI32(o, "carrier", &i)) s.carrier = i;
  if (GetI32(o, "sndbuf", &i)) s.sndbuf = i;
  if (GetI32(o, "txqlen", &i)) s.txqlen = i;
  return (new DeviceOpenWork(env, std::move(ns),
                             [s](int nsfd, std::vector<UniqueFd>* fds, std::string* name, int* flags, int*) {
                               return TunOpen(nsfd, s, fds, name, flags);
                             }))
      ->Queue();
}

// monitorOpen(netns, groups[], rcvbuf) -> Promise<{ fds: [fd] }>
Napi::Value MonitorOpenFn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  NsArg ns = ParseNs(env, info[0]);
  if (!info[1].IsArray() || !info[2].IsNumber()) ThrowType(env, "monitorOpen(netns, groups, rcvbuf)");
  Napi::Array a = info[1].As<Napi::Array>();
  std::vector<uint32_t> groups;
  for (uint32_t i = 0; i < a.Length(); ++i) groups.push_back(a.Get(i).As<Napi::Number>().Uint32Value());
  int rcvbuf = info[2].As<Napi::Number>().Int32Value();
  return (new DeviceOpenWork(env, std::move(ns),
                             [groups, rcvbuf](int nsfd, std::vector<UniqueFd>* fds, std::string*, int*, int*) {
                               UniqueFd fd;
                               SysError e = MonitorOpen(nsfd, groups, rcvbuf, &fd);
                               if (!e.Failed()) fds->push_back(std::move(fd));
                               return e;
                             }))
      ->Queue();
}

// tapDevOpen(netns, { link, queues, vnetHdr, offload, sndbuf }) -> Promise<{ name, ifindex, fds }>
Napi::Value TapDevOpenFn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  NsArg ns = ParseNs(env, info[0]);
  if (!info[1].IsObject()) ThrowType(env, "tap spec must be an object");
  Napi::Object o = info[1].As<Napi::Object>();
  TapDevSpec s;
  uint32_t v;
  int32_t i;
  GetStr(o, "link", &s.link);
  if (GetU32(o, "queues", &v)) s.queues = static_cast<int>(v);
  GetBool(o, "vnetHdr", &s.vnetHdr);
  if (GetU32(o, "offload", &v)) s.offload = v;
  if (GetI32(o, "sndbuf", &i)) s.sndbuf = i;
  return (new DeviceOpenWork(env, std::move(ns),
                             [s](int nsfd, std::vector<UniqueFd>* fds, std::string* name, int*, int* ifindex) {
                               *name = s.link;
                               return TapDevOpen(nsfd, s, fds, ifindex);
                             }))
      ->Queue();
}

// tunIoctl(fd, op, value): 'persist' | 'carrier' | 'offload' | 'queue' (quick ioctls on an open fd)
Napi::Value TunIoctl(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber() || !info[1].IsString() || !info[2].IsNumber()) ThrowType(env, "tunIoctl(fd, op, value)");
  int fd = info[0].As<Napi::Number>().Int32Value();
  std::string op = info[1].As<Napi::String>().Utf8Value();
  uint32_t value = info[2].As<Napi::Number>().Uint32Value();
  SysError e;
  if (op == "persist")
    e = TunSetPersist(fd, value != 0);
  else if (op == "carrier")
    e = TunSetCarrier(fd, value != 0);
  else if (op == "offload")
    e = TunSetOffload(fd, value);
  else if (op == "queue")
    e = TunSetQueue(fd, value != 0);
  else
    ThrowType(env, "unknown tun ioctl " + op);
  if (e.Failed()) throw ErrorOf(env, e);
  return env.Undefined();
}

}  // namespace netdev::api
