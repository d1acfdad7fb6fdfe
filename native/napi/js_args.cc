#include "napi/js_args.h"

#include <cstring>

#include "napi/env_state.h"

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

napi_value KeyCache::Get(napi_env env, const char* key) {
  napi_value out = nullptr;
  auto it = map_.find(key);
  if (it != map_.end() && std::strcmp(it->second.text.c_str(), key) == 0 &&
      napi_get_reference_value(env, it->second.ref, &out) == napi_ok && out != nullptr)
    return out;
  if (napi_create_string_utf8(env, key, NAPI_AUTO_LENGTH, &out) != napi_ok) return nullptr;
  napi_ref ref;
  if (napi_create_reference(env, out, 1, &ref) != napi_ok) return out;
  if (it != map_.end()) {
    napi_delete_reference(env, it->second.ref);
    it->second = {key, ref};
  } else {
    map_.emplace(key, Entry{key, ref});
  }
  return out;
}

Napi::Value Own(const Napi::Object& o, const char* key) {
  napi_env env = o.Env();
  EnvState* state = State(o.Env());
  napi_value k = state ? state->keys.Get(env, key) : nullptr;
  if (k == nullptr) {
    Napi::Value v = o.Get(key);
    if (v.IsUndefined() || o.HasOwnProperty(key)) return v;
    return o.Env().Undefined();
  }
  napi_value v;
  if (napi_get_property(env, o, k, &v) != napi_ok) throw Napi::Error::New(env);
  // Most keys a request may carry are absent: the own-property check costs only for present ones.
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok) throw Napi::Error::New(env);
  if (t == napi_undefined) return Napi::Value(env, v);
  bool own = false;
  if (napi_has_own_property(env, o, k, &own) != napi_ok) throw Napi::Error::New(env);
  return own ? Napi::Value(env, v) : o.Env().Undefined();
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
