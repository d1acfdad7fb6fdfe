// Netlink sockets that own kernel objects: an nf_tables table made with NFT_TABLE_F_OWNER belongs
// to the socket that made it, only that socket may change it, and the kernel deletes it when the
// socket closes (however the process ends). One such socket per namespace and protocol, kept
// for the environment's life (a worker's go with the worker) or until dropped, never pooled.
#pragma once

#include <sys/types.h>

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
  // Closes that socket, if any (everything it owns goes with it); false when there was none.
  bool Drop(const NetnsRef& ns, int protocol);
  // Closes them all.
  void Clear();

 private:
  struct Owned {
    std::mutex mu;
    std::unique_ptr<NlSocket> sock;
  };
  using Key = std::tuple<unsigned long, unsigned long, int>;  // namespace dev, inode; protocol
  std::mutex mu_;
  std::map<Key, std::shared_ptr<Owned>> owned_;
};

}  // namespace netdev
