// System operations in a namespace: inet sockets opened inside it (handed to JS as fds), their
// pending error, and /proc/sys/net read and written from a thread that entered it.
#include <napi.h>
#include <sys/socket.h>

#include <cerrno>
#include <string>

#include "api/ops.h"
#include "napi/js_args.h"
#include "napi/napi_error.h"
#include "napi/ns_arg.h"
#include "napi/promise_work.h"
#include "sys/sockets.h"
#include "sys/sysctl.h"

namespace netdev::api {

namespace {

class SocketWork : public PromiseWork {
 public:
  SocketWork(Napi::Env env, NsArg ns, SocketSpec spec)
      : PromiseWork(env, "netdev:socket"), ns_(std::move(ns)), spec_(std::move(spec)) {}
  void Execute() override {
    err_ = ns_.Resolve();
    if (!err_.Failed()) err_ = OpenSocketIn(ns_.ref->Fd(), spec_, &fd_);
  }
  Napi::Value Result(Napi::Env env) override { return Napi::Number::New(env, fd_.Get()); }
  void Delivered(Napi::Env env) override { HandOver(env, &fd_); }

 private:
  NsArg ns_;
  SocketSpec spec_;
  UniqueFd fd_;
};

class SysctlWork : public PromiseWork {
 public:
  SysctlWork(Napi::Env env, NsArg ns, std::string path, bool write, std::string value)
      : PromiseWork(env, "netdev:sysctl"),
        ns_(std::move(ns)),
        path_(std::move(path)),
        write_(write),
        value_(std::move(value)) {}
  void Execute() override {
    err_ = ns_.Resolve();
    if (!err_.Failed()) err_ = SysctlAccess(ns_.ref->Fd(), path_, write_ ? &value_ : nullptr, &out_);
  }
  Napi::Value Result(Napi::Env env) override { return Napi::String::New(env, out_); }

 private:
  NsArg ns_;
  std::string path_;
  bool write_;
  std::string value_;
  std::string out_;
};

}  // namespace

// socketOpen(netns, { family, type, bindAddress?, bindPort?, reuseAddr?, v6Only?, connectAddress?,
// connectPort? }) -> Promise<fd>
Napi::Value SocketOpen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  NsArg ns = ParseNs(env, info[0]);
  if (!info[1].IsObject()) ThrowType(env, "socket spec must be an object");
  Napi::Object o = info[1].As<Napi::Object>();
  SocketSpec s;
  uint32_t v;
  if (!GetU32(o, "family", &v)) ThrowType(env, "family is required");
  s.family = static_cast<int>(v);
  if (s.family != AF_INET && s.family != AF_INET6) ThrowType(env, "family must be AF_INET or AF_INET6");
  if (!GetU32(o, "type", &v)) ThrowType(env, "type is required");
  s.type = static_cast<int>(v);
  GetStr(o, "bindAddress", &s.bindAddress);
  if (GetU32(o, "bindPort", &v)) s.bindPort = static_cast<int>(v);
  GetBool(o, "reuseAddr", &s.reuseAddr);
  GetBool(o, "v6Only", &s.v6Only);
  GetStr(o, "connectAddress", &s.connectAddress);
  if (GetU32(o, "connectPort", &v)) s.connectPort = static_cast<int>(v);
  return (new SocketWork(env, std::move(ns), std::move(s)))->Queue();
}

// socketError(fd) -> pending SO_ERROR (positive errno, 0 if none)
Napi::Value SocketError(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber()) ThrowType(env, "fd must be a number");
  int err = 0;
  socklen_t len = sizeof err;
  if (getsockopt(info[0].As<Napi::Number>().Int32Value(), SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
  return Napi::Number::New(env, err);
}

// sysctl(netns, path[, value]) -> Promise<string> (the file's content, after writing value)
Napi::Value SysctlFn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  NsArg ns = ParseNs(env, info[0]);
  if (!info[1].IsString()) ThrowType(env, "sysctl(netns, path[, value])");
  bool write = info.Length() > 2 && info[2].IsString();
  return (new SysctlWork(env, std::move(ns), info[1].As<Napi::String>().Utf8Value(), write,
                         write ? info[2].As<Napi::String>().Utf8Value() : std::string()))
      ->Queue();
}

}  // namespace netdev::api
