// A uv_poll_t owned RAII-style: the handle lives in a heap block freed only in libuv's close
// callback, so destroying the owner (for instance when GC collects a JS object) never frees memory
// libuv still uses, and no event reaches an owner that is gone.
#pragma once

#include <uv.h>

namespace netdev {

class PollHandle {
 public:
  using Callback = void (*)(void* owner, int status, int events);

  PollHandle() = default;
  PollHandle(const PollHandle&) = delete;
  PollHandle& operator=(const PollHandle&) = delete;
  ~PollHandle() { Close(); }

  // Watches fd on loop; events go to cb(owner, …). Returns a libuv error code (0 on success).
  int Init(uv_loop_t* loop, int fd, void* owner, Callback cb) {
    block_ = new Block{};
    block_->owner = owner;
    block_->cb = cb;
    int r = uv_poll_init(loop, &block_->handle, fd);
    if (r != 0) {
      delete block_;
      block_ = nullptr;
      return r;
    }
    block_->handle.data = block_;
    return 0;
  }
  bool Open() const { return block_ != nullptr; }
  int Start(int events) { return block_ ? uv_poll_start(&block_->handle, events, OnEvent) : UV_EBADF; }
  void Stop() {
    if (block_) uv_poll_stop(&block_->handle);
  }
  void Ref() {
    if (block_) uv_ref(reinterpret_cast<uv_handle_t*>(&block_->handle));
  }
  void Unref() {
    if (block_) uv_unref(reinterpret_cast<uv_handle_t*>(&block_->handle));
  }
  // Stops watching and releases the handle (asynchronously, in libuv's close callback).
  void Close() {
    if (!block_) return;
    Block* b = block_;
    block_ = nullptr;
    b->owner = nullptr;
    uv_poll_stop(&b->handle);
    uv_close(reinterpret_cast<uv_handle_t*>(&b->handle), [](uv_handle_t* h) { delete static_cast<Block*>(h->data); });
  }

 private:
  struct Block {
    uv_poll_t handle;
    void* owner;
    Callback cb;
  };
  static void OnEvent(uv_poll_t* h, int status, int events) {
    auto* b = static_cast<Block*>(h->data);
    if (b->owner) b->cb(b->owner, status, events);
  }
  Block* block_ = nullptr;
};

}  // namespace netdev
