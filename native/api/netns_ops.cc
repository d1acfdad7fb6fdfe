// Namespace operations: create, open and delete (on the threadpool: mounts and opens may block),
// and handles on an fd or on the environment's own namespace (at once).
#include <napi.h>

#include <memory>
#include <string>

#include "api/ops.h"
#include "napi/env_state.h"
#include "napi/js_args.h"
#include "napi/napi_error.h"
#include "napi/netns_handle.h"
#include "napi/promise_work.h"
#include "netlink/netns_ref.h"
#include "sys/netns.h"

namespace netdev::api {

namespace {

class NetnsCreateWork : public PromiseWork {
 public:
  NetnsCreateWork(Napi::Env env, std::string dir, std::string name)
      : PromiseWork(env, "netdev:netns"), dir_(std::move(dir)), name_(std::move(name)) {}
  void Execute() override { err_ = name_.empty() ? CreateAnonymousNetns(&fd_) : CreateNamedNetns(dir_, name_, &fd_); }
  Napi::Value Result(Napi::Env env) override {
    return NetnsHandle::Wrap(env, std::make_shared<NetnsRef>(std::move(fd_)));
  }

 private:
  std::string dir_, name_;
  UniqueFd fd_;
};

class NetnsPathWork : public PromiseWork {
 public:
  NetnsPathWork(Napi::Env env, std::string path, bool del)
      : PromiseWork(env, "netdev:netns"), path_(std::move(path)), del_(del) {}
  void Execute() override { err_ = del_ ? DeleteNamedNetns(path_) : OpenNetnsPath(path_, &fd_); }
  Napi::Value Result(Napi::Env env) override {
    if (del_) return env.Undefined();
    return NetnsHandle::Wrap(env, std::make_shared<NetnsRef>(std::move(fd_)));
  }

 private:
  std::string path_;
  bool del_;
  UniqueFd fd_;
};

}  // namespace

// netnsCreate(dir?, name?) -> Promise<NetnsHandle>
Napi::Value NetnsCreate(const Napi::CallbackInfo& info) {
  std::string dir, name;
  if (info[0].IsString()) dir = info[0].As<Napi::String>().Utf8Value();
  if (info[1].IsString()) name = info[1].As<Napi::String>().Utf8Value();
  return (new NetnsCreateWork(info.Env(), dir, name))->Queue();
}

Napi::Value NetnsOpen(const Napi::CallbackInfo& info) {
  if (!info[0].IsString()) ThrowType(info.Env(), "path must be a string");
  return (new NetnsPathWork(info.Env(), info[0].As<Napi::String>().Utf8Value(), false))->Queue();
}

Napi::Value NetnsDelete(const Napi::CallbackInfo& info) {
  if (!info[0].IsString()) ThrowType(info.Env(), "path must be a string");
  return (new NetnsPathWork(info.Env(), info[0].As<Napi::String>().Utf8Value(), true))->Queue();
}

// netnsFromFd(fd) -> NetnsHandle (a duplicate of fd; the caller keeps its own)
Napi::Value NetnsFromFd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber()) ThrowType(env, "fd must be a number");
  UniqueFd fd;
  SysError e = DupNetnsFd(info[0].As<Napi::Number>().Int32Value(), &fd);
  if (e.Failed()) throw ErrorOf(env, e);
  return NetnsHandle::Wrap(env, std::make_shared<NetnsRef>(std::move(fd)));
}

// netnsCurrent() -> NetnsHandle for the environment's own namespace (shares its socket pool)
Napi::Value NetnsCurrent(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  UniqueFd fd;
  SysError e = DupNetnsFd(State(env)->current->Fd(), &fd);
  if (e.Failed()) throw ErrorOf(env, e);
  return NetnsHandle::Wrap(env, std::make_shared<NetnsRef>(std::move(fd)));
}

}  // namespace netdev::api
