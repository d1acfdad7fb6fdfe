// The namespace argument of an operation: undefined or null (the environment's own namespace), a
// path (opened for this call only, on the threadpool) or a NetnsHandle (its socket pool).
#pragma once

#include <napi.h>

#include <memory>
#include <string>

#include "base/common.h"
#include "netlink/netns_ref.h"

namespace netdev {

// Where an operation runs: an open handle (its socket pool), or a path opened for this call only.
struct NsArg {
  std::shared_ptr<NetnsRef> ref;
  std::string path;

  // Opens the path, if that is what was given (on the threadpool: it may block).
  SysError Resolve();
};

// Reads the argument on the JS thread: throws ERR_INVALID_ARG_TYPE for anything else, and
// ERR_INVALID_ARG_VALUE for a closed handle.
NsArg ParseNs(Napi::Env env, const Napi::Value& v);

}  // namespace netdev
