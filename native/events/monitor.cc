#include "events/monitor.h"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include "napi/handover.h"
#include "napi/js_args.h"
#include "napi/js_call.h"
#include "napi/napi_error.h"
#include "netlink/nlmsg.h"
#include "rtnl/codec.h"
#include "sys/netns.h"

namespace netdev {

SysError MonitorOpen(int nsfd, const std::vector<uint32_t>& groups, int rcvbuf, UniqueFd* out) {
  return RunInNetns(nsfd, [&]() -> SysError {
    UniqueFd fd(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE));
    if (!fd.Valid()) return SysError::Errno("socket");
    sockaddr_nl sa{};
    sa.nl_family = AF_NETLINK;
    if (bind(fd.Get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) return SysError::Errno("bind");
    for (uint32_t g : groups)
      if (setsockopt(fd.Get(), SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g, sizeof g) != 0)
        return SysError::Of(errno, "setsockopt", "NETLINK_ADD_MEMBERSHIP " + std::to_string(g));
    if (rcvbuf > 0 && setsockopt(fd.Get(), SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) != 0 &&
        setsockopt(fd.Get(), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf) != 0)
      return SysError::Of(errno, "setsockopt", "SO_RCVBUF");
    *out = std::move(fd);
    return {};
  });
}

Napi::Function Monitor::Init(Napi::Env env) {
  return DefineClass(env, "Monitor",
                     {InstanceMethod<&Monitor::Start>("start"), InstanceMethod<&Monitor::Pause>("pause"),
                      InstanceMethod<&Monitor::Drop>("drop"), InstanceMethod<&Monitor::Flush>("flush"),
                      InstanceMethod<&Monitor::Close>("close"), InstanceMethod<&Monitor::Ref>("ref"),
                      InstanceMethod<&Monitor::Unref>("unref")});
}

Monitor::Monitor(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Monitor>(info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber() || !info[1].IsFunction()) ThrowType(env, "new Monitor(fd, onMessages)");
  int fd = info[0].As<Napi::Number>().Int32Value();
  // The fd is this object's from here (closed by it, or below): no longer the environment's.
  if (HandedOver* h = HandedOverOf(env)) h->Claim(fd);
  int r = poll_.Init(env, fd, this, OnEvent);
  if (r != 0) {
    close(fd);
    throw UvErrorOf(env, r, "uv_poll_init");
  }
  fd_ = fd;
  buf_.resize(256 * 1024);
  onMessages_ = Napi::Persistent(info[1].As<Napi::Function>());
}

Monitor::~Monitor() { CloseHandle(); }

void Monitor::CloseHandle() {
  poll_.Close();  // stopped before the fd closes: no wakeup can see a reused fd number
  if (fd_ >= 0) {
    close(fd_);
    fd_ = -1;
  }
}

void Monitor::OnEvent(void* owner, int status, int /*events*/) {
  auto* self = static_cast<Monitor*>(owner);
  FromLoop([&] {
    Napi::Env env = self->Env();
    Napi::HandleScope scope(env);
    // libuv reports POLLERR as UV_EBADF: the socket's real error (ENOBUFS after an overflow) is
    // what recv() returns next, so read first and report what it says.
    if (!self->Drain() && status < 0) {
      self->poll_.Stop();
      if (!self->onMessages_.IsEmpty())
        CallFromLoop(self->onMessages_, self->Value(), {Napi::Number::New(env, status)});
    }
  });
}

// Reads datagrams until EAGAIN or a budget; every notification becomes { type, flags, objects }.
// Returns whether it read anything or got an error other than EAGAIN.
bool Monitor::Drain() {
  Napi::Env env = Env();
  Napi::Array batch = Napi::Array::New(env);
  uint32_t n = 0;
  int err = 0;
  for (int datagrams = 0; datagrams < 256 && n < 4096; ++datagrams) {
    sockaddr_nl from{};
    socklen_t fromLen = sizeof from;
    ssize_t r = recvfrom(fd_, buf_.data(), buf_.size(), MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&from), &fromLen);
    if (r < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN) err = errno;
      break;
    }
    // Only the kernel (port id 0) is believed: any process in the namespace can send a unicast
    // datagram to this socket's port id, forging "notifications".
    if (fromLen < sizeof from || from.nl_family != AF_NETLINK || from.nl_pid != 0) continue;
    std::vector<MsgView> views;
    SplitMessages(buf_.data(), static_cast<size_t>(r), &views);
    for (const MsgView& m : views) {
      uint16_t type = m.hdr->nlmsg_type;
      if (type == NLMSG_DONE || type == NLMSG_NOOP || type == NLMSG_ERROR) continue;
      Napi::Object o = Napi::Object::New(env);
      o.Set("type", type);
      o.Set("flags", m.hdr->nlmsg_flags);
      // Every rtnetlink header (ifinfomsg, ifaddrmsg, rtmsg, ndmsg, fib_rule_hdr) starts with it.
      o.Set("family", m.payloadLen > 0 ? m.payload[0] : 0);
      o.Set("objects", DecodeMessages(env, reinterpret_cast<const uint8_t*>(m.hdr), NLMSG_HDRLEN + m.payloadLen));
      batch.Set(n++, o);
    }
  }
  if (n > 0 && !onMessages_.IsEmpty()) CallFromLoop(onMessages_, Value(), {batch});
  if (err && poll_.Open() && !onMessages_.IsEmpty()) CallFromLoop(onMessages_, Value(), {Napi::Number::New(env, -err)});
  return n > 0 || err != 0;
}

Napi::Value Monitor::Start(const Napi::CallbackInfo& info) {
  if (!poll_.Open()) ThrowType(info.Env(), "monitor is closed");
  poll_.Start(UV_READABLE);
  return info.Env().Undefined();
}

Napi::Value Monitor::Pause(const Napi::CallbackInfo& info) {
  poll_.Stop();
  return info.Env().Undefined();
}

// drop(): discards every queued notification (after ENOBUFS, before the fresh dump).
Napi::Value Monitor::Drop(const Napi::CallbackInfo& info) {
  for (int i = 0; fd_ >= 0 && i < 1 << 20; ++i)
    if (recv(fd_, buf_.data(), buf_.size(), MSG_DONTWAIT) < 0 && errno != EINTR && errno != ENOBUFS) break;
  return info.Env().Undefined();
}

Napi::Value Monitor::Flush(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (fd_ < 0) ThrowType(env, "monitor is closed");
  uint32_t datagrams = 0;
  // Bounded: a namespace whose links change faster than this reads is reported as an overflow.
  for (int reads = 0;; ++reads) {
    if (reads == 1 << 16) return Napi::Number::New(env, -ENOBUFS);
    sockaddr_nl from{};
    socklen_t fromLen = sizeof from;
    ssize_t r = recvfrom(fd_, buf_.data(), buf_.size(), MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&from), &fromLen);
    if (r < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) break;
      return Napi::Number::New(env, -errno);  // ENOBUFS is reported once; the socket goes on
    }
    // Only the kernel (port id 0) is believed, as in Drain().
    if (fromLen >= sizeof from && from.nl_family == AF_NETLINK && from.nl_pid == 0) ++datagrams;
  }
  return Napi::Number::New(env, datagrams);
}

Napi::Value Monitor::Close(const Napi::CallbackInfo& info) {
  CloseHandle();
  onMessages_.Reset();
  return info.Env().Undefined();
}

Napi::Value Monitor::Ref(const Napi::CallbackInfo& info) {
  poll_.Ref();
  return info.Env().Undefined();
}

Napi::Value Monitor::Unref(const Napi::CallbackInfo& info) {
  poll_.Unref();
  return info.Env().Undefined();
}

}  // namespace netdev
