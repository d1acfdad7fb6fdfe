#include "netlink/netns_ref.h"

#include <sys/stat.h>

#include <iterator>

namespace netdev {

NetnsRef::NetnsRef(UniqueFd fd) : fd_(std::move(fd)) {
  struct stat st;
  if (fstat(fd_.Get(), &st) == 0) {
    inode_ = st.st_ino;
    dev_ = st.st_dev;
  }
}

SysError NetnsRef::Acquire(std::unique_ptr<NlSocket>* out, int protocol) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = idle_.rbegin(); it != idle_.rend(); ++it) {
      if ((*it)->Protocol() != protocol) continue;
      *out = std::move(*it);
      idle_.erase(std::next(it).base());
      return {};
    }
  }
  return NlSocket::Open(fd_.Get(), protocol, out);
}

void NetnsRef::Release(std::unique_ptr<NlSocket> s) {
  if (!s || !s->Healthy()) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (!closed_ && idle_.size() < kMaxIdle) idle_.push_back(std::move(s));
}

void NetnsRef::Close() {
  std::vector<std::unique_ptr<NlSocket>> drop;
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    drop.swap(idle_);
  }
}

}  // namespace netdev
