// A uv_poll_t owned RAII-style, and the per-environment registry that closes every such handle
// before the environment (and with it, possibly, the addon) goes away.
//
// The handle lives in a heap block freed only after libuv's close callback, so destroying the
// owner (for instance when GC collects a JS object) never frees memory libuv still uses, and no
// event reaches an owner that is gone.
//
// When a worker ends, Node frees its environment and, if no other environment loaded netdev,
// unloads the addon: a close callback still queued then would run in unmapped code. LoopHandles
// registers an async cleanup hook (napi_add_async_cleanup_hook, which Node runs while it tears
// the environment down, and waits for): it closes every handle still open and completes once all
// their close callbacks have run, so nothing of the addon is left on the loop.
#pragma once

#include <node_api.h>
#include <uv.h>

#include <unordered_set>

namespace netdev {

class PollHandle;

class LoopHandles {
 public:
  LoopHandles() = default;
  LoopHandles(const LoopHandles&) = delete;
  LoopHandles& operator=(const LoopHandles&) = delete;
  ~LoopHandles();

  // The environment's loop, and the cleanup hook. Returns a napi_status (napi_ok on success).
  napi_status Init(napi_env env);
  uv_loop_t* Loop() const { return loop_; }

 private:
  friend class PollHandle;
  struct Block;
  static void OnCleanup(napi_async_cleanup_hook_handle hook, void* arg);
  static void BeginClose(Block* b);
  static void OnClosed(uv_handle_t* h);
  void MaybeFinish();

  uv_loop_t* loop_ = nullptr;
  std::unordered_set<Block*> live_;  // from uv_poll_init until the close callback has run
  napi_async_cleanup_hook_handle hook_ = nullptr;
  bool registered_ = false;
  bool stopping_ = false;  // the cleanup hook ran: no new handles
};

// The registry of the calling environment (its instance data, see env_state.h).
LoopHandles* LoopHandlesOf(napi_env env);

class PollHandle {
 public:
  using Callback = void (*)(void* owner, int status, int events);

  PollHandle() = default;
  PollHandle(const PollHandle&) = delete;
  PollHandle& operator=(const PollHandle&) = delete;
  ~PollHandle() { Close(); }

  // Watches fd on the environment's loop; events go to cb(owner, …). Returns a libuv error code
  // (0 on success; UV_ECANCELED once the environment is being torn down).
  int Init(napi_env env, int fd, void* owner, Callback cb);
  // Whether the handle can still be used (false once closed, by the owner or at teardown).
  bool Open() const;
  int Start(int events);
  void Stop();
  void Ref();
  void Unref();
  // Stops watching and releases the handle (asynchronously, after libuv's close callback).
  void Close();

 private:
  static void OnEvent(uv_poll_t* h, int status, int events);
  using Block = LoopHandles::Block;
  Block* block_ = nullptr;
};

}  // namespace netdev
