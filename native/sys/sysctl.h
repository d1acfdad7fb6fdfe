// Network sysctls read and written inside a namespace: /proc/sys/net/… resolves to the tables of
// the network namespace of the thread that opens it, so the file is opened on a short-lived thread
// in that namespace.
#pragma once

#include <string>

#include "base/common.h"

namespace netdev {

// path is relative to /proc/sys (e.g. "net/ipv4/ip_forward"), already validated by lib/; it is
// checked again here (must start with "net/", no "." or ".." component). With value, writes it
// first; then reads the file back into *out.
SysError SysctlAccess(int nsfd, const std::string& path, const std::string* value, std::string* out);

}  // namespace netdev
