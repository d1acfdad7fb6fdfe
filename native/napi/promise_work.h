// Bases for promise-returning work: PromiseWork runs on the libuv threadpool (namespace, device
// and socket operations), DispatchedWork on the netlink dispatcher's I/O threads (dispatcher.h).
// The completion runs from a libuv callback, possibly while the environment shuts down (a worker
// terminated, or calling process.exit(), with this work in flight): then settling the promise
// fails (napi_pending_exception, nothing pending) and the result is dropped; its resources are
// released all the same (the worker's own fds by the destructors here, the promise with the
// environment). No exception leaves a completion: node-addon-api would rethrow it from the libuv
// callback, which is std::terminate.
#pragma once

#include <napi.h>

#include <cerrno>
#include <memory>

#include "base/common.h"
#include "napi/dispatcher.h"
#include "napi/env_state.h"
#include "napi/napi_error.h"

namespace netdev {

// Resolves deferred with produce(env), then calls delivered(env); or rejects it with the error
// produce throws. Nothing escapes: while the environment shuts down nothing can observe it.
template <typename Produce, typename Delivered>
void SettlePromise(Napi::Env env, Napi::Promise::Deferred& deferred, Produce&& produce,
                   Delivered&& delivered) noexcept {
  try {
    Napi::Value v;
    try {
      v = produce(env);
    } catch (const Napi::Error& e) {
      deferred.Reject(e.Value());
      return;
    }
    deferred.Resolve(v);
    delivered(env);
  } catch (...) {
    // The environment is shutting down: nothing can observe this promise any more.
  }
}

class PromiseWork : public Napi::AsyncWorker {
 public:
  explicit PromiseWork(Napi::Env env, const char* name)
      : Napi::AsyncWorker(env, name), deferred_(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise Queue() {
    Napi::Promise p = deferred_.Promise();
    Napi::AsyncWorker::Queue();
    return p;
  }

 protected:
  void OnOK() override {
    Settle([this](Napi::Env env) -> Napi::Value {
      if (err_.Failed()) throw ErrorOf(env, err_);
      return Result(env);
    });
  }
  // Execute() threw (std::bad_alloc, say): node-addon-api caught it on the pool thread.
  void OnError(const Napi::Error& e) override {
    Settle([&](Napi::Env env) -> Napi::Value { throw Napi::Error::New(env, e.Message()); });
  }
  virtual Napi::Value Result(Napi::Env env) = 0;
  // The promise is resolved with Result(): the fds it hands over go on the environment's record
  // (handover.h). Until then they stay owned here, and are closed if the environment went away
  // before the promise was resolved.
  virtual void Delivered(Napi::Env) {}
  static void HandOver(Napi::Env env, UniqueFd* fd) { State(env)->handedOver.Add(fd->Release()); }
  SysError err_;
  Napi::Promise::Deferred deferred_;

 private:
  template <typename Produce>
  void Settle(Produce&& produce) noexcept {
    SettlePromise(Env(), deferred_, produce, [this](Napi::Env env) { Delivered(env); });
  }
};

// Work for the netlink dispatcher, settled like PromiseWork: Execute() on an I/O thread, then the
// promise resolved with Result() or rejected with err_.
class DispatchedWork : public DispatchedJob {
 public:
  explicit DispatchedWork(Napi::Env env) : deferred_(Napi::Promise::Deferred::New(env)) {}
  // Queues the work; the promise rejects at once if the environment is going away.
  static Napi::Promise Queue(Napi::Env env, std::unique_ptr<DispatchedWork> work) {
    Napi::Promise p = work->deferred_.Promise();
    Dispatcher* d = DispatcherOf(env);
    int err = d == nullptr ? ESHUTDOWN : d->Submit(std::move(work));
    if (err == EAGAIN)
      throw ErrorOf(env, SysError::Of(err, "pthread_create", "no netlink I/O thread could be started"));
    if (err != 0) throw ErrorOf(env, SysError::Of(err, "netlink", "the environment is shutting down"));
    return p;
  }
  void Complete(napi_env raw) final {
    SettlePromise(
        Napi::Env(raw), deferred_,
        [this](Napi::Env env) -> Napi::Value {
          if (err_.Failed()) throw ErrorOf(env, err_);
          return Result(env);
        },
        [](Napi::Env) {});
  }

 protected:
  virtual Napi::Value Result(Napi::Env env) = 0;
  SysError err_;

 private:
  Napi::Promise::Deferred deferred_;
};

}  // namespace netdev
