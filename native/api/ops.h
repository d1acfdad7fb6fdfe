// The operations the addon exports (lib/core/binding.ts types them), registered by addon.cc. Each
// reads its arguments on the JS thread; the asynchronous ones then run their system calls off it
// and return a promise: netlink requests on the netlink dispatcher's I/O threads (a
// DispatchedWork), the rest on the libuv threadpool (a PromiseWork; napi/promise_work.h).
#pragma once

#include <napi.h>

namespace netdev::api {

// rtnl_ops.cc: rtnetlink requests through the codecs, and the codecs alone.
Napi::Value Rtnl(const Napi::CallbackInfo& info);
Napi::Value RtnlDump(const Napi::CallbackInfo& info);
Napi::Value Encode(const Napi::CallbackInfo& info);
Napi::Value Decode(const Napi::CallbackInfo& info);
Napi::Value DecodeError(const Napi::CallbackInfo& info);

// netlink_ops.cc: raw netlink of any protocol family; the netlink dispatcher's counters.
Napi::Value Netlink(const Napi::CallbackInfo& info);
Napi::Value NfBatch(const Napi::CallbackInfo& info);
Napi::Value NfDropOwner(const Napi::CallbackInfo& info);
Napi::Value NfOwnerPortid(const Napi::CallbackInfo& info);
Napi::Value DispatcherStats(const Napi::CallbackInfo& info);

// netns_ops.cc: namespaces and their handles.
Napi::Value NetnsCreate(const Napi::CallbackInfo& info);
Napi::Value NetnsOpen(const Napi::CallbackInfo& info);
Napi::Value NetnsDelete(const Napi::CallbackInfo& info);
Napi::Value NetnsFromFd(const Napi::CallbackInfo& info);
Napi::Value NetnsCurrent(const Napi::CallbackInfo& info);

// sys_ops.cc: sockets and sysctls in a namespace.
Napi::Value SocketOpen(const Napi::CallbackInfo& info);
Napi::Value SocketError(const Napi::CallbackInfo& info);
Napi::Value SysctlFn(const Napi::CallbackInfo& info);

// device_ops.cc: TUN/TAP, macvtap/ipvtap and monitor fds opened in a namespace.
Napi::Value TunOpenFn(const Napi::CallbackInfo& info);
Napi::Value TapDevOpenFn(const Napi::CallbackInfo& info);
Napi::Value MonitorOpenFn(const Napi::CallbackInfo& info);
Napi::Value TunIoctl(const Napi::CallbackInfo& info);

// constants.cc: the kernel constants lib/ needs.
Napi::Object Constants(Napi::Env env);

}  // namespace netdev::api
