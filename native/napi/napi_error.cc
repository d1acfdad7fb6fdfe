#include "napi/napi_error.h"

#include <cstring>

namespace netdev {

Napi::Error ErrorOf(Napi::Env env, const SysError& e) {
  // The message says the most precise thing known: the kernel's words, ours, or strerror().
  std::string msg = !e.extack.empty()    ? e.extack
                    : !e.message.empty() ? e.message
                                         : std::string(std::strerror(e.errnum));
  Napi::Error err = Napi::Error::New(env, msg);
  err.Set("errnum", Napi::Number::New(env, e.errnum));
  err.Set("syscall", Napi::String::New(env, e.syscall));
  if (!e.extack.empty()) err.Set("extack", Napi::String::New(env, e.extack));
  if (!e.message.empty()) err.Set("detail", Napi::String::New(env, e.message));
  if (!e.path.empty()) err.Set("path", Napi::String::New(env, e.path));
  if (e.extackOffset >= 0) err.Set("extackOffset", Napi::Number::New(env, e.extackOffset));
  return err;
}

Napi::Error ErrorOf(Napi::Env env, const NlResult& r, const char* syscall) {
  SysError e = SysError::Of(r.errnum, syscall, r.context);
  e.extack = r.extack;
  e.extackOffset = r.extackOffset;
  return ErrorOf(env, e);
}

Napi::Error UvErrorOf(Napi::Env env, int uvErr, const char* call) { return ErrorOf(env, SysError::Of(-uvErr, call)); }

}  // namespace netdev
