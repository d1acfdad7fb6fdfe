// Netlink sockets that own kernel objects: an nf_tables table made with NFT_TABLE_F_OWNER belongs
// to the socket that made it, only that socket may change it, and the kernel deletes it when the
// socket closes (however the process ends). One such socket per namespace and protocol, kept
// for the environment's life (a worker's go with the worker) or until dropped, never pooled.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <tuple>

#include "netlink/netns_ref.h"
#include "netlink/nlsock.h"

namespace netdev {

class OwnerSockets {
 public:
  // A socket held for exclusive use while the lock lives.
  struct Held {
    std::shared_ptr<void> keep;  // the socket's slot, alive while held (declared first: freed last)
    std::unique_lock<std::mutex> lock;
    NlSocket* sock = nullptr;
  };
  // The socket of `protocol` for the namespace of ns, opened on first use.
  SysError Acquire(NetnsRef& ns, int protocol, Held* out);
  // The netlink port id of that socket (what a table's NFTA_TABLE_OWNER names), 0 when there is none.
  uint32_t Portid(const NetnsRef& ns, int protocol);
  // Closes that socket when no table of the namespace names it as owner any more (a dump on it,
  // under its lock): it would otherwise hold the namespace and an fd for nothing.
  SysError DropIfUnused(const NetnsRef& ns, int protocol, bool* dropped);

 private:
  struct Owned {
    std::mutex mu;
    std::unique_ptr<NlSocket> sock;
    bool dropped = false;  // out of the map: no socket may be opened in it any more
  };
  using Key = std::tuple<unsigned long, unsigned long, int>;  // namespace dev, inode; protocol
  std::mutex mu_;
  std::map<Key, std::shared_ptr<Owned>> owned_;
};

}  // namespace netdev
