// Reading the arguments JS passes to the addon: the own properties of plain objects, checked for
// type, and the TypeErrors (with Node's ERR_INVALID_ARG_* codes) that refuse anything else.
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>
#include <unordered_map>

namespace netdev {

// A value of the wrong type (TypeError, ERR_INVALID_ARG_TYPE).
[[noreturn]] void ThrowType(const Napi::Env& env, const std::string& what);
// A value of the right type that cannot be encoded (TypeError, ERR_INVALID_ARG_VALUE).
[[noreturn]] void ThrowValue(const Napi::Env& env, const std::string& what);
// o[key] when key is o's own property, else undefined: what lib/ builds is read, never what an
// inherited property (a polluted Object.prototype.mtu) would add to a request.
Napi::Value Own(const Napi::Object& o, const char* key);
bool GetU32(const Napi::Object& o, const char* key, uint32_t* out);
bool GetI32(const Napi::Object& o, const char* key, int32_t* out);
bool GetBool(const Napi::Object& o, const char* key, bool* out);
bool GetStr(const Napi::Object& o, const char* key, std::string* out);
bool GetObj(const Napi::Object& o, const char* key, Napi::Object* out);

// The property keys Own() reads, as JS strings made once per environment (its instance data):
// napi_get_named_property turns its C string into an internalized JS string on every call, a
// hash-table lookup per key, and a request has a dozen keys or more. Keyed by the key's address
// (the callers pass string literals and table entries), checked against its text on every hit.
class KeyCache {
 public:
  napi_value Get(napi_env env, const char* key);

 private:
  struct Entry {
    std::string text;
    napi_ref ref;
  };
  std::unordered_map<const char*, Entry> map_;
};

}  // namespace netdev
