// The netlink dispatcher: a few dedicated I/O threads per environment for netlink requests, in
// place of the libuv threadpool (shared with fs and dns, and whose four threads take work in turn,
// so a request often lands on a cold thread), with the hand-offs made cheap (docs/architecture.md,
// "The request path").
//
// On a VM a thread wake-up costs tens of µs, more than the kernel's own work for an address or a
// route (10-15 µs). An awaited request used to pay two wake-ups (the pool thread, then the event
// loop) plus libuv's bookkeeping. Here:
// - a thread that finishes its work spins briefly before it sleeps, so the next request
//   of an awaiting caller is taken at once (one thread spins at a time; the others sleep);
// - while requests are in flight the event loop does not sleep in epoll for a while: a
//   uv_idle handle keeps it turning, and each turn collects finished work, so a quick reply is
//   delivered without waking the loop. Both spins are bounded and adaptive (kDefaultMaxSpinNs); after
//   them every side sleeps and is woken as usual (a condition variable, uv_async_send), so an idle
//   process uses no CPU. Spinning threads yield the CPU on each turn (sched_yield), so on a busy
//   machine they give way to whatever else is runnable.
// The JS thread never blocks: it only queues work and collects results.
//
// Teardown: an async cleanup hook stops the threads (each finishes the request it is running,
// which the kernel answers at once), drops what is queued or undelivered, and closes the uv
// handles; the hook completes after their close callbacks, so nothing of the addon is left on the
// loop or running when Node unloads it.
#pragma once

#include <node_api.h>
#include <uv.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace netdev {

// Work for the dispatcher: Execute() on an I/O thread, then Complete() on the JS thread (inside a
// handle scope and a callback scope, so promise reactions run when it returns). A job dropped at
// teardown is destroyed without Complete().
class DispatchedJob {
 public:
  virtual ~DispatchedJob() = default;
  virtual void Execute() = 0;
  virtual void Complete(napi_env env) = 0;

 private:
  friend class Dispatcher;
  int64_t queuedAt_ = 0;    // Submit (JS thread)
  int64_t startedAt_ = 0;   // taken by an I/O thread
  int64_t finishedAt_ = 0;  // Execute() returned
};

class Dispatcher {
 public:
  // How long an I/O thread waits for more work, and the loop for finished work, before sleeping:
  // adaptive, between these bounds. A spin that ends with its wait satisfied doubles the next one;
  // one that runs out halves it, so a workload whose gaps are longer than the spin (veth creation,
  // ~300 µs of kernel work; a caller that is not awaiting) soon spends next to nothing spinning.
  // NETDEV_SPIN_US in the environment (read when the addon loads) sets the upper bound, in µs
  // (0 turns spinning off: every hand-off is then a wake-up, as on the libuv threadpool).
  static constexpr int64_t kDefaultMaxSpinNs = 100'000;
  static constexpr int64_t kMinSpinNs = 4'000;
  static constexpr int kMaxThreads = 4;

  Dispatcher() = default;
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;
  ~Dispatcher();

  // The environment's loop, the uv handles and the cleanup hook. Returns napi_ok on success.
  napi_status Init(napi_env env);
  // JS thread: queues the job. Returns 0, or (the job destroyed) ESHUTDOWN once the environment
  // is going away, or EAGAIN when no I/O thread runs and none could be started.
  int Submit(std::unique_ptr<DispatchedJob> job);

  // For tests and benchmarks: threads started, jobs completed, loop turns spent spinning, async
  // callbacks, and over the completed jobs the summed time from Submit to an I/O thread taking
  // the job (pickup), in Execute(), and from its end to Complete() on the JS thread (delivery).
  struct Stats {
    int threads;
    uint64_t completed;
    uint64_t spinTurns;
    uint64_t asyncWakes;
    int64_t pickupNs;
    int64_t executeNs;
    int64_t deliverNs;
  };
  Stats GetStats() const;

 private:
  void Run();
  void Finish(std::unique_ptr<DispatchedJob> job);
  void Drain();
  void StopSpinning();
  static void OnAsync(uv_async_t* h);
  static void OnIdle(uv_idle_t* h);
  static void OnCleanup(napi_async_cleanup_hook_handle hook, void* arg);
  static void OnClosed(uv_handle_t* h);

  // Shared with the I/O threads, under mu_.
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<DispatchedJob>> queue_;
  int sleepers_ = 0;
  bool spinning_ = false;                  // an I/O thread is spinning for work (it will see what is queued)
  int64_t maxSpinNs_ = kDefaultMaxSpinNs;  // set once by Init, before any thread starts
  int64_t ioSpinNs_ = kDefaultMaxSpinNs;
  std::atomic<size_t> queued_{0};  // queue_.size(), read by the spinner without the lock
  // Set under mu_ (the threads' wait condition) once, at teardown; also read without it (by the
  // spinner, and by Submit on the JS thread).
  std::atomic<bool> stop_{false};

  // Finished work, from the I/O threads to the JS thread.
  std::mutex doneMu_;
  std::vector<std::unique_ptr<DispatchedJob>> done_;
  std::atomic<size_t> doneCount_{0};

  // JS thread only.
  napi_env env_ = nullptr;
  uv_loop_t* loop_ = nullptr;
  uv_async_t async_{};
  uv_idle_t idle_{};
  std::vector<std::thread> threads_;
  napi_ref resource_ = nullptr;
  napi_async_context context_ = nullptr;
  napi_async_cleanup_hook_handle hook_ = nullptr;
  size_t inflight_ = 0;
  bool idleActive_ = false;
  int64_t spinSince_ = 0;
  int64_t loopSpinNs_ = kDefaultMaxSpinNs;
  int open_ = 0;  // uv handles not yet closed
  uint64_t completed_ = 0;
  uint64_t spinTurns_ = 0;
  uint64_t asyncWakes_ = 0;
  int64_t pickupNs_ = 0;
  int64_t executeNs_ = 0;
  int64_t deliverNs_ = 0;
};

// The dispatcher of the calling environment (its instance data, see env_state.h).
Dispatcher* DispatcherOf(napi_env env);

}  // namespace netdev
