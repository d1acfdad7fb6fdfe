// The packet engine for one packet fd (a TUN/TAP queue, or a macvtap/ipvtap character device):
// a uv_poll watcher on the environment's own loop; each readable wakeup drains up to a packet and
// byte budget into one reusable buffer (offsets and lengths in shared Int32Arrays) and makes ONE
// JS call for the batch, then (a full batch) up to 7 more. No allocation per packet. Writes are one packet per write();
// EAGAIN is reported, never spun on (lib/ waits for writability and emits 'drain').
#pragma once

#include <napi.h>
#include <uv.h>

#include <cstdint>
#include <vector>

#include "napi/poll_handle.h"

namespace netdev {

class PacketQueue : public Napi::ObjectWrap<PacketQueue> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit PacketQueue(const Napi::CallbackInfo& info);
  ~PacketQueue() override;

 private:
  Napi::Value Start(const Napi::CallbackInfo& info);
  Napi::Value Pause(const Napi::CallbackInfo& info);
  Napi::Value WaitWritable(const Napi::CallbackInfo& info);
  Napi::Value Write(const Napi::CallbackInfo& info);
  Napi::Value WriteBatch(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value Ref(const Napi::CallbackInfo& info);
  Napi::Value Unref(const Napi::CallbackInfo& info);
  Napi::Value GetFd(const Napi::CallbackInfo& info);
  static void OnEvent(void* owner, int status, int events);
  void Drain();
  void UpdatePoll();
  void CloseHandle();

  int fd_ = -1;
  PollHandle poll_;
  bool reading_ = false;
  bool wantWritable_ = false;
  size_t maxPacket_ = 65536 + 64;
  uint32_t maxBatch_ = 64;
  size_t budget_ = 256 * 1024;
  // Shared with JS, kept alive by these references for the queue's whole life.
  Napi::Reference<Napi::ArrayBuffer> rx_;
  Napi::Reference<Napi::Int32Array> offsets_;
  Napi::Reference<Napi::Int32Array> lengths_;
  uint8_t* rxData_ = nullptr;
  int32_t* offData_ = nullptr;
  int32_t* lenData_ = nullptr;
  Napi::FunctionReference onPackets_;
  Napi::FunctionReference onWritable_;
};

}  // namespace netdev
