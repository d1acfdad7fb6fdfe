// A uv_poll_t watcher on the environment's own loop, exposed to JS as `Poller` (see PollHandle
// for the handle's lifetime).
#pragma once

#include <napi.h>
#include <uv.h>

#include "napi/poll_handle.h"

namespace netdev {

class Poller : public Napi::ObjectWrap<Poller> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit Poller(const Napi::CallbackInfo& info);
  ~Poller() override;

 private:
  Napi::Value Start(const Napi::CallbackInfo& info);
  Napi::Value Stop(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value Ref(const Napi::CallbackInfo& info);
  Napi::Value Unref(const Napi::CallbackInfo& info);
  static void OnEvent(void* owner, int status, int events);

  PollHandle poll_;
  Napi::FunctionReference callback_;
};

}  // namespace netdev
