#include "napi/dispatcher.h"

#include <sched.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <exception>
#include <utility>

#include "napi/env_state.h"

namespace netdev {

namespace {

int64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace

Dispatcher::~Dispatcher() {
  // Reached with threads still running only if the environment is freed without its cleanup
  // hooks, which Node does not do; stop them all the same rather than std::terminate.
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_.store(true);
  }
  cv_.notify_all();
  for (std::thread& t : threads_)
    if (t.joinable()) t.join();
  if (hook_ != nullptr) napi_remove_async_cleanup_hook(hook_);
}

napi_status Dispatcher::Init(napi_env env) {
  env_ = env;
  if (const char* us = std::getenv("NETDEV_SPIN_US")) {
    char* end = nullptr;
    long v = std::strtol(us, &end, 10);
    if (end != us && *end == '\0' && v >= 0 && v <= 10'000) maxSpinNs_ = v * 1000;
  }
  ioSpinNs_ = loopSpinNs_ = maxSpinNs_;
  napi_status s = napi_get_uv_event_loop(env, &loop_);
  if (s != napi_ok) return s;
  napi_value resource;
  napi_value name;
  if ((s = napi_create_object(env, &resource)) != napi_ok) return s;
  if ((s = napi_create_string_utf8(env, "netdev:netlink", NAPI_AUTO_LENGTH, &name)) != napi_ok) return s;
  if ((s = napi_create_reference(env, resource, 1, &resource_)) != napi_ok) return s;
  if ((s = napi_async_init(env, resource, name, &context_)) != napi_ok) return s;
  if (uv_async_init(loop_, &async_, OnAsync) != 0) return napi_generic_failure;
  async_.data = this;
  uv_unref(reinterpret_cast<uv_handle_t*>(&async_));
  ++open_;
  if (uv_idle_init(loop_, &idle_) != 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(&async_), nullptr);
    return napi_generic_failure;
  }
  idle_.data = this;
  uv_unref(reinterpret_cast<uv_handle_t*>(&idle_));
  ++open_;
  return napi_add_async_cleanup_hook(env, OnCleanup, this, &hook_);
}

int Dispatcher::Submit(std::unique_ptr<DispatchedJob> job) {
  if (stop_.load(std::memory_order_relaxed)) return ESHUTDOWN;
  bool notify = false;
  bool spawn = false;
  job->queuedAt_ = NowNs();
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(std::move(job));
    queued_.store(queue_.size(), std::memory_order_release);
    // A spinning thread takes the first job it sees; anything more needs another thread.
    bool taken = spinning_ && queue_.size() == 1;
    if (!taken && sleepers_ > 0)
      notify = true;
    else if (!taken && threads_.size() < static_cast<size_t>(kMaxThreads))
      spawn = true;
  }
  if (notify) cv_.notify_one();
  if (spawn) {
    try {
      threads_.emplace_back([this] { Run(); });
    } catch (const std::exception&) {
      // No thread (RLIMIT_NPROC, memory): a running one takes the job later; with none, nothing
      // would, so the job is taken back (only this thread queues, and no thread can have it).
      if (threads_.empty()) {
        std::lock_guard<std::mutex> lock(mu_);
        queue_.pop_back();
        queued_.store(queue_.size(), std::memory_order_release);
        return EAGAIN;
      }
    }
  }
  if (inflight_++ == 0) uv_ref(reinterpret_cast<uv_handle_t*>(&async_));
  spinSince_ = NowNs();
  if (!idleActive_ && maxSpinNs_ > 0) {
    idleActive_ = true;
    uv_idle_start(&idle_, OnIdle);
  }
  return 0;
}

void Dispatcher::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    if (!queue_.empty()) {
      std::unique_ptr<DispatchedJob> job = std::move(queue_.front());
      queue_.pop_front();
      queued_.store(queue_.size(), std::memory_order_release);
      lock.unlock();
      job->startedAt_ = NowNs();
      job->Execute();
      job->finishedAt_ = NowNs();
      Finish(std::move(job));
      lock.lock();
      continue;
    }
    if (stop_) return;
    if (!spinning_ && maxSpinNs_ > 0) {
      // Spin for the next job of an awaiting caller; one thread at a time.
      spinning_ = true;
      const int64_t budget = ioSpinNs_;
      lock.unlock();
      const int64_t deadline = NowNs() + budget;
      bool got = false;
      while (!(got = queued_.load(std::memory_order_acquire) != 0) && !stop_.load(std::memory_order_relaxed) &&
             NowNs() < deadline)
        sched_yield();
      lock.lock();
      spinning_ = false;
      ioSpinNs_ = got ? std::min(maxSpinNs_, budget * 2) : std::max(std::min(kMinSpinNs, maxSpinNs_), budget / 2);
      if (!queue_.empty() || stop_) continue;
    }
    ++sleepers_;
    cv_.wait(lock);
    --sleepers_;
  }
}

void Dispatcher::Finish(std::unique_ptr<DispatchedJob> job) {
  {
    std::lock_guard<std::mutex> lock(doneMu_);
    done_.push_back(std::move(job));
  }
  doneCount_.fetch_add(1, std::memory_order_release);
  // Cheap when the loop is spinning (no sleeper to wake) or already signalled (libuv coalesces).
  uv_async_send(&async_);
}

void Dispatcher::Drain() {
  if (doneCount_.load(std::memory_order_acquire) == 0) return;
  std::vector<std::unique_ptr<DispatchedJob>> batch;
  {
    std::lock_guard<std::mutex> lock(doneMu_);
    batch.swap(done_);
    doneCount_.store(0, std::memory_order_relaxed);
  }
  if (batch.empty()) return;
  inflight_ -= batch.size();
  completed_ += batch.size();
  if (idleActive_) loopSpinNs_ = std::min(maxSpinNs_, loopSpinNs_ * 2);  // the spin paid off
  if (inflight_ == 0) {
    uv_unref(reinterpret_cast<uv_handle_t*>(&async_));
    StopSpinning();
  } else {
    spinSince_ = NowNs();  // progress: keep turning for the rest
  }
  napi_handle_scope hs;
  if (napi_open_handle_scope(env_, &hs) != napi_ok) return;
  napi_value resource = nullptr;
  napi_callback_scope cs = nullptr;
  if (napi_get_reference_value(env_, resource_, &resource) == napi_ok && resource != nullptr)
    napi_open_callback_scope(env_, resource, context_, &cs);
  const int64_t now = NowNs();
  for (std::unique_ptr<DispatchedJob>& job : batch) {
    pickupNs_ += job->startedAt_ - job->queuedAt_;
    executeNs_ += job->finishedAt_ - job->startedAt_;
    deliverNs_ += now - job->finishedAt_;
    job->Complete(env_);
  }
  batch.clear();
  // Closing the callback scope runs the promise reactions (the callers' continuations).
  if (cs != nullptr) napi_close_callback_scope(env_, cs);
  napi_close_handle_scope(env_, hs);
}

void Dispatcher::StopSpinning() {
  if (!idleActive_) return;
  idleActive_ = false;
  uv_idle_stop(&idle_);
}

void Dispatcher::OnAsync(uv_async_t* h) {
  auto* self = static_cast<Dispatcher*>(h->data);
  ++self->asyncWakes_;
  self->Drain();
}

void Dispatcher::OnIdle(uv_idle_t* h) {
  auto* self = static_cast<Dispatcher*>(h->data);
  ++self->spinTurns_;
  self->Drain();
  if (self->idleActive_ && NowNs() - self->spinSince_ > self->loopSpinNs_) {
    self->loopSpinNs_ = std::max(std::min(kMinSpinNs, self->maxSpinNs_), self->loopSpinNs_ / 2);  // it did not
    self->StopSpinning();
  } else if (self->idleActive_) {
    sched_yield();
  }
}

void Dispatcher::OnCleanup(napi_async_cleanup_hook_handle hook, void* arg) {
  auto* self = static_cast<Dispatcher*>(arg);
  {
    std::lock_guard<std::mutex> lock(self->mu_);
    self->stop_.store(true);
  }
  self->cv_.notify_all();
  // Each thread finishes the request it is running (the kernel answers netlink at once).
  for (std::thread& t : self->threads_) t.join();
  self->threads_.clear();
  self->queue_.clear();
  {
    std::lock_guard<std::mutex> lock(self->doneMu_);
    self->done_.clear();
  }
  if (self->context_ != nullptr) napi_async_destroy(self->env_, self->context_);
  self->context_ = nullptr;
  if (self->resource_ != nullptr) napi_delete_reference(self->env_, self->resource_);
  self->resource_ = nullptr;
  self->hook_ = hook;
  uv_idle_stop(&self->idle_);
  uv_close(reinterpret_cast<uv_handle_t*>(&self->async_), OnClosed);
  uv_close(reinterpret_cast<uv_handle_t*>(&self->idle_), OnClosed);
}

void Dispatcher::OnClosed(uv_handle_t* h) {
  auto* self = static_cast<Dispatcher*>(h->data);
  if (--self->open_ > 0) return;
  napi_async_cleanup_hook_handle hook = self->hook_;
  self->hook_ = nullptr;
  napi_remove_async_cleanup_hook(hook);
}

Dispatcher::Stats Dispatcher::GetStats() const {
  return {static_cast<int>(threads_.size()), completed_, spinTurns_, asyncWakes_, pickupNs_, executeNs_, deliverNs_};
}

Dispatcher* DispatcherOf(napi_env env) {
  EnvState* state = State(Napi::Env(env));
  return state ? &state->dispatcher : nullptr;
}

}  // namespace netdev
