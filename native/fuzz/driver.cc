// libFuzzer inside Node: the fuzzing variant of the addon (native/CMakeLists.txt) exports
//   fuzzTargets()            -> [{ name, what }]
//   fuzz(target, args[])     runs libFuzzer (LLVMFuzzerRunDriver) with command-line `args` over
//                            `target`; libFuzzer exits the process when it is done
//   fuzzOne(target, buffer)  runs one input (a corpus file, a saved crash) and returns
// so that the decoders build real JS values through real N-API, as they do in production, and
// the encoder reads real JS objects. Only the addon is instrumented, not Node.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "netlink/nlmsg.h"
#include "targets.h"

extern "C" int LLVMFuzzerRunDriver(int* argc, char*** argv, int (*cb)(const uint8_t* data, size_t size));

namespace netdev {

namespace {

napi_env gEnv = nullptr;
const fuzz::Target* gTarget = nullptr;

// Every target, in the order fuzzTargets() lists them.
std::vector<const fuzz::Target*> All() {
  std::vector<const fuzz::Target*> all;
  for (const fuzz::Target* list : {fuzz::kDecodeTargets, fuzz::kEncodeTargets, fuzz::kReplyTargets})
    for (const fuzz::Target* t = list; t->name; ++t) all.push_back(t);
  return all;
}

const fuzz::Target* Find(const std::string& name) {
  for (const fuzz::Target* t : All())
    if (name == t->name) return t;
  return nullptr;
}

// One input: in its own handle scope, so what it allocated is garbage once it returns. The
// encoder's refusals (ERR_INVALID_ARG_*, too long to encode) are answers, not findings.
int RunOne(const uint8_t* data, size_t size) {
  Napi::Env env(gEnv);
  Napi::HandleScope scope(env);
  try {
    gTarget->run(env, data, size);
  } catch (const Napi::Error&) {
  } catch (const EncodeError&) {
  }
  if (env.IsExceptionPending()) fuzz::Finding("a JS exception was left pending");
  return 0;
}

const fuzz::Target* TargetArg(const Napi::CallbackInfo& info) {
  if (!info[0].IsString()) throw Napi::TypeError::New(info.Env(), "target must be a string");
  std::string name = info[0].As<Napi::String>().Utf8Value();
  const fuzz::Target* t = Find(name);
  if (!t) throw Napi::RangeError::New(info.Env(), "no such fuzz target: " + name);
  return t;
}

Napi::Value Targets(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array out = Napi::Array::New(env);
  uint32_t n = 0;
  for (const fuzz::Target* t : All()) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", t->name);
    o.Set("what", t->what);
    out.Set(n++, o);
  }
  return out;
}

Napi::Value Fuzz(const Napi::CallbackInfo& info) {
  gTarget = TargetArg(info);
  gEnv = info.Env();
  std::vector<std::string> args{std::string("netdev-fuzz:") + gTarget->name};
  if (info[1].IsArray()) {
    Napi::Array a = info[1].As<Napi::Array>();
    for (uint32_t i = 0; i < a.Length(); ++i) args.push_back(a.Get(i).ToString().Utf8Value());
  }
  std::vector<char*> argv;
  for (std::string& s : args) argv.push_back(s.data());
  argv.push_back(nullptr);
  int argc = static_cast<int>(args.size());
  char** av = argv.data();
  return Napi::Number::New(info.Env(), LLVMFuzzerRunDriver(&argc, &av, RunOne));
}

Napi::Value FuzzOne(const Napi::CallbackInfo& info) {
  gTarget = TargetArg(info);
  gEnv = info.Env();
  if (!info[1].IsBuffer()) throw Napi::TypeError::New(info.Env(), "input must be a Buffer");
  auto buf = info[1].As<Napi::Buffer<uint8_t>>();
  // A copy of exactly the input's bytes, as libFuzzer hands them over, so a read past the end
  // is caught.
  std::vector<uint8_t> copy(buf.Data(), buf.Data() + buf.Length());
  RunOne(copy.data(), copy.size());
  return info.Env().Undefined();
}

}  // namespace

namespace fuzz {

[[noreturn]] void Finding(const char* what) {
  std::fprintf(stderr, "netdev-fuzz: FINDING in %s: %s\n", gTarget ? gTarget->name : "?", what);
  std::abort();
}

}  // namespace fuzz

void InitFuzz(Napi::Env env, Napi::Object exports) {
  exports.Set("fuzzTargets", Napi::Function::New<Targets>(env, "fuzzTargets"));
  exports.Set("fuzz", Napi::Function::New<Fuzz>(env, "fuzz"));
  exports.Set("fuzzOne", Napi::Function::New<FuzzOne>(env, "fuzzOne"));
}

}  // namespace netdev
