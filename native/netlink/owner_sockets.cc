#include "netlink/owner_sockets.h"

#include <utility>

namespace netdev {

SysError OwnerSockets::Acquire(NetnsRef& ns, int protocol, Held* out) {
  std::shared_ptr<Owned> o;
  {
    std::lock_guard<std::mutex> lock(mu_);
    std::shared_ptr<Owned>& slot = owned_[Key{ns.Dev(), ns.Inode(), protocol}];
    if (!slot) slot = std::make_shared<Owned>();
    o = slot;
  }
  std::unique_lock<std::mutex> lock(o->mu);
  // A socket left unusable by a failure (its replies lost) is replaced: what it owned is gone
  // with it, which the caller learns from the failure that broke it.
  if (o->sock && !o->sock->Healthy()) o->sock.reset();
  if (!o->sock) {
    SysError e = NlSocket::Open(ns.Fd(), protocol, &o->sock);
    if (e.Failed()) return e;
  }
  out->sock = o->sock.get();
  out->lock = std::move(lock);
  out->keep = std::move(o);  // a Drop() racing with this holder waits for the lock, then frees the socket
  return {};
}

bool OwnerSockets::Drop(const NetnsRef& ns, int protocol) {
  std::shared_ptr<Owned> o;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = owned_.find(Key{ns.Dev(), ns.Inode(), protocol});
    if (it == owned_.end()) return false;
    o = std::move(it->second);
    owned_.erase(it);
  }
  std::lock_guard<std::mutex> lock(o->mu);  // waits for a holder to finish
  bool had = o->sock != nullptr;
  o->sock.reset();
  return had;
}

void OwnerSockets::Clear() {
  std::map<Key, std::shared_ptr<Owned>> all;
  {
    std::lock_guard<std::mutex> lock(mu_);
    all.swap(owned_);
  }
  for (auto& [key, o] : all) {
    std::lock_guard<std::mutex> lock(o->mu);
    o->sock.reset();
  }
}

}  // namespace netdev
