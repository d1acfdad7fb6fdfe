// Network namespaces: create (anonymous or named, iproute2-compatible), delete, open, and run a
// piece of work on a short-lived thread that has entered a namespace. The calling thread's
// namespace is never changed.
#pragma once

#include <functional>
#include <string>

#include "base/common.h"

namespace netdev {

// Runs fn on a new thread that first enters the network namespace behind nsfd; the thread exits
// afterwards, so no thread is ever left in a foreign namespace. nsfd < 0 runs fn on a new thread in
// the process's namespace.
SysError RunInNetns(int nsfd, const std::function<SysError()>& fn);

// Creates an anonymous namespace: it lives as long as *out (or another reference) is open.
SysError CreateAnonymousNetns(UniqueFd* out);

// `ip netns add NAME`: makes dir a shared mount point, creates dir/name and bind-mounts a new
// namespace on it. *out receives an fd for the new namespace.
SysError CreateNamedNetns(const std::string& dir, const std::string& name, UniqueFd* out);

// `ip netns delete NAME`: lazily unmounts and removes dir/name.
SysError DeleteNamedNetns(const std::string& path);

// Opens path (e.g. /run/netns/NAME or /proc/PID/ns/net) and checks it is a network namespace.
SysError OpenNetnsPath(const std::string& path, UniqueFd* out);

// Duplicates fd (close-on-exec) after checking it refers to a network namespace.
SysError DupNetnsFd(int fd, UniqueFd* out);

// Opens the namespace of the calling thread.
SysError OpenCurrentNetns(UniqueFd* out);

}  // namespace netdev
