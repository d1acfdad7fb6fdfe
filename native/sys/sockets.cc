#include "sys/sockets.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

#include "sys/netns.h"

namespace netdev {

namespace {

bool MakeAddr(int family, const std::string& addr, int port, sockaddr_storage* ss, socklen_t* len) {
  std::memset(ss, 0, sizeof *ss);
  if (family == AF_INET) {
    auto* sin = reinterpret_cast<sockaddr_in*>(ss);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(static_cast<uint16_t>(port));
    if (inet_pton(AF_INET, addr.c_str(), &sin->sin_addr) != 1) return false;
    *len = sizeof *sin;
  } else {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(ss);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(static_cast<uint16_t>(port));
    if (inet_pton(AF_INET6, addr.c_str(), &sin6->sin6_addr) != 1) return false;
    *len = sizeof *sin6;
  }
  return true;
}

}  // namespace

SysError OpenSocketIn(int nsfd, const SocketSpec& spec, UniqueFd* out) {
  UniqueFd fd;
  SysError e = RunInNetns(nsfd, [&]() -> SysError {
    int s = socket(spec.family, spec.type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (s < 0) return SysError::Errno("socket");
    fd.Reset(s);
    return {};
  });
  if (e.Failed()) return e;
  int one = 1;
  if (spec.reuseAddr) setsockopt(fd.Get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (spec.family == AF_INET6 && spec.v6Only) setsockopt(fd.Get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  sockaddr_storage ss;
  socklen_t len;
  if (!spec.bindAddress.empty()) {
    if (!MakeAddr(spec.family, spec.bindAddress, spec.bindPort, &ss, &len))
      return SysError::Of(EINVAL, "bind", "bad bind address");
    if (bind(fd.Get(), reinterpret_cast<sockaddr*>(&ss), len) != 0) return SysError::Errno("bind");
  }
  if (!spec.connectAddress.empty()) {
    if (!MakeAddr(spec.family, spec.connectAddress, spec.connectPort, &ss, &len))
      return SysError::Of(EINVAL, "connect", "bad address");
    int r;
    do {
      r = connect(fd.Get(), reinterpret_cast<sockaddr*>(&ss), len);
    } while (r != 0 && errno == EINTR);
    if (r != 0 && errno != EINPROGRESS) return SysError::Errno("connect");
  }
  *out = std::move(fd);
  return {};
}

}  // namespace netdev
