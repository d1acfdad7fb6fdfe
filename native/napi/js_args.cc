#include "napi/js_args.h"

namespace netdev {

void ThrowType(const Napi::Env& env, const std::string& what) {
  Napi::TypeError err = Napi::TypeError::New(env, what);
  err.Set("code", Napi::String::New(env, "ERR_INVALID_ARG_TYPE"));
  throw err;
}

void ThrowValue(const Napi::Env& env, const std::string& what) {
  Napi::TypeError err = Napi::TypeError::New(env, what);
  err.Set("code", Napi::String::New(env, "ERR_INVALID_ARG_VALUE"));
  throw err;
}

Napi::Value Own(const Napi::Object& o, const char* key) {
  Napi::Value v = o.Get(key);
  // Most keys a request may carry are absent: the own-property check costs only for present ones.
  if (v.IsUndefined() || o.HasOwnProperty(key)) return v;
  return o.Env().Undefined();
}

bool GetU32(const Napi::Object& o, const char* key, uint32_t* out) {
  Napi::Value v = Own(o, key);
  if (v.IsUndefined() || v.IsNull()) return false;
  if (!v.IsNumber()) ThrowType(o.Env(), std::string(key) + " must be a number");
  double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= 0 && d <= 4294967295.0) || d != static_cast<double>(static_cast<uint32_t>(d)))
    ThrowType(o.Env(), std::string(key) + " must be an unsigned 32-bit integer");
  *out = static_cast<uint32_t>(d);
  return true;
}

bool GetI32(const Napi::Object& o, const char* key, int32_t* out) {
  Napi::Value v = Own(o, key);
  if (v.IsUndefined() || v.IsNull()) return false;
  if (!v.IsNumber()) ThrowType(o.Env(), std::string(key) + " must be a number");
  *out = v.As<Napi::Number>().Int32Value();
  return true;
}

bool GetBool(const Napi::Object& o, const char* key, bool* out) {
  Napi::Value v = Own(o, key);
  if (v.IsUndefined() || v.IsNull()) return false;
  if (!v.IsBoolean()) ThrowType(o.Env(), std::string(key) + " must be a boolean");
  *out = v.As<Napi::Boolean>().Value();
  return true;
}

bool GetStr(const Napi::Object& o, const char* key, std::string* out) {
  Napi::Value v = Own(o, key);
  if (v.IsUndefined() || v.IsNull()) return false;
  if (!v.IsString()) ThrowType(o.Env(), std::string(key) + " must be a string");
  *out = v.As<Napi::String>().Utf8Value();
  return true;
}

bool GetObj(const Napi::Object& o, const char* key, Napi::Object* out) {
  Napi::Value v = Own(o, key);
  if (v.IsUndefined() || v.IsNull()) return false;
  if (!v.IsObject()) ThrowType(o.Env(), std::string(key) + " must be an object");
  *out = v.As<Napi::Object>();
  return true;
}

}  // namespace netdev
