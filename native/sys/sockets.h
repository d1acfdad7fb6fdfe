// Internet sockets created inside a network namespace (the socket stays bound to the namespace it
// was created in, whatever thread later uses it), handed to Node as plain fds.
#pragma once

#include <string>

#include "base/common.h"

namespace netdev {

struct SocketSpec {
  int family = 0;           // AF_INET / AF_INET6
  int type = 0;             // SOCK_STREAM / SOCK_DGRAM
  std::string bindAddress;  // empty: no bind
  int bindPort = 0;
  bool reuseAddr = false;
  bool v6Only = false;
  std::string connectAddress;  // empty: no connect (a non-blocking connect is started)
  int connectPort = 0;
};

// Creates (inside the namespace behind nsfd), binds and/or starts connecting a non-blocking socket.
SysError OpenSocketIn(int nsfd, const SocketSpec& spec, UniqueFd* out);

}  // namespace netdev
