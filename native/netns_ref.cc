#include "netns_ref.h"

#include <sys/stat.h>

namespace netdev {

NetnsRef::NetnsRef(UniqueFd fd) : fd_(std::move(fd)) {
  struct stat st;
  if (fstat(fd_.Get(), &st) == 0) {
    inode_ = st.st_ino;
    dev_ = st.st_dev;
  }
}

SysError NetnsRef::Acquire(std::unique_ptr<NlSocket>* out) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      *out = std::move(idle_.back());
      idle_.pop_back();
      return {};
    }
  }
  return NlSocket::Open(fd_.Get(), out);
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
