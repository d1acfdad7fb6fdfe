#include "napi/env_state.h"

#include "napi/napi_error.h"
#include "sys/netns.h"

namespace netdev {

EnvState* EnvState::Create(Napi::Env env) {
  auto* state = new EnvState();
  env.SetInstanceData<EnvState>(state);
  if (state->handles.Init(env) != napi_ok) throw Napi::Error::New(env, "cannot register the environment cleanup hook");
  if (state->dispatcher.Init(env) != napi_ok) throw Napi::Error::New(env, "cannot start the netlink dispatcher");
  UniqueFd self;
  SysError e = OpenCurrentNetns(&self);
  if (e.Failed()) throw ErrorOf(env, e);
  state->current = std::make_shared<NetnsRef>(std::move(self));
  return state;
}

HandedOver* HandedOverOf(napi_env env) {
  EnvState* state = State(Napi::Env(env));
  return state ? &state->handedOver : nullptr;
}

LoopHandles* LoopHandlesOf(napi_env env) {
  EnvState* state = State(Napi::Env(env));
  return state ? &state->handles : nullptr;
}

}  // namespace netdev
