// Base for promise-returning work on the threadpool. The completion runs from a libuv callback,
// possibly while the environment shuts down (a worker terminated, or calling process.exit(), with
// this work in flight): then settling the promise fails (napi_pending_exception, nothing pending)
// and the result is dropped; its resources are released all the same (the worker's own fds by
// the destructors here, the promise with the environment). No exception leaves OnOK/OnError:
// node-addon-api would rethrow it from the libuv callback, which is std::terminate.
#pragma once

#include <napi.h>

#include "base/common.h"
#include "napi/env_state.h"
#include "napi/napi_error.h"

namespace netdev {

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
  // Resolves with produce(env), or rejects with the error it throws.
  template <typename Produce>
  void Settle(Produce&& produce) noexcept {
    Napi::Env env = Env();
    try {
      Napi::Value v;
      try {
        v = produce(env);
      } catch (const Napi::Error& e) {
        deferred_.Reject(e.Value());
        return;
      }
      deferred_.Resolve(v);
      Delivered(env);
    } catch (...) {
      // The environment is shutting down: nothing can observe this promise any more.
    }
  }
};

}  // namespace netdev
