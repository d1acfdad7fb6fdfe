#include "napi/handover.h"

#include <sys/stat.h>
#include <unistd.h>

namespace netdev {

bool HandedOver::Same(int fd, const Identity& id) {
  struct stat st;
  return fstat(fd, &st) == 0 && st.st_dev == id.first && st.st_ino == id.second;
}

HandedOver::~HandedOver() {
  for (const auto& [fd, id] : fds_)
    if (Same(fd, id)) ::close(fd);
}

void HandedOver::Add(int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0) return;
  fds_[fd] = {st.st_dev, st.st_ino};  // a reused number replaces the entry of the closed one
  if (fds_.size() >= sweepAt_) Sweep();
}

void HandedOver::Sweep() {
  for (auto it = fds_.begin(); it != fds_.end();) {
    if (Same(it->first, it->second))
      ++it;
    else
      it = fds_.erase(it);
  }
  sweepAt_ = fds_.size() * 2 > 64 ? fds_.size() * 2 : 64;
}

}  // namespace netdev
