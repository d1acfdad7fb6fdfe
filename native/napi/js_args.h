// Reading the arguments JS passes to the addon: the own properties of plain objects, checked for
// type, and the TypeErrors (with Node's ERR_INVALID_ARG_* codes) that refuse anything else.
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>

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

}  // namespace netdev
