// NetnsHandle: an open namespace, exposed to JS.
//
// lib/ holds a handle (hold() ... unhold()) for the whole of an operation that names it, which
// may take several requests; close() during one marks the handle closed at once (fd -1, new
// operations refused) but keeps the namespace open until the last hold is released, so the
// remaining requests of the operation still reach it. Each request in flight also holds the
// namespace itself (a shared_ptr in the work), destinations included (MsgBuilder::Hold).
#pragma once

#include <napi.h>

#include <cstdint>
#include <memory>

#include "netlink/netns_ref.h"

namespace netdev {

// Refuses an operation on a closed handle (ERR_INVALID_ARG_VALUE).
[[noreturn]] void ThrowClosed(Napi::Env env);

class NetnsHandle : public Napi::ObjectWrap<NetnsHandle> {
 public:
  // Defines the class and keeps its constructor in the environment's state (env_state.h), which
  // must exist by then.
  static Napi::Function Init(Napi::Env env);
  static Napi::Object Wrap(Napi::Env env, std::shared_ptr<NetnsRef> ref);
  explicit NetnsHandle(const Napi::CallbackInfo& info);
  ~NetnsHandle() override;
  // The namespace, also after close() while holds remain (operations under way); null once gone.
  std::shared_ptr<NetnsRef> Ref() const { return ref_ ? ref_ : held_; }

 private:
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value Hold(const Napi::CallbackInfo& info);
  Napi::Value Unhold(const Napi::CallbackInfo& info);
  Napi::Value GetFd(const Napi::CallbackInfo& info);
  Napi::Value GetClosed(const Napi::CallbackInfo& info);
  Napi::Value GetInode(const Napi::CallbackInfo& info);
  std::shared_ptr<NetnsRef> ref_;
  std::shared_ptr<NetnsRef> held_;  // after close() while holds_ > 0
  uint32_t holds_ = 0;
};

}  // namespace netdev
