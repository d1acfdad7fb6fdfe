#include "napi/netns_handle.h"

#include "napi/env_state.h"
#include "napi/js_args.h"

namespace netdev {

void ThrowClosed(Napi::Env env) {
  Napi::Error e = Napi::Error::New(env, "the namespace handle is closed");
  e.Set("code", Napi::String::New(env, "ERR_INVALID_ARG_VALUE"));
  throw e;
}

Napi::Function NetnsHandle::Init(Napi::Env env) {
  Napi::Function ctor = DefineClass(
      env, "NetnsHandle",
      {InstanceMethod<&NetnsHandle::Close>("close"), InstanceMethod<&NetnsHandle::Hold>("hold"),
       InstanceMethod<&NetnsHandle::Unhold>("unhold"), InstanceAccessor<&NetnsHandle::GetFd>("fd"),
       InstanceAccessor<&NetnsHandle::GetClosed>("closed"), InstanceAccessor<&NetnsHandle::GetInode>("inode")});
  State(env)->netnsCtor = Napi::Persistent(ctor);
  return ctor;
}

Napi::Object NetnsHandle::Wrap(Napi::Env env, std::shared_ptr<NetnsRef> ref) {
  auto* holder = new std::shared_ptr<NetnsRef>(std::move(ref));
  return State(env)->netnsCtor.New({Napi::External<std::shared_ptr<NetnsRef>>::New(
      env, holder, [](Napi::Env, std::shared_ptr<NetnsRef>* p) { delete p; })});
}

NetnsHandle::NetnsHandle(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NetnsHandle>(info) {
  if (info.Length() < 1 || !info[0].IsExternal())
    ThrowType(info.Env(), "NetnsHandle cannot be constructed directly; use openNetns()");
  // Move out of the holder: the External lives until GC and must not keep the namespace open.
  ref_ = std::move(*info[0].As<Napi::External<std::shared_ptr<NetnsRef>>>().Data());
}

NetnsHandle::~NetnsHandle() {
  if (ref_) ref_->Close();
}

Napi::Value NetnsHandle::Close(const Napi::CallbackInfo& info) {
  if (ref_) {
    ref_->Close();
    if (holds_ > 0)
      held_ = std::move(ref_);
    else
      ref_.reset();
  }
  return info.Env().Undefined();
}

Napi::Value NetnsHandle::Hold(const Napi::CallbackInfo& info) {
  if (!ref_) ThrowClosed(info.Env());
  ++holds_;
  return info.Env().Undefined();
}

Napi::Value NetnsHandle::Unhold(const Napi::CallbackInfo& info) {
  if (holds_ > 0 && --holds_ == 0) held_.reset();
  return info.Env().Undefined();
}

Napi::Value NetnsHandle::GetFd(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), ref_ ? ref_->Fd() : -1);
}

Napi::Value NetnsHandle::GetClosed(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), !ref_); }

Napi::Value NetnsHandle::GetInode(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), ref_ ? static_cast<double>(ref_->Inode()) : 0);
}

}  // namespace netdev
