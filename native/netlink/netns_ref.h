// One open network namespace plus a small pool of netlink sockets bound to it (per protocol). Shared (by
// shared_ptr) between the JS handle and in-flight work, so closing the handle while a request is
// running is safe: the fd and sockets go away when the last user drops them.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "base/common.h"
#include "netlink/nlsock.h"

namespace netdev {

class NetnsRef {
 public:
  explicit NetnsRef(UniqueFd fd);
  int Fd() const { return fd_.Get(); }
  unsigned long Inode() const { return inode_; }
  unsigned long Dev() const { return dev_; }

  // Takes an idle socket of `protocol` or opens a new one inside the namespace.
  SysError Acquire(std::unique_ptr<NlSocket>* out, int protocol = NETLINK_ROUTE);
  // Returns a socket; an unhealthy one, or one released after Close(), is closed instead.
  void Release(std::unique_ptr<NlSocket> s);
  // Drops the idle sockets; the namespace fd itself closes with the last reference.
  void Close();

 private:
  static constexpr size_t kMaxIdle = 8;
  UniqueFd fd_;
  unsigned long inode_ = 0;
  unsigned long dev_ = 0;
  std::mutex mu_;
  std::vector<std::unique_ptr<NlSocket>> idle_;
  bool closed_ = false;
};

}  // namespace netdev
