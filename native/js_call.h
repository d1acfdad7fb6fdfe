// Calling JS from a libuv callback.
#pragma once

#include <napi.h>

namespace netdev {

// A JS exception thrown by a handler must not unwind through libuv: hand it to Node's
// uncaughtException machinery, like any exception thrown from an event callback.
inline void CallFromLoop(Napi::FunctionReference& fn, const Napi::Object& recv,
                         const std::initializer_list<napi_value>& args) {
  try {
    fn.MakeCallback(recv, args);
  } catch (const Napi::Error& e) {
    napi_fatal_exception(fn.Env(), e.Value());
  }
}

}  // namespace netdev
