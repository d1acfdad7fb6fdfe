// The addon's entry point and its asynchronous operations (each runs its system calls on the libuv threadpool of the
// calling environment and settles a promise; the JS thread never blocks and never changes namespace).
#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/neighbour.h>
#include <linux/net_namespace.h>
#include <linux/rtnetlink.h>
#include <napi.h>
#include <net/ethernet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <uv.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "events/monitor.h"
#include "napi/env_state.h"
#include "napi/napi_error.h"
#include "napi/netns_handle.h"
#include "napi/ns_arg.h"
#include "napi/promise_work.h"
#include "netlink/nlsock.h"
#include "packet/packet_queue.h"
#include "packet/poller.h"
#include "packet/tapdev.h"
#include "packet/tun.h"
#include "rtnl/codec.h"
#include "rtnl/kinds.h"
#include "sys/netns.h"
#include "sys/sockets.h"
#include "sys/sysctl.h"

namespace netdev {

namespace {

// Requests sent as one batch; resolves with one entry per request: undefined (done), an array of
// decoded reply objects, or an Error describing the kernel's refusal.
class RtnlWork : public PromiseWork {
 public:
  RtnlWork(Napi::Env env, NsArg ns, MsgBuilder msgs, bool dump)
      : PromiseWork(env, "netdev:rtnetlink"),
        ns_(std::move(ns)),
        msgs_(msgs.Take()),
        holds_(msgs.TakeHolds()),
        dump_(dump) {}
  void Execute() override {
    err_ = ns_.Resolve();
    if (err_.Failed()) return;
    std::unique_ptr<NlSocket> sock;
    err_ = ns_.ref->Acquire(&sock);
    if (err_.Failed()) return;
    if (dump_) {
      results_.resize(1);
      err_ = sock->Dump(&msgs_, &results_[0]);
    } else {
      err_ = sock->Transact(&msgs_, &results_);
    }
    ns_.ref->Release(std::move(sock));
  }
  Napi::Value Result(Napi::Env env) override {
    if (dump_) {
      const NlResult& r = results_[0];
      if (r.errnum) throw ErrorOf(env, r, "rtnetlink");
      return DecodeMessages(env, r.messages.data(), r.messages.size());
    }
    Napi::Array out = Napi::Array::New(env, results_.size());
    for (size_t i = 0; i < results_.size(); ++i) {
      const NlResult& r = results_[i];
      if (r.errnum)
        out.Set(i, ErrorOf(env, r, "rtnetlink").Value());
      else if (!r.messages.empty())
        out.Set(i, DecodeMessages(env, r.messages.data(), r.messages.size()));
    }
    return out;
  }

 private:
  NsArg ns_;
  std::vector<uint8_t> msgs_;
  std::vector<std::shared_ptr<const void>> holds_;  // destination namespaces the messages name by fd
  bool dump_;
  std::vector<NlResult> results_;
};

MsgBuilder EncodeAll(Napi::Env env, const Napi::Value& v) {
  MsgBuilder b;
  try {
    if (v.IsArray()) {
      Napi::Array arr = v.As<Napi::Array>();
      for (uint32_t i = 0; i < arr.Length(); ++i) {
        Napi::Value item = arr.Get(i);
        if (!item.IsObject()) ThrowType(env, "each request must be an object");
        EncodeRequest(item.As<Napi::Object>(), &b);
      }
    } else if (v.IsObject()) {
      EncodeRequest(v.As<Napi::Object>(), &b);
    } else {
      ThrowType(env, "requests must be an object or an array");
    }
  } catch (const EncodeError& e) {
    // Something too long for netlink's length fields: refused whole, nothing is sent.
    Napi::Error err = Napi::RangeError::New(env, std::string("request too long to encode: ") + e.what());
    err.Set("code", Napi::String::New(env, "ERR_INVALID_ARG_VALUE"));
    err.Set("attribute", Napi::Number::New(env, e.Type() & NLA_TYPE_MASK));
    throw err;
  }
  return b;
}

// rtnl(netns, requests[]) -> Promise<(undefined | object[] | Error)[]>
Napi::Value Rtnl(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  NsArg ns = ParseNs(env, info[0]);
  MsgBuilder msgs = EncodeAll(env, info[1]);
  return (new RtnlWork(env, std::move(ns), std::move(msgs), false))->Queue();
}

// rtnlDump(netns, request) -> Promise<object[]>
Napi::Value RtnlDump(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  NsArg ns = ParseNs(env, info[0]);
  if (!info[1].IsObject() || info[1].IsArray()) ThrowType(env, "request must be an object");
  MsgBuilder msgs = EncodeAll(env, info[1]);
  return (new RtnlWork(env, std::move(ns), std::move(msgs), true))->Queue();
}

// Raw netlink of any protocol family, for codecs that live in TypeScript (nf_tables): the
// requests are whole messages built by the caller; seq, portid and the REQUEST/ACK flags are set
// here, and replies are checked (sender, portid, sequence, DUMP_INTR, extack) as for rtnetlink.
class NetlinkWork : public PromiseWork {
 public:
  NetlinkWork(Napi::Env env, NsArg ns, int protocol, std::vector<uint8_t> msgs, bool dump)
      : PromiseWork(env, "netdev:netlink"),
        ns_(std::move(ns)),
        protocol_(protocol),
        msgs_(std::move(msgs)),
        dump_(dump) {}
  void Execute() override {
    err_ = ns_.Resolve();
    if (err_.Failed()) return;
    std::unique_ptr<NlSocket> sock;
    err_ = ns_.ref->Acquire(&sock, protocol_);
    if (err_.Failed()) return;
    if (dump_) {
      results_.resize(1);
      err_ = sock->Dump(&msgs_, &results_[0]);
    } else {
      err_ = sock->Transact(&msgs_, &results_, true);
    }
    ns_.ref->Release(std::move(sock));
  }
  Napi::Value Result(Napi::Env env) override {
    auto bytes = [&](const NlResult& r) {
      return Napi::Buffer<uint8_t>::Copy(env, r.messages.data(), r.messages.size());
    };
    if (dump_) {
      if (results_[0].errnum) throw ErrorOf(env, results_[0], "netlink");
      return bytes(results_[0]);
    }
    Napi::Array out = Napi::Array::New(env, results_.size());
    for (size_t i = 0; i < results_.size(); ++i)
      out.Set(i, results_[i].errnum ? ErrorOf(env, results_[i], "netlink").Value() : bytes(results_[i]));
    return out;
  }

 private:
  NsArg ns_;
  int protocol_;
  std::vector<uint8_t> msgs_;
  bool dump_;
  std::vector<NlResult> results_;
};

// netlink(netns, protocol, messages: Buffer, dump: boolean)
//   -> Promise<(Buffer | Error)[]> (one entry per request: its reply messages, or the refusal)
//   -> Promise<Buffer> for a dump (every reply message of the one request)
Napi::Value Netlink(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  NsArg ns = ParseNs(env, info[0]);
  if (!info[1].IsNumber() || !info[2].IsBuffer() || !info[3].IsBoolean())
    ThrowType(env, "netlink(netns, protocol, messages, dump)");
  int protocol = info[1].As<Napi::Number>().Int32Value();
  if (protocol < 0 || protocol >= MAX_LINKS) ThrowValue(env, "protocol must be a netlink protocol number (0-31)");
  auto buf = info[2].As<Napi::Buffer<uint8_t>>();
  bool dump = info[3].As<Napi::Boolean>().Value();
  // Whole messages only, each at least a header, the next at the aligned end of the last.
  size_t count = 0;
  for (size_t off = 0; off < buf.Length(); ++count) {
    nlmsghdr h;
    if (buf.Length() - off < sizeof h) ThrowValue(env, "messages must be whole netlink messages");
    std::memcpy(&h, buf.Data() + off, sizeof h);
    if (h.nlmsg_len < sizeof h || h.nlmsg_len > buf.Length() - off)
      ThrowValue(env, "messages must be whole netlink messages");
    off += std::min<size_t>(NLMSG_ALIGN(h.nlmsg_len), buf.Length() - off);
  }
  if (count == 0 || (dump && count != 1))
    ThrowValue(env, dump ? "a dump is one request message" : "no request message");
  std::vector<uint8_t> msgs(buf.Data(), buf.Data() + buf.Length());
  return (new NetlinkWork(env, std::move(ns), protocol, std::move(msgs), dump))->Queue();
}

// encode(request | request[]) -> Buffer (the exact bytes sent, before seq/portid/flags are set)
Napi::Value Encode(const Napi::CallbackInfo& info) {
  MsgBuilder b = EncodeAll(info.Env(), info[0]);
  return Napi::Buffer<uint8_t>::Copy(info.Env(), b.Bytes().data(), b.Bytes().size());
}

// decode(buffer) -> object[]
Napi::Value Decode(const Napi::CallbackInfo& info) {
  if (!info[0].IsBuffer()) ThrowType(info.Env(), "decode(buffer)");
  auto buf = info[0].As<Napi::Buffer<uint8_t>>();
  return DecodeMessages(info.Env(), buf.Data(), buf.Length());
}

// decodeError(buffer) -> { errnum, extack, extackOffset } for one NLMSG_ERROR message
Napi::Value DecodeError(const Napi::CallbackInfo& info) {
  if (!info[0].IsBuffer()) ThrowType(info.Env(), "decodeError(buffer)");
  auto buf = info[0].As<Napi::Buffer<uint8_t>>();
  std::vector<MsgView> views;
  Napi::Env env = info.Env();
  if (!SplitMessages(buf.Data(), buf.Length(), &views) || views.empty() || views[0].hdr->nlmsg_type != NLMSG_ERROR)
    return env.Null();
  NlResult r;
  if (!ParseNlError(views[0].payload, views[0].payloadLen, views[0].hdr->nlmsg_flags, &r)) return env.Null();
  Napi::Object o = Napi::Object::New(env);
  o.Set("errnum", r.errnum);
  o.Set("extack", r.extack);
  o.Set("extackOffset", r.extackOffset);
  return o;
}

class NetnsCreateWork : public PromiseWork {
 public:
  NetnsCreateWork(Napi::Env env, std::string dir, std::string name)
      : PromiseWork(env, "netdev:netns"), dir_(std::move(dir)), name_(std::move(name)) {}
  void Execute() override { err_ = name_.empty() ? CreateAnonymousNetns(&fd_) : CreateNamedNetns(dir_, name_, &fd_); }
  Napi::Value Result(Napi::Env env) override {
    return NetnsHandle::Wrap(env, std::make_shared<NetnsRef>(std::move(fd_)));
  }

 private:
  std::string dir_, name_;
  UniqueFd fd_;
};

// netnsCreate(dir?, name?) -> Promise<NetnsHandle>
Napi::Value NetnsCreate(const Napi::CallbackInfo& info) {
  std::string dir, name;
  if (info[0].IsString()) dir = info[0].As<Napi::String>().Utf8Value();
  if (info[1].IsString()) name = info[1].As<Napi::String>().Utf8Value();
  return (new NetnsCreateWork(info.Env(), dir, name))->Queue();
}

class NetnsPathWork : public PromiseWork {
 public:
  NetnsPathWork(Napi::Env env, std::string path, bool del)
      : PromiseWork(env, "netdev:netns"), path_(std::move(path)), del_(del) {}
  void Execute() override { err_ = del_ ? DeleteNamedNetns(path_) : OpenNetnsPath(path_, &fd_); }
  Napi::Value Result(Napi::Env env) override {
    if (del_) return env.Undefined();
    return NetnsHandle::Wrap(env, std::make_shared<NetnsRef>(std::move(fd_)));
  }

 private:
  std::string path_;
  bool del_;
  UniqueFd fd_;
};

Napi::Value NetnsOpen(const Napi::CallbackInfo& info) {
  if (!info[0].IsString()) ThrowType(info.Env(), "path must be a string");
  return (new NetnsPathWork(info.Env(), info[0].As<Napi::String>().Utf8Value(), false))->Queue();
}

Napi::Value NetnsDelete(const Napi::CallbackInfo& info) {
  if (!info[0].IsString()) ThrowType(info.Env(), "path must be a string");
  return (new NetnsPathWork(info.Env(), info[0].As<Napi::String>().Utf8Value(), true))->Queue();
}

// netnsFromFd(fd) -> NetnsHandle (a duplicate of fd; the caller keeps its own)
Napi::Value NetnsFromFd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber()) ThrowType(env, "fd must be a number");
  UniqueFd fd;
  SysError e = DupNetnsFd(info[0].As<Napi::Number>().Int32Value(), &fd);
  if (e.Failed()) throw ErrorOf(env, e);
  return NetnsHandle::Wrap(env, std::make_shared<NetnsRef>(std::move(fd)));
}

// netnsCurrent() -> NetnsHandle for the environment's own namespace (shares its socket pool)
Napi::Value NetnsCurrent(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  UniqueFd fd;
  SysError e = DupNetnsFd(State(env)->current->Fd(), &fd);
  if (e.Failed()) throw ErrorOf(env, e);
  return NetnsHandle::Wrap(env, std::make_shared<NetnsRef>(std::move(fd)));
}

class SocketWork : public PromiseWork {
 public:
  SocketWork(Napi::Env env, NsArg ns, SocketSpec spec)
      : PromiseWork(env, "netdev:socket"), ns_(std::move(ns)), spec_(std::move(spec)) {}
  void Execute() override {
    err_ = ns_.Resolve();
    if (!err_.Failed()) err_ = OpenSocketIn(ns_.ref->Fd(), spec_, &fd_);
  }
  Napi::Value Result(Napi::Env env) override { return Napi::Number::New(env, fd_.Get()); }
  void Delivered(Napi::Env env) override { HandOver(env, &fd_); }

 private:
  NsArg ns_;
  SocketSpec spec_;
  UniqueFd fd_;
};

// socketOpen(netns, { family, type, bindAddress?, bindPort?, reuseAddr?, v6Only?, connectAddress?,
// connectPort? }) -> Promise<fd>
Napi::Value SocketOpen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  NsArg ns = ParseNs(env, info[0]);
  if (!info[1].IsObject()) ThrowType(env, "socket spec must be an object");
  Napi::Object o = info[1].As<Napi::Object>();
  SocketSpec s;
  uint32_t v;
  if (!GetU32(o, "family", &v)) ThrowType(env, "family is required");
  s.family = static_cast<int>(v);
  if (s.family != AF_INET && s.family != AF_INET6) ThrowType(env, "family must be AF_INET or AF_INET6");
  if (!GetU32(o, "type", &v)) ThrowType(env, "type is required");
  s.type = static_cast<int>(v);
  GetStr(o, "bindAddress", &s.bindAddress);
  if (GetU32(o, "bindPort", &v)) s.bindPort = static_cast<int>(v);
  GetBool(o, "reuseAddr", &s.reuseAddr);
  GetBool(o, "v6Only", &s.v6Only);
  GetStr(o, "connectAddress", &s.connectAddress);
  if (GetU32(o, "connectPort", &v)) s.connectPort = static_cast<int>(v);
  return (new SocketWork(env, std::move(ns), std::move(s)))->Queue();
}

// socketError(fd) -> pending SO_ERROR (positive errno, 0 if none)
Napi::Value SocketError(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber()) ThrowType(env, "fd must be a number");
  int err = 0;
  socklen_t len = sizeof err;
  if (getsockopt(info[0].As<Napi::Number>().Int32Value(), SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
  return Napi::Number::New(env, err);
}

// Opens device fds on a thread in a namespace: a TUN/TAP (tunOpen) or a macvtap/ipvtap
// character device (tapDevOpen). Resolves with { name, flags, ifindex, fds }.
class DeviceOpenWork : public PromiseWork {
 public:
  using Opener = std::function<SysError(int nsfd, std::vector<UniqueFd>*, std::string*, int* flags, int* ifindex)>;
  DeviceOpenWork(Napi::Env env, NsArg ns, Opener open)
      : PromiseWork(env, "netdev:tun"), ns_(std::move(ns)), open_(std::move(open)) {}
  void Execute() override {
    err_ = ns_.Resolve();
    if (!err_.Failed()) err_ = open_(ns_.ref->Fd(), &fds_, &name_, &flags_, &ifindex_);
  }
  Napi::Value Result(Napi::Env env) override {
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", name_);
    o.Set("flags", flags_);
    o.Set("ifindex", ifindex_);
    Napi::Array fds = Napi::Array::New(env, fds_.size());
    for (size_t i = 0; i < fds_.size(); ++i) fds.Set(static_cast<uint32_t>(i), fds_[i].Get());
    o.Set("fds", fds);
    return o;
  }
  void Delivered(Napi::Env env) override {
    for (UniqueFd& fd : fds_) HandOver(env, &fd);
  }

 private:
  NsArg ns_;
  Opener open_;
  std::vector<UniqueFd> fds_;
  std::string name_;
  int flags_ = 0;
  int ifindex_ = 0;
};

class SysctlWork : public PromiseWork {
 public:
  SysctlWork(Napi::Env env, NsArg ns, std::string path, bool write, std::string value)
      : PromiseWork(env, "netdev:sysctl"),
        ns_(std::move(ns)),
        path_(std::move(path)),
        write_(write),
        value_(std::move(value)) {}
  void Execute() override {
    err_ = ns_.Resolve();
    if (!err_.Failed()) err_ = SysctlAccess(ns_.ref->Fd(), path_, write_ ? &value_ : nullptr, &out_);
  }
  Napi::Value Result(Napi::Env env) override { return Napi::String::New(env, out_); }

 private:
  NsArg ns_;
  std::string path_;
  bool write_;
  std::string value_;
  std::string out_;
};

// sysctl(netns, path[, value]) -> Promise<string> (the file's content, after writing value)
Napi::Value SysctlFn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  NsArg ns = ParseNs(env, info[0]);
  if (!info[1].IsString()) ThrowType(env, "sysctl(netns, path[, value])");
  bool write = info.Length() > 2 && info[2].IsString();
  return (new SysctlWork(env, std::move(ns), info[1].As<Napi::String>().Utf8Value(), write,
                         write ? info[2].As<Napi::String>().Utf8Value() : std::string()))
      ->Queue();
}

// tunOpen(netns, { tap, name, queues, multiQueue, vnetHdr, offload, packetInfo, napi, persist,
// owner, group, carrier, sndbuf, txqlen }) -> Promise<{ name, flags, fds }>
Napi::Value TunOpenFn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  NsArg ns = ParseNs(env, info[0]);
  if (!info[1].IsObject()) ThrowType(env, "tun spec must be an object");
  Napi::Object o = info[1].As<Napi::Object>();
  TunSpec s;
  uint32_t v;
  int32_t i;
  GetBool(o, "tap", &s.tap);
  GetStr(o, "name", &s.name);
  if (GetU32(o, "queues", &v)) s.queues = static_cast<int>(v);
  GetBool(o, "multiQueue", &s.multiQueue);
  GetBool(o, "vnetHdr", &s.vnetHdr);
  if (GetU32(o, "offload", &v)) s.offload = v;
  GetBool(o, "packetInfo", &s.packetInfo);
  GetBool(o, "napi", &s.napi);
  GetBool(o, "persist", &s.persist);
  if (GetI32(o, "owner", &i)) s.owner = i;
  if (GetI32(o, "group", &i)) s.group = i;
  if (GetI32(o, "carrier", &i)) s.carrier = i;
  if (GetI32(o, "sndbuf", &i)) s.sndbuf = i;
  if (GetI32(o, "txqlen", &i)) s.txqlen = i;
  return (new DeviceOpenWork(env, std::move(ns),
                             [s](int nsfd, std::vector<UniqueFd>* fds, std::string* name, int* flags, int*) {
                               return TunOpen(nsfd, s, fds, name, flags);
                             }))
      ->Queue();
}

// monitorOpen(netns, groups[], rcvbuf) -> Promise<{ fds: [fd] }>
Napi::Value MonitorOpenFn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  NsArg ns = ParseNs(env, info[0]);
  if (!info[1].IsArray() || !info[2].IsNumber()) ThrowType(env, "monitorOpen(netns, groups, rcvbuf)");
  Napi::Array a = info[1].As<Napi::Array>();
  std::vector<uint32_t> groups;
  for (uint32_t i = 0; i < a.Length(); ++i) groups.push_back(a.Get(i).As<Napi::Number>().Uint32Value());
  int rcvbuf = info[2].As<Napi::Number>().Int32Value();
  return (new DeviceOpenWork(env, std::move(ns),
                             [groups, rcvbuf](int nsfd, std::vector<UniqueFd>* fds, std::string*, int*, int*) {
                               UniqueFd fd;
                               SysError e = MonitorOpen(nsfd, groups, rcvbuf, &fd);
                               if (!e.Failed()) fds->push_back(std::move(fd));
                               return e;
                             }))
      ->Queue();
}

// tapDevOpen(netns, { link, queues, vnetHdr, offload, sndbuf }) -> Promise<{ name, ifindex, fds }>
Napi::Value TapDevOpenFn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  NsArg ns = ParseNs(env, info[0]);
  if (!info[1].IsObject()) ThrowType(env, "tap spec must be an object");
  Napi::Object o = info[1].As<Napi::Object>();
  TapDevSpec s;
  uint32_t v;
  int32_t i;
  GetStr(o, "link", &s.link);
  if (GetU32(o, "queues", &v)) s.queues = static_cast<int>(v);
  GetBool(o, "vnetHdr", &s.vnetHdr);
  if (GetU32(o, "offload", &v)) s.offload = v;
  if (GetI32(o, "sndbuf", &i)) s.sndbuf = i;
  return (new DeviceOpenWork(env, std::move(ns),
                             [s](int nsfd, std::vector<UniqueFd>* fds, std::string* name, int*, int* ifindex) {
                               *name = s.link;
                               return TapDevOpen(nsfd, s, fds, ifindex);
                             }))
      ->Queue();
}

// tunIoctl(fd, op, value): 'persist' | 'carrier' | 'offload' | 'queue' (quick ioctls on an open fd)
Napi::Value TunIoctl(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber() || !info[1].IsString() || !info[2].IsNumber()) ThrowType(env, "tunIoctl(fd, op, value)");
  int fd = info[0].As<Napi::Number>().Int32Value();
  std::string op = info[1].As<Napi::String>().Utf8Value();
  uint32_t value = info[2].As<Napi::Number>().Uint32Value();
  SysError e;
  if (op == "persist")
    e = TunSetPersist(fd, value != 0);
  else if (op == "carrier")
    e = TunSetCarrier(fd, value != 0);
  else if (op == "offload")
    e = TunSetOffload(fd, value);
  else if (op == "queue")
    e = TunSetQueue(fd, value != 0);
  else
    ThrowType(env, "unknown tun ioctl " + op);
  if (e.Failed()) throw ErrorOf(env, e);
  return env.Undefined();
}

Napi::Object Constants(Napi::Env env) {
  Napi::Object c = Napi::Object::New(env);
#define C(name) c.Set(#name, Napi::Number::New(env, name))
  C(RTM_NEWLINK);
  C(RTM_DELLINK);
  C(RTM_GETLINK);
  C(RTM_SETLINK);
  C(RTM_NEWADDR);
  C(RTM_DELADDR);
  C(RTM_GETADDR);
  C(TUN_F_CSUM);
  C(TUN_F_TSO4);
  C(TUN_F_TSO6);
  C(TUN_F_TSO_ECN);
  // USO (Linux 6.2+): the values of <linux/if_tun.h>, for builds against older headers.
#ifndef TUN_F_USO4
#define TUN_F_USO4 0x20
#endif
#ifndef TUN_F_USO6
#define TUN_F_USO6 0x40
#endif
  C(TUN_F_USO4);
  C(TUN_F_USO6);
  C(IFF_PERSIST);
  C(IFF_MULTI_QUEUE);
  C(IFF_VNET_HDR);
  C(IFF_NO_PI);
  C(IFF_TAP);
  C(RTM_NEWNEIGH);
  C(RTM_DELNEIGH);
  C(RTM_GETNEIGH);
  C(NUD_PERMANENT);
  C(NUD_NOARP);
  C(NUD_REACHABLE);
  C(NUD_STALE);
  C(NTF_SELF);
  C(NTF_MASTER);
  C(NTF_USE);
  C(NTF_EXT_LEARNED);
  C(NTF_STICKY);
  C(RTEXT_FILTER_BRVLAN);
  C(BRIDGE_FLAGS_SELF);
  C(BRIDGE_FLAGS_MASTER);
  C(NLM_F_CREATE);
  C(NLM_F_EXCL);
  C(NLM_F_REPLACE);
  C(NLM_F_APPEND);
  C(NLM_F_DUMP);
  C(AF_UNSPEC);
  C(AF_INET);
  C(AF_INET6);
  C(AF_BRIDGE);
  C(SOCK_STREAM);
  C(SOCK_DGRAM);
  C(IFA_F_NODAD);
  C(IFA_F_NOPREFIXROUTE);
  C(IFA_F_HOMEADDRESS);
  C(IFA_F_MANAGETEMPADDR);
  C(IFA_F_PERMANENT);
  C(IFA_F_MCAUTOJOIN);
  C(RT_SCOPE_UNIVERSE);
  C(RT_SCOPE_SITE);
  C(RT_SCOPE_LINK);
  C(RT_SCOPE_HOST);
  C(RT_SCOPE_NOWHERE);
  C(RTEXT_FILTER_VF);
  C(RTEXT_FILTER_SKIP_STATS);
  C(ETH_P_8021Q);
  C(ETH_P_8021AD);
  C(RTM_NEWROUTE);
  C(RTM_DELROUTE);
  C(RTM_GETROUTE);
  C(RTM_NEWRULE);
  C(RTM_DELRULE);
  C(RTM_GETRULE);
  C(RTM_NEWNSID);
  C(RTM_DELNSID);
  C(RTM_GETNSID);
  C(RTN_UNSPEC);
  C(RTN_UNICAST);
  C(RTN_LOCAL);
  C(RTN_BROADCAST);
  C(RTN_ANYCAST);
  C(RTN_MULTICAST);
  C(RTN_BLACKHOLE);
  C(RTN_UNREACHABLE);
  C(RTN_PROHIBIT);
  C(RTN_THROW);
  C(RTN_NAT);
  C(RTPROT_UNSPEC);
  C(RTPROT_REDIRECT);
  C(RTPROT_KERNEL);
  C(RTPROT_BOOT);
  C(RTPROT_STATIC);
  C(RTPROT_RA);
  C(RTPROT_DHCP);
  C(RT_TABLE_UNSPEC);
  C(RT_TABLE_DEFAULT);
  C(RT_TABLE_MAIN);
  C(RT_TABLE_LOCAL);
  C(RTNH_F_DEAD);
  C(RTNH_F_PERVASIVE);
  C(RTNH_F_ONLINK);
  C(RTNH_F_OFFLOAD);
  C(RTNH_F_LINKDOWN);
  C(RTNH_F_UNRESOLVED);
  C(RTM_F_NOTIFY);
  C(RTM_F_CLONED);
  C(RTM_F_LOOKUP_TABLE);
  C(RTM_F_FIB_MATCH);
  C(FR_ACT_TO_TBL);
  C(FR_ACT_GOTO);
  C(FR_ACT_NOP);
  C(FR_ACT_BLACKHOLE);
  C(FR_ACT_UNREACHABLE);
  C(FR_ACT_PROHIBIT);
  C(FIB_RULE_INVERT);
  C(NTF_PROXY);
  C(NTF_ROUTER);
  C(NUD_INCOMPLETE);
  C(NUD_DELAY);
  C(NUD_PROBE);
  C(NUD_FAILED);
  C(NUD_NONE);
  C(NETNSA_NSID_NOT_ASSIGNED);
  C(RTNLGRP_LINK);
  C(RTNLGRP_NEIGH);
  C(RTNLGRP_IPV4_IFADDR);
  C(RTNLGRP_IPV6_IFADDR);
  C(RTNLGRP_IPV4_ROUTE);
  C(RTNLGRP_IPV6_ROUTE);
  C(RTNLGRP_IPV4_RULE);
  C(RTNLGRP_IPV6_RULE);
  C(RTNLGRP_NSID);
  C(UV_READABLE);
  C(UV_WRITABLE);
  C(UV_DISCONNECT);
#undef C
  return c;
}

}  // namespace

#ifdef NETDEV_FUZZ
void InitFuzz(Napi::Env env, Napi::Object exports);
#endif

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  EnvState::Create(env);
  exports.Set("NetnsHandle", NetnsHandle::Init(env));
  exports.Set("Poller", Poller::Init(env));
  exports.Set("PacketQueue", PacketQueue::Init(env));
  exports.Set("Monitor", Monitor::Init(env));
  exports.Set("monitorOpen", Napi::Function::New<MonitorOpenFn>(env, "monitorOpen"));
  exports.Set("tunOpen", Napi::Function::New<TunOpenFn>(env, "tunOpen"));
  exports.Set("tunIoctl", Napi::Function::New<TunIoctl>(env, "tunIoctl"));
  exports.Set("tapDevOpen", Napi::Function::New<TapDevOpenFn>(env, "tapDevOpen"));
  exports.Set("sysctl", Napi::Function::New<SysctlFn>(env, "sysctl"));
  exports.Set("rtnl", Napi::Function::New<Rtnl>(env, "rtnl"));
  exports.Set("rtnlDump", Napi::Function::New<RtnlDump>(env, "rtnlDump"));
  exports.Set("netlink", Napi::Function::New<Netlink>(env, "netlink"));
  exports.Set("encode", Napi::Function::New<Encode>(env, "encode"));
  exports.Set("decode", Napi::Function::New<Decode>(env, "decode"));
  exports.Set("decodeError", Napi::Function::New<DecodeError>(env, "decodeError"));
  exports.Set("netnsCreate", Napi::Function::New<NetnsCreate>(env, "netnsCreate"));
  exports.Set("netnsOpen", Napi::Function::New<NetnsOpen>(env, "netnsOpen"));
  exports.Set("netnsDelete", Napi::Function::New<NetnsDelete>(env, "netnsDelete"));
  exports.Set("netnsFromFd", Napi::Function::New<NetnsFromFd>(env, "netnsFromFd"));
  exports.Set("netnsCurrent", Napi::Function::New<NetnsCurrent>(env, "netnsCurrent"));
  exports.Set("socketOpen", Napi::Function::New<SocketOpen>(env, "socketOpen"));
  exports.Set("socketError", Napi::Function::New<SocketError>(env, "socketError"));
  exports.Set("constants", Constants(env));
  exports.Set("linkTables", LinkTables(env));
  exports.Set("kindTables", KindTables(env));
#ifdef NETDEV_FUZZ
  InitFuzz(env, exports);  // the fuzzing variant only (native/CMakeLists.txt, native/fuzz/driver.cc)
#endif
  return exports;
}

}  // namespace

}  // namespace netdev

static Napi::Object InitAll(Napi::Env env, Napi::Object exports) { return netdev::Init(env, exports); }

NODE_API_MODULE(netdev, InitAll)
