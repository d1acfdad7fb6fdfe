// The fuzz targets: each takes one input from libFuzzer (or a corpus file) and runs it through a
// part of the addon with a real Node-API environment. A target returns normally for any input;
// anything else (a sanitizer report, an uncaught C++ exception, a violated property that calls
// Finding(), a hang) is a finding.
#pragma once

#include <napi.h>

#include <cstddef>
#include <cstdint>

namespace netdev::fuzz {

struct Target {
  const char* name;
  const char* what;
  void (*run)(Napi::Env env, const uint8_t* data, size_t len);
};

// Every target (decode_targets.cc, encode_target.cc, reply_targets.cc), ended by a null name.
extern const Target kDecodeTargets[];
extern const Target kEncodeTargets[];
extern const Target kReplyTargets[];

// Reports a violated property with the target's name and aborts (libFuzzer saves the input).
[[noreturn]] void Finding(const char* what);

}  // namespace netdev::fuzz
