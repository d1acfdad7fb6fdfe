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

namespace {

napi_value Undefined(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

// o[key] when key is o's own property, else undefined; *type is its type. Each getter below reads
// the type from here rather than asking again (a napi_typeof per question).
napi_value OwnTyped(const Napi::Object& o, const char* key, napi_valuetype* type) {
  napi_env env = o.Env();
  napi_value v;
  if (napi_get_named_property(env, o, key, &v) != napi_ok) throw Napi::Error::New(env);
  if (napi_typeof(env, v, type) != napi_ok) throw Napi::Error::New(env);
  // Most keys a request may carry are absent: the own-property check costs only for present ones.
  if (*type == napi_undefined) return v;
  napi_value k;
  if (napi_create_string_utf8(env, key, NAPI_AUTO_LENGTH, &k) != napi_ok) throw Napi::Error::New(env);
  bool own = false;
  if (napi_has_own_property(env, o, k, &own) != napi_ok) throw Napi::Error::New(env);
  if (own) return v;
  *type = napi_undefined;
  return Undefined(env);
}

}  // namespace

Napi::Value Own(const Napi::Object& o, const char* key) {
  napi_valuetype t;
  return Napi::Value(o.Env(), OwnTyped(o, key, &t));
}

bool GetU32(const Napi::Object& o, const char* key, uint32_t* out) {
  napi_valuetype t;
  napi_value v = OwnTyped(o, key, &t);
  if (t == napi_undefined || t == napi_null) return false;
  if (t != napi_number) ThrowType(o.Env(), std::string(key) + " must be a number");
  double d = 0;
  napi_get_value_double(o.Env(), v, &d);
  if (!(d >= 0 && d <= 4294967295.0) || d != static_cast<double>(static_cast<uint32_t>(d)))
    ThrowType(o.Env(), std::string(key) + " must be an unsigned 32-bit integer");
  *out = static_cast<uint32_t>(d);
  return true;
}

bool GetI32(const Napi::Object& o, const char* key, int32_t* out) {
  napi_valuetype t;
  napi_value v = OwnTyped(o, key, &t);
  if (t == napi_undefined || t == napi_null) return false;
  if (t != napi_number) ThrowType(o.Env(), std::string(key) + " must be a number");
  *out = Napi::Number(o.Env(), v).Int32Value();
  return true;
}

bool GetBool(const Napi::Object& o, const char* key, bool* out) {
  napi_valuetype t;
  napi_value v = OwnTyped(o, key, &t);
  if (t == napi_undefined || t == napi_null) return false;
  if (t != napi_boolean) ThrowType(o.Env(), std::string(key) + " must be a boolean");
  *out = Napi::Boolean(o.Env(), v).Value();
  return true;
}

bool GetStr(const Napi::Object& o, const char* key, std::string* out) {
  napi_valuetype t;
  napi_value v = OwnTyped(o, key, &t);
  if (t == napi_undefined || t == napi_null) return false;
  if (t != napi_string) ThrowType(o.Env(), std::string(key) + " must be a string");
  *out = Napi::String(o.Env(), v).Utf8Value();
  return true;
}

bool GetObj(const Napi::Object& o, const char* key, Napi::Object* out) {
  napi_valuetype t;
  napi_value v = OwnTyped(o, key, &t);
  if (t == napi_undefined || t == napi_null) return false;
  if (t != napi_object && t != napi_function) ThrowType(o.Env(), std::string(key) + " must be an object");
  *out = Napi::Object(o.Env(), v);
  return true;
}

}  // namespace netdev
