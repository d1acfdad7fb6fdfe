// Calling JS from a libuv callback (a uv_poll wakeup): the one place where native code enters JS
// on its own. No C++ exception may unwind through libuv (that is std::terminate, the whole process
// gone), and two kinds of failure are told apart:
// - a JS handler threw: the exception is handed to Node's uncaughtException machinery, like any
//   exception thrown from an event callback;
// - the environment is shutting down (a worker being terminated, or calling process.exit()): from
//   then on, N-API calls that could run JS fail with napi_pending_exception although no exception
//   is pending (Node 20 with a Node-API 8 module; napi_cannot_run_js for modules built for 10+).
//   Nothing can observe the event any more, so it is dropped quietly.
#pragma once

#include <napi.h>

#include <initializer_list>

namespace netdev {

// Runs the body of a libuv callback that uses N-API. A Napi::Error reaching here means an N-API
// call failed, which only happens while the environment shuts down: dropped. Anything else (say,
// std::bad_alloc) cannot be reported from a libuv callback either, and must not unwind through it.
template <typename Body>
void FromLoop(Body&& body) noexcept {
  try {
    body();
  } catch (...) {
  }
}

// Calls fn(args…) with recv as `this`, through napi_make_callback (microtasks run afterwards,
// async hooks see a callback). Never throws.
inline void CallFromLoop(Napi::FunctionReference& fn, const Napi::Object& recv,
                         const std::initializer_list<napi_value>& args) noexcept {
  napi_env env = fn.Env();
  napi_value f = nullptr;
  napi_value result = nullptr;
  if (napi_get_reference_value(env, fn, &f) != napi_ok || f == nullptr) return;
  if (napi_make_callback(env, nullptr, recv, f, args.size(), args.begin(), &result) == napi_ok) return;
  bool pending = false;
  if (napi_is_exception_pending(env, &pending) != napi_ok || !pending) return;  // shutting down
  napi_value error = nullptr;
  if (napi_get_and_clear_last_exception(env, &error) == napi_ok) napi_fatal_exception(env, error);
}

}  // namespace netdev
