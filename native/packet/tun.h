// TUN/TAP device control (/dev/net/tun ioctls; TUN/TAP cannot be created through rtnetlink).
#pragma once

#include <string>
#include <vector>

#include "base/common.h"

namespace netdev {

struct TunSpec {
  bool tap = false;
  std::string name;  // a name, a template like "tap%d", or empty (kernel picks tunN/tapN)
  int queues = 1;    // > 1: IFF_MULTI_QUEUE, one fd per queue
  bool multiQueue = false;
  bool vnetHdr = false;     // IFF_VNET_HDR
  unsigned offload = 0;     // TUNSETOFFLOAD flags (TUN_F_*); 0 clears (the mask survives re-attach)
  bool packetInfo = false;  // without IFF_NO_PI: each packet carries struct tun_pi
  bool napi = false;
  bool persist = false;
  long owner = -1;          // TUNSETOWNER uid
  long group = -1;          // TUNSETGROUP gid
  int carrier = -1;         // TUNSETCARRIER 0/1; -1 leaves it
  int sndbuf = -1;          // TUNSETSNDBUF bytes (device-wide); -1 leaves it
  int txqlen = -1;          // SIOCSIFTXQLEN, as given (the kernel refuses < 0); -1 leaves it
  bool nonBlocking = true;  // O_NONBLOCK after TUNSETIFF (the fd does not poll before)
};

// Opens (or attaches to) a TUN/TAP device inside the namespace behind nsfd (-1: the caller's):
// /dev/net/tun is opened on a thread in that namespace, which decides where the device lives.
SysError TunOpen(int nsfd, const TunSpec& spec, std::vector<UniqueFd>* fds, std::string* name, int* flags);

// Makes a device persistent or not (TUNSETPERSIST) through one of its fds.
SysError TunSetPersist(int fd, bool on);
SysError TunSetCarrier(int fd, bool on);
SysError TunSetOffload(int fd, unsigned flags);
// Multi-queue: attach (true) or detach (false) this fd's queue (TUNSETQUEUE).
SysError TunSetQueue(int fd, bool attach);

}  // namespace netdev
