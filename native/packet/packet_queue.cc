#include "packet/packet_queue.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "napi/handover.h"
#include "napi/js_args.h"
#include "napi/js_call.h"
#include "napi/napi_error.h"

namespace netdev {

namespace {
constexpr auto Call = CallFromLoop;

// Whether v is a typed array of exactly this element type (a Buffer is a Uint8Array).
bool IsTypedArrayOf(const Napi::Value& v, napi_typedarray_type type) {
  return v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == type;
}
}  // namespace

Napi::Function PacketQueue::Init(Napi::Env env) {
  return DefineClass(
      env, "PacketQueue",
      {InstanceMethod<&PacketQueue::Start>("start"), InstanceMethod<&PacketQueue::Pause>("pause"),
       InstanceMethod<&PacketQueue::WaitWritable>("waitWritable"), InstanceMethod<&PacketQueue::Write>("write"),
       InstanceMethod<&PacketQueue::WriteBatch>("writeBatch"), InstanceMethod<&PacketQueue::Close>("close"),
       InstanceMethod<&PacketQueue::Ref>("ref"), InstanceMethod<&PacketQueue::Unref>("unref"),
       InstanceAccessor<&PacketQueue::GetFd>("fd")});
}

// new PacketQueue(fd, { maxPacket, maxBatch, budget }) -> takes ownership of fd (non-blocking).
PacketQueue::PacketQueue(const Napi::CallbackInfo& info) : Napi::ObjectWrap<PacketQueue>(info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) ThrowType(env, "fd must be a number");
  if (info.Length() > 1 && info[1].IsObject()) {
    Napi::Object o = info[1].As<Napi::Object>();
    uint32_t v;
    if (GetU32(o, "maxPacket", &v)) maxPacket_ = v;
    if (GetU32(o, "maxBatch", &v)) maxBatch_ = v;
    if (GetU32(o, "budget", &v)) budget_ = v;
  }
  if (maxBatch_ < 1 || maxBatch_ > 4096 || maxPacket_ < 64 || budget_ < maxPacket_)
    ThrowType(env, "invalid queue sizes");
  Napi::ArrayBuffer rx = Napi::ArrayBuffer::New(env, budget_ + maxPacket_);
  Napi::Int32Array offs = Napi::Int32Array::New(env, maxBatch_);
  Napi::Int32Array lens = Napi::Int32Array::New(env, maxBatch_);
  rxData_ = static_cast<uint8_t*>(rx.Data());
  offData_ = offs.Data();
  lenData_ = lens.Data();
  rx_ = Napi::Persistent(rx);
  offsets_ = Napi::Persistent(offs);
  lengths_ = Napi::Persistent(lens);
  Napi::Object self = info.This().As<Napi::Object>();
  self.Set("rxBuffer", rx);
  self.Set("rxOffsets", offs);
  self.Set("rxLengths", lens);
  int fd = info[0].As<Napi::Number>().Int32Value();
  // The fd is this object's from here (closed by it, or below): no longer the environment's.
  if (HandedOver* h = HandedOverOf(env)) h->Claim(fd);
  int r = poll_.Init(env, fd, this, OnEvent);
  if (r != 0) {
    close(fd);
    throw UvErrorOf(env, r, "uv_poll_init");
  }
  fd_ = fd;
}

PacketQueue::~PacketQueue() { CloseHandle(); }

void PacketQueue::CloseHandle() {
  poll_.Close();
  // The poller is stopped before the fd is closed: no wakeup can see a reused fd number.
  if (fd_ >= 0) {
    close(fd_);
    fd_ = -1;
  }
}

void PacketQueue::UpdatePoll() {
  int events = (reading_ ? UV_READABLE : 0) | (wantWritable_ ? UV_WRITABLE : 0);
  if (events)
    poll_.Start(events);
  else
    poll_.Stop();
}

void PacketQueue::OnEvent(void* owner, int status, int events) {
  auto* self = static_cast<PacketQueue*>(owner);
  FromLoop([&] {
    Napi::Env env = self->Env();
    Napi::HandleScope scope(env);
    if (status < 0) {
      // POLLERR/POLLHUP: report to JS as a batch of -errno; reading stops. libuv says UV_EBADF for
      // any POLLERR, but this fd is open (it is ours): a TUN/TAP queue polls POLLERR when its
      // device is gone or going (reads then fail EBADFD, or still see EAGAIN while it unregisters),
      // so that is what is reported.
      if (status == UV_EBADF && self->fd_ >= 0 && fcntl(self->fd_, F_GETFD) != -1) status = -EBADFD;
      self->reading_ = false;
      self->UpdatePoll();
      if (!self->onPackets_.IsEmpty()) Call(self->onPackets_, self->Value(), {Napi::Number::New(env, status)});
      return;
    }
    if ((events & UV_WRITABLE) && self->wantWritable_) {
      self->wantWritable_ = false;
      self->UpdatePoll();
      if (!self->onWritable_.IsEmpty()) {
        Napi::FunctionReference cb = std::move(self->onWritable_);
        Call(cb, self->Value(), {});
      }
    }
    if ((events & UV_READABLE) && self->reading_ && self->poll_.Open()) self->Drain();
  });
}

// Reads until EAGAIN or the budget: packets go back to back into the shared buffer, one JS call
// per batch. A batch that ended on the budget (not on EAGAIN) is followed by another, up to
// kMaxRounds in one wakeup: the handler has returned, so the buffer is free again, and the next
// packets (often the ones the handler just wrote, forwarded back) are read without another
// epoll_wait. The bound keeps one busy queue from holding the loop.
void PacketQueue::Drain() {
  constexpr int kMaxRounds = 8;
  for (int round = 0; round < kMaxRounds; ++round) {
    uint32_t n = 0;
    size_t off = 0;
    int err = 0;
    bool empty = false;
    while (n < maxBatch_ && off <= budget_) {  // the buffer holds budget_ + one maximal packet
      ssize_t r = read(fd_, rxData_ + off, maxPacket_);
      if (r < 0) {
        if (errno == EINTR) continue;
        if (errno != EAGAIN) err = errno;
        empty = true;
        break;
      }
      offData_[n] = static_cast<int32_t>(off);
      lenData_[n] = static_cast<int32_t>(r);
      ++n;
      off += (static_cast<size_t>(r) + 7) & ~size_t{7};  // 8-byte aligned starts
    }
    Napi::Env env = Env();
    if (n > 0 && !onPackets_.IsEmpty()) Call(onPackets_, Value(), {Napi::Number::New(env, n)});
    if (err && !onPackets_.IsEmpty()) Call(onPackets_, Value(), {Napi::Number::New(env, -err)});
    // The handler may have paused or closed the queue, or thrown (CallFromLoop reports it).
    if (empty || !reading_ || fd_ < 0 || !poll_.Open()) return;
  }
}

// start(onPackets(count)) : count > 0 packets are in rxBuffer at rxOffsets/rxLengths; count < 0 is -errno.
Napi::Value PacketQueue::Start(const Napi::CallbackInfo& info) {
  if (!poll_.Open()) ThrowType(info.Env(), "queue is closed");
  if (info.Length() > 0 && info[0].IsFunction()) onPackets_ = Napi::Persistent(info[0].As<Napi::Function>());
  if (onPackets_.IsEmpty()) ThrowType(info.Env(), "start(onPackets)");
  reading_ = true;
  UpdatePoll();
  return info.Env().Undefined();
}

Napi::Value PacketQueue::Pause(const Napi::CallbackInfo& info) {
  reading_ = false;
  UpdatePoll();
  return info.Env().Undefined();
}

// waitWritable(cb): cb() once the fd is writable again.
Napi::Value PacketQueue::WaitWritable(const Napi::CallbackInfo& info) {
  if (!poll_.Open()) ThrowType(info.Env(), "queue is closed");
  if (!info[0].IsFunction()) ThrowType(info.Env(), "waitWritable(callback)");
  onWritable_ = Napi::Persistent(info[0].As<Napi::Function>());
  wantWritable_ = true;
  UpdatePoll();
  return info.Env().Undefined();
}

// write(buffer, offset, length) -> bytes written, or -errno (-EAGAIN: wait for writability).
Napi::Value PacketQueue::Write(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (fd_ < 0) return Napi::Number::New(env, -EBADF);
  if (!IsTypedArrayOf(info[0], napi_uint8_array) || !info[1].IsNumber() || !info[2].IsNumber())
    ThrowType(env, "write(buffer Uint8Array, offset, length)");
  Napi::Uint8Array a = info[0].As<Napi::Uint8Array>();
  size_t off = info[1].As<Napi::Number>().Uint32Value();
  size_t len = info[2].As<Napi::Number>().Uint32Value();
  if (off + len > a.ByteLength()) ThrowType(env, "offset/length beyond the buffer");
  ssize_t r;
  do {
    r = write(fd_, a.Data() + off, len);
  } while (r < 0 && errno == EINTR);
  return Napi::Number::New(env, r < 0 ? -errno : static_cast<double>(r));
}

// writeBatch(buffer Uint8Array, offsets Int32Array, lengths Int32Array, start, count)
//   -> packets written, stopping at EAGAIN (the caller queues the rest); or, when the kernel
//   refuses a packet otherwise (EINVAL for a malformed one), -(errno + 256 * written): the
//   packets before it were written, it and those after it were not. Never retried here.
//   Offsets are relative to the view (a Buffer's byteOffset included).
Napi::Value PacketQueue::WriteBatch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (fd_ < 0) return Napi::Number::New(env, -EBADF);
  // Each As<> below is unchecked: the types are verified first, or another typed array's memory
  // would be read as int32 (past its end).
  if (!IsTypedArrayOf(info[0], napi_uint8_array) || !IsTypedArrayOf(info[1], napi_int32_array) ||
      !IsTypedArrayOf(info[2], napi_int32_array) || !info[3].IsNumber() || !info[4].IsNumber())
    ThrowType(env, "writeBatch(buffer Uint8Array, offsets Int32Array, lengths Int32Array, start, count)");
  Napi::Uint8Array u = info[0].As<Napi::Uint8Array>();
  uint8_t* base = u.Data();
  size_t size = u.ByteLength();
  Napi::Int32Array offs = info[1].As<Napi::Int32Array>();
  Napi::Int32Array lens = info[2].As<Napi::Int32Array>();
  uint32_t start = info[3].As<Napi::Number>().Uint32Value();
  uint32_t count = info[4].As<Napi::Number>().Uint32Value();
  uint64_t end = uint64_t{start} + count;  // no 32-bit wrap-around
  if (end > offs.ElementLength() || end > lens.ElementLength()) ThrowType(env, "count beyond arrays");
  uint32_t done = 0;
  for (uint64_t i = start; i < end; ++i) {
    int32_t o = offs[i], l = lens[i];
    if (o < 0 || l < 0 || static_cast<size_t>(o) + static_cast<size_t>(l) > size)
      ThrowType(env, "packet beyond the buffer");
    ssize_t r;
    do {
      r = write(fd_, base + o, static_cast<size_t>(l));
    } while (r < 0 && errno == EINTR);
    if (r < 0) {
      if (errno == EAGAIN) break;
      return Napi::Number::New(env, -(static_cast<double>(errno) + 256.0 * done));
    }
    ++done;
  }
  return Napi::Number::New(env, done);
}

Napi::Value PacketQueue::Close(const Napi::CallbackInfo& info) {
  reading_ = false;
  wantWritable_ = false;
  CloseHandle();
  onPackets_.Reset();
  onWritable_.Reset();
  return info.Env().Undefined();
}

Napi::Value PacketQueue::Ref(const Napi::CallbackInfo& info) {
  poll_.Ref();
  return info.Env().Undefined();
}

Napi::Value PacketQueue::Unref(const Napi::CallbackInfo& info) {
  poll_.Unref();
  return info.Env().Undefined();
}

Napi::Value PacketQueue::GetFd(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), fd_); }

}  // namespace netdev
