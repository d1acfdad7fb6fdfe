// fds the addon hands to JavaScript (a socket, a TUN queue, a monitor socket) stay on record with
// the environment that received them, by identity (device and inode): when the environment ends
// (a worker terminated anywhere, even between a promise's resolution and the code that would have
// wrapped the fd), every recorded fd that still is the file handed over is closed with it. An fd
// taken by a native owner (PacketQueue, Monitor) is claimed: from then on it is that owner's.
#pragma once

#include <node_api.h>
#include <sys/types.h>

#include <unordered_map>
#include <utility>

namespace netdev {

class HandedOver {
 public:
  HandedOver() = default;
  HandedOver(const HandedOver&) = delete;
  HandedOver& operator=(const HandedOver&) = delete;
  // Closes what is still the file that was handed over (the environment's handles are closed by
  // then: nothing in it can still use these; a number closed and reused elsewhere is left alone).
  ~HandedOver();
  // Records fd (open) as handed over. Entries closed since are swept now and then.
  void Add(int fd);
  // fd now belongs to a native owner.
  void Claim(int fd) { fds_.erase(fd); }
  size_t Size() const { return fds_.size(); }

 private:
  using Identity = std::pair<dev_t, ino_t>;
  static bool Same(int fd, const Identity& id);
  void Sweep();
  std::unordered_map<int, Identity> fds_;
  size_t sweepAt_ = 64;
};

// The record of the environment env (defined in env_state.cc, which owns per-environment state).
HandedOver* HandedOverOf(napi_env env);

}  // namespace netdev
