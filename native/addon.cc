// The addon's entry point: for each environment that loads it (the main thread, or a worker), its
// state (napi/env_state.h) and what it exports. Registration only: the classes live in their
// folders (napi/, packet/, events/), the operations in api/ (each parses its arguments and runs
// its system calls on the libuv threadpool of the calling environment, settling a promise: the JS
// thread never blocks and never changes namespace). native/ is layered, see docs/architecture.md.
#include <napi.h>

#include "api/ops.h"
#include "events/monitor.h"
#include "napi/env_state.h"
#include "napi/netns_handle.h"
#include "packet/packet_queue.h"
#include "packet/poller.h"
#include "rtnl/codec.h"
#include "rtnl/kinds.h"

namespace netdev {

#ifdef NETDEV_FUZZ
void InitFuzz(Napi::Env env, Napi::Object exports);
#endif

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  EnvState::Create(env);
  exports.Set("NetnsHandle", NetnsHandle::Init(env));
  exports.Set("Poller", Poller::Init(env));
  exports.Set("PacketQueue", PacketQueue::Init(env));
  exports.Set("Monitor", Monitor::Init(env));
  exports.Set("monitorOpen", Napi::Function::New<api::MonitorOpenFn>(env, "monitorOpen"));
  exports.Set("tunOpen", Napi::Function::New<api::TunOpenFn>(env, "tunOpen"));
  exports.Set("tunIoctl", Napi::Function::New<api::TunIoctl>(env, "tunIoctl"));
  exports.Set("tapDevOpen", Napi::Function::New<api::TapDevOpenFn>(env, "tapDevOpen"));
  exports.Set("sysctl", Napi::Function::New<api::SysctlFn>(env, "sysctl"));
  exports.Set("rtnl", Napi::Function::New<api::Rtnl>(env, "rtnl"));
  exports.Set("rtnlDump", Napi::Function::New<api::RtnlDump>(env, "rtnlDump"));
  exports.Set("netlink", Napi::Function::New<api::Netlink>(env, "netlink"));
  exports.Set("nfBatch", Napi::Function::New<api::NfBatch>(env, "nfBatch"));
  exports.Set("nfDropOwner", Napi::Function::New<api::NfDropOwner>(env, "nfDropOwner"));
  exports.Set("nfOwnerPortid", Napi::Function::New<api::NfOwnerPortid>(env, "nfOwnerPortid"));
  exports.Set("dispatcherStats", Napi::Function::New<api::DispatcherStats>(env, "dispatcherStats"));
  exports.Set("encode", Napi::Function::New<api::Encode>(env, "encode"));
  exports.Set("decode", Napi::Function::New<api::Decode>(env, "decode"));
  exports.Set("decodeError", Napi::Function::New<api::DecodeError>(env, "decodeError"));
  exports.Set("netnsCreate", Napi::Function::New<api::NetnsCreate>(env, "netnsCreate"));
  exports.Set("netnsOpen", Napi::Function::New<api::NetnsOpen>(env, "netnsOpen"));
  exports.Set("netnsDelete", Napi::Function::New<api::NetnsDelete>(env, "netnsDelete"));
  exports.Set("netnsFromFd", Napi::Function::New<api::NetnsFromFd>(env, "netnsFromFd"));
  exports.Set("netnsCurrent", Napi::Function::New<api::NetnsCurrent>(env, "netnsCurrent"));
  exports.Set("socketOpen", Napi::Function::New<api::SocketOpen>(env, "socketOpen"));
  exports.Set("socketError", Napi::Function::New<api::SocketError>(env, "socketError"));
  exports.Set("constants", api::Constants(env));
  exports.Set("linkTables", LinkTables(env));
  exports.Set("kindTables", KindTables(env));
  exports.Set("portTables", PortTables(env));
  exports.Set("contract", Contract(env));
#ifdef NETDEV_FUZZ
  InitFuzz(env, exports);  // the fuzzing variant only (native/CMakeLists.txt, native/fuzz/driver.cc)
#endif
  return exports;
}

}  // namespace

}  // namespace netdev

static Napi::Object InitAll(Napi::Env env, Napi::Object exports) { return netdev::Init(env, exports); }

NODE_API_MODULE(netdev, InitAll)
