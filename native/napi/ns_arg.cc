#include "napi/ns_arg.h"

#include "napi/env_state.h"
#include "napi/js_args.h"
#include "napi/netns_handle.h"
#include "sys/netns.h"

namespace netdev {

SysError NsArg::Resolve() {
  if (ref) return {};
  UniqueFd fd;
  SysError e = OpenNetnsPath(path, &fd);
  if (e.Failed()) return e;
  ref = std::make_shared<NetnsRef>(std::move(fd));
  return {};
}

NsArg ParseNs(Napi::Env env, const Napi::Value& v) {
  NsArg a;
  if (v.IsUndefined() || v.IsNull()) {
    a.ref = State(env)->current;
  } else if (v.IsString()) {
    a.path = v.As<Napi::String>().Utf8Value();
  } else if (v.IsObject() && v.As<Napi::Object>().InstanceOf(State(env)->netnsCtor.Value())) {
    a.ref = NetnsHandle::Unwrap(v.As<Napi::Object>())->Ref();
    if (!a.ref) ThrowClosed(env);
  } else {
    ThrowType(env, "netns must be a path string or a NetnsHandle");
  }
  return a;
}

}  // namespace netdev
