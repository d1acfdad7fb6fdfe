// rtnetlink notifications: a NETLINK_ROUTE socket subscribed to multicast groups, opened inside a
// namespace (monitorOpen), then watched with uv_poll on the environment's own loop (Monitor). Each
// readable wakeup reads up to a budget of datagrams and makes ONE JS call with the decoded
// messages: [{ type, flags, objects }, …]. ENOBUFS (the kernel dropped notifications: the socket's
// buffer overflowed) is reported as a negative errno so lib/ can resynchronise from a dump.
#pragma once

#include <napi.h>

#include <vector>

#include "base/common.h"
#include "napi/poll_handle.h"

namespace netdev {

// On a short-lived thread in the namespace: socket, bind, NETLINK_ADD_MEMBERSHIP for each group,
// receive buffer (SO_RCVBUFFORCE when allowed, else SO_RCVBUF).
SysError MonitorOpen(int nsfd, const std::vector<uint32_t>& groups, int rcvbuf, UniqueFd* out);

class Monitor : public Napi::ObjectWrap<Monitor> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit Monitor(const Napi::CallbackInfo& info);  // new Monitor(fd, onMessages) takes fd
  ~Monitor() override;

 private:
  Napi::Value Start(const Napi::CallbackInfo& info);
  Napi::Value Pause(const Napi::CallbackInfo& info);
  Napi::Value Drop(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value Ref(const Napi::CallbackInfo& info);
  Napi::Value Unref(const Napi::CallbackInfo& info);
  // flush(): discards every queued notification now (non-blocking) and returns how many datagrams
  // there were, or a negative errno (-ENOBUFS: the kernel dropped some). For a cache that must be
  // as fresh as a lookup each time it is used (lib/netlink/names.ts).
  Napi::Value Flush(const Napi::CallbackInfo& info);
  static void OnEvent(void* owner, int status, int events);
  bool Drain();
  void CloseHandle();

  int fd_ = -1;
  PollHandle poll_;
  std::vector<uint8_t> buf_;
  Napi::FunctionReference onMessages_;
};

}  // namespace netdev
