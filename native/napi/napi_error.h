// The one way native code turns a failure into a JS error (a plain Error the JS side converts
// into a NetdevError): errnum, syscall, the kernel's extended ack and netdev's own context kept
// apart (`extack` is only ever the kernel's text), path and attribute offset.
#pragma once

#include <napi.h>

#include "base/common.h"
#include "netlink/nlsock.h"

namespace netdev {

// A failed system call or kernel refusal.
Napi::Error ErrorOf(Napi::Env env, const SysError& e);
// The kernel's answer to one netlink request (syscall: "rtnetlink", "netlink").
Napi::Error ErrorOf(Napi::Env env, const NlResult& r, const char* syscall);
// A libuv failure (negative UV_E* code) of `call`.
Napi::Error UvErrorOf(Napi::Env env, int uvErr, const char* call);

}  // namespace netdev
