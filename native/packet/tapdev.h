// The character device of a macvtap/ipvtap link (/dev/tapN): opened from inside the link's
// namespace, whatever devtmpfs or udev made of the node.
#pragma once

#include <string>
#include <vector>

#include "base/common.h"

namespace netdev {

struct TapDevSpec {
  std::string link;      // the macvtap/ipvtap link's name in its namespace
  int queues = 1;        // one fd per queue (IFF_MULTI_QUEUE when > 1)
  bool vnetHdr = false;  // IFF_VNET_HDR (the kernel's default for these devices is on: cleared unless asked)
  unsigned offload = 0;  // TUNSETOFFLOAD flags; 0 clears
  int sndbuf = -1;       // TUNSETSNDBUF bytes; -1 leaves it
};

// On a short-lived thread in the namespace behind nsfd and in a private mount namespace of its own:
// mounts that namespace's sysfs to read the link's device number from
// /sys/class/net/LINK/tapIFINDEX/dev, then opens the device through a node made in a private
// tmpfs (mknod, needs CAP_MKNOD), or else through /dev/tapIFINDEX once its device number is checked
// to be that one (devtmpfs names are not per namespace). Nothing is mounted outside that thread.
SysError TapDevOpen(int nsfd, const TapDevSpec& spec, std::vector<UniqueFd>* fds, int* ifindex);

}  // namespace netdev
