#include "netlink/owner_sockets.h"

#include <arpa/inet.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include <cstring>
#include <utility>

#include "netlink/nlmsg.h"

namespace netdev {

SysError OwnerSockets::Acquire(NetnsRef& ns, int protocol, Held* out) {
  for (;;) {
    std::shared_ptr<Owned> o;
    {
      std::lock_guard<std::mutex> lock(mu_);
      std::shared_ptr<Owned>& slot = owned_[Key{ns.Dev(), ns.Inode(), protocol}];
      if (!slot) slot = std::make_shared<Owned>();
      o = slot;
    }
    std::unique_lock<std::mutex> lock(o->mu);
    // Dropped while this waited for it: a socket opened in it would close with the last holder,
    // taking what it made along. Look the slot up again.
    if (o->dropped) continue;
    // Never replaced: closing it would delete every table it owns. A failure that left it unusable
    // is reported by the operation it happened in, and the next one sees it fail again.
    if (!o->sock) {
      SysError e = NlSocket::Open(ns.Fd(), protocol, &o->sock);
      if (e.Failed()) return e;
    }
    out->sock = o->sock.get();
    out->lock = std::move(lock);
    out->keep = std::move(o);  // a Drop() racing with this holder waits for the lock, then frees the socket
    return {};
  }
}

uint32_t OwnerSockets::Portid(const NetnsRef& ns, int protocol) {
  std::shared_ptr<Owned> o;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = owned_.find(Key{ns.Dev(), ns.Inode(), protocol});
    if (it == owned_.end()) return 0;
    o = it->second;
  }
  std::lock_guard<std::mutex> lock(o->mu);
  return o->sock ? o->sock->Portid() : 0;
}

namespace {
// Whether any nf_tables table of the namespace names `portid` as its owner (a GETTABLE dump).
SysError OwnsTables(NlSocket* sock, uint32_t portid, bool* owns) {
  std::vector<uint8_t> req(NLMSG_HDRLEN + sizeof(nfgenmsg), 0);
  auto* h = reinterpret_cast<nlmsghdr*>(req.data());
  h->nlmsg_len = static_cast<uint32_t>(req.size());
  h->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETTABLE;
  auto* g = reinterpret_cast<nfgenmsg*>(req.data() + NLMSG_HDRLEN);
  g->nfgen_family = AF_UNSPEC;
  g->version = NFNETLINK_V0;
  NlResult r;
  SysError e = sock->Dump(&req, &r);
  if (e.Failed()) return e;
  if (r.errnum) return SysError::Of(r.errnum, "nftables", "listing the tables");
  *owns = false;
  std::vector<MsgView> views;
  if (!SplitMessages(r.messages.data(), r.messages.size(), &views))
    return SysError::Of(EPROTO, "nftables", "malformed table dump");
  for (const MsgView& m : views) {
    if (m.payloadLen < sizeof(nfgenmsg)) continue;
    AttrIter it(m.payload + sizeof(nfgenmsg), m.payloadLen - sizeof(nfgenmsg));
    AttrView a;
    while (it.Next(&a)) {
      uint32_t be;
      if (a.type != NFTA_TABLE_OWNER || a.len < sizeof be) continue;
      std::memcpy(&be, a.data, sizeof be);
      if (ntohl(be) == portid) *owns = true;
    }
  }
  return {};
}
}  // namespace

SysError OwnerSockets::DropIfUnused(const NetnsRef& ns, int protocol, bool* dropped) {
  *dropped = false;
  std::shared_ptr<Owned> o;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = owned_.find(Key{ns.Dev(), ns.Inode(), protocol});
    if (it == owned_.end()) return {};
    o = it->second;
  }
  // Checked and dropped under the socket's lock: no batch can make a table in between.
  std::lock_guard<std::mutex> lock(o->mu);
  if (o->dropped || !o->sock) return {};
  bool owns = true;
  SysError e = OwnsTables(o->sock.get(), o->sock->Portid(), &owns);
  if (e.Failed() || owns) return e;
  {
    std::lock_guard<std::mutex> mapLock(mu_);
    auto it = owned_.find(Key{ns.Dev(), ns.Inode(), protocol});
    if (it != owned_.end() && it->second == o) owned_.erase(it);
  }
  o->dropped = true;
  o->sock.reset();
  *dropped = true;
  return {};
}

}  // namespace netdev
