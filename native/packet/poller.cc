#include "packet/poller.h"

#include "napi/js_args.h"
#include "napi/js_call.h"
#include "napi/napi_error.h"

namespace netdev {

Napi::Function Poller::Init(Napi::Env env) {
  return DefineClass(env, "Poller",
                     {InstanceMethod<&Poller::Start>("start"), InstanceMethod<&Poller::Stop>("stop"),
                      InstanceMethod<&Poller::Close>("close"), InstanceMethod<&Poller::Ref>("ref"),
                      InstanceMethod<&Poller::Unref>("unref")});
}

// new Poller(fd)
Poller::Poller(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Poller>(info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) ThrowType(env, "fd must be a number");
  int fd = info[0].As<Napi::Number>().Int32Value();
  int r = poll_.Init(env, fd, this, OnEvent);
  if (r != 0) {
    throw UvErrorOf(env, r, "uv_poll_init");
  }
}

Poller::~Poller() = default;

void Poller::OnEvent(void* owner, int status, int events) {
  auto* self = static_cast<Poller*>(owner);
  if (self->callback_.IsEmpty()) return;
  FromLoop([&] {
    Napi::Env env = self->callback_.Env();
    Napi::HandleScope scope(env);
    CallFromLoop(self->callback_, self->Value(), {Napi::Number::New(env, status), Napi::Number::New(env, events)});
  });
}

// start(events, callback(status, events))
Napi::Value Poller::Start(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!poll_.Open()) ThrowType(env, "poller is closed");
  if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsFunction()) ThrowType(env, "start(events, callback)");
  callback_ = Napi::Persistent(info[1].As<Napi::Function>());
  int r = poll_.Start(info[0].As<Napi::Number>().Int32Value());
  return Napi::Number::New(env, r);
}

Napi::Value Poller::Stop(const Napi::CallbackInfo& info) {
  poll_.Stop();
  return info.Env().Undefined();
}

Napi::Value Poller::Close(const Napi::CallbackInfo& info) {
  poll_.Close();
  callback_.Reset();
  return info.Env().Undefined();
}

Napi::Value Poller::Ref(const Napi::CallbackInfo& info) {
  poll_.Ref();
  return info.Env().Undefined();
}

Napi::Value Poller::Unref(const Napi::CallbackInfo& info) {
  poll_.Unref();
  return info.Env().Undefined();
}

}  // namespace netdev
