#include "napi/poll_handle.h"

#include <vector>

namespace netdev {

// One uv_poll_t. Freed by whichever comes last: the close callback, or the owner letting go.
struct LoopHandles::Block {
  uv_poll_t handle;
  LoopHandles* set;
  void* owner;  // nullptr once the owner let go
  PollHandle::Callback cb;
  bool closing;  // uv_close called
  bool closed;   // its close callback ran (the owner still holds the block)
};

LoopHandles::~LoopHandles() {
  // Only reached with the hook still registered if the environment is freed without running its
  // cleanup hooks, which Node does not do; then there is nothing left to wait for.
  if (registered_) napi_remove_async_cleanup_hook(hook_);
}

napi_status LoopHandles::Init(napi_env env) {
  napi_status s = napi_get_uv_event_loop(env, &loop_);
  if (s != napi_ok) return s;
  s = napi_add_async_cleanup_hook(env, OnCleanup, this, &hook_);
  registered_ = s == napi_ok;
  return s;
}

// Node tears the environment down (a worker ends, or the process exits normally): close every
// handle still open; the hook completes when the last close callback has run.
void LoopHandles::OnCleanup(napi_async_cleanup_hook_handle hook, void* arg) {
  auto* self = static_cast<LoopHandles*>(arg);
  self->hook_ = hook;
  self->stopping_ = true;
  std::vector<Block*> open;
  for (Block* b : self->live_)
    if (!b->closing) open.push_back(b);
  for (Block* b : open) BeginClose(b);
  self->MaybeFinish();
}

void LoopHandles::BeginClose(Block* b) {
  b->closing = true;
  uv_poll_stop(&b->handle);
  uv_close(reinterpret_cast<uv_handle_t*>(&b->handle), OnClosed);
}

void LoopHandles::OnClosed(uv_handle_t* h) {
  auto* b = static_cast<Block*>(h->data);
  LoopHandles* set = b->set;
  set->live_.erase(b);
  if (b->owner)
    b->closed = true;  // closed at teardown, before its owner: the owner frees it
  else
    delete b;
  set->MaybeFinish();
}

void LoopHandles::MaybeFinish() {
  if (!stopping_ || !registered_ || !live_.empty()) return;
  registered_ = false;
  napi_remove_async_cleanup_hook(hook_);
}

int PollHandle::Init(napi_env env, int fd, void* owner, Callback cb) {
  Close();
  LoopHandles* set = LoopHandlesOf(env);
  if (set == nullptr || set->loop_ == nullptr) return UV_EINVAL;
  if (set->stopping_) return UV_ECANCELED;
  auto* b = new Block{};
  b->set = set;
  b->owner = owner;
  b->cb = cb;
  int r = uv_poll_init(set->loop_, &b->handle, fd);
  if (r != 0) {
    delete b;
    return r;
  }
  b->handle.data = b;
  set->live_.insert(b);
  block_ = b;
  return 0;
}

bool PollHandle::Open() const { return block_ != nullptr && !block_->closing; }

int PollHandle::Start(int events) { return Open() ? uv_poll_start(&block_->handle, events, OnEvent) : UV_EBADF; }

void PollHandle::Stop() {
  if (Open()) uv_poll_stop(&block_->handle);
}

void PollHandle::Ref() {
  if (Open()) uv_ref(reinterpret_cast<uv_handle_t*>(&block_->handle));
}

void PollHandle::Unref() {
  if (Open()) uv_unref(reinterpret_cast<uv_handle_t*>(&block_->handle));
}

void PollHandle::Close() {
  if (!block_) return;
  Block* b = block_;
  block_ = nullptr;
  b->owner = nullptr;
  if (b->closed)
    delete b;  // closed at teardown; its close callback has run
  else if (!b->closing)
    LoopHandles::BeginClose(b);  // freed in the close callback
}

void PollHandle::OnEvent(uv_poll_t* h, int status, int events) {
  auto* b = static_cast<Block*>(h->data);
  if (b->owner && !b->closing) b->cb(b->owner, status, events);
}

}  // namespace netdev
