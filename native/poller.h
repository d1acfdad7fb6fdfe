// A uv_poll_t watcher on the environment's own loop, exposed to JS as `Poller`. The uv handle is
// owned by a heap block freed in its close callback, so GC of the JS object never frees a handle
// libuv still uses.
#pragma once

#include <napi.h>
#include <uv.h>

namespace netdev {

class Poller : public Napi::ObjectWrap<Poller> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit Poller(const Napi::CallbackInfo& info);
  ~Poller() override;

 private:
  struct Block {
    uv_poll_t handle;
    Poller* owner;
  };
  Napi::Value Start(const Napi::CallbackInfo& info);
  Napi::Value Stop(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value Ref(const Napi::CallbackInfo& info);
  Napi::Value Unref(const Napi::CallbackInfo& info);
  static void OnEvent(uv_poll_t* h, int status, int events);
  void CloseHandle();

  Block* block_ = nullptr;
  Napi::FunctionReference callback_;
};

}  // namespace netdev
