#include "sys/sysctl.h"

#include <fcntl.h>
#include <unistd.h>

#include "sys/netns.h"

namespace netdev {

namespace {

bool SafePath(const std::string& p) {
  if (p.rfind("net/", 0) != 0 || p.size() > 512) return false;
  size_t start = 0;
  while (start <= p.size()) {
    size_t end = p.find('/', start);
    if (end == std::string::npos) end = p.size();
    std::string part = p.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = end + 1;
  }
  return p.find('\0') == std::string::npos;
}

}  // namespace

SysError SysctlAccess(int nsfd, const std::string& path, const std::string* value, std::string* out) {
  if (!SafePath(path)) return SysError::Of(EINVAL, "open", "not a net sysctl path: " + path);
  const std::string full = "/proc/sys/" + path;
  return RunInNetns(nsfd, [&]() -> SysError {
    if (value) {
      UniqueFd w(open(full.c_str(), O_WRONLY | O_CLOEXEC));
      if (!w.Valid()) {
        SysError e = SysError::Errno("open");
        e.path = full;
        return e;
      }
      std::string v = *value + "\n";
      ssize_t n;
      do {
        n = write(w.Get(), v.data(), v.size());
      } while (n < 0 && errno == EINTR);
      if (n < 0) {
        SysError e = SysError::Errno("write");
        e.path = full;
        return e;
      }
    }
    UniqueFd r(open(full.c_str(), O_RDONLY | O_CLOEXEC));
    // Write-only sysctls (net.ipv4.route.flush, mode 0200): written, nothing to read back.
    if (!r.Valid() && value && errno == EACCES) {
      out->clear();
      return {};
    }
    if (!r.Valid()) {
      SysError e = SysError::Errno("open");
      e.path = full;
      return e;
    }
    char buf[4096];
    out->clear();
    for (;;) {
      ssize_t n = read(r.Get(), buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        SysError e = SysError::Errno("read");
        e.path = full;
        return e;
      }
      if (n == 0 || out->size() > 1 << 20) break;
      out->append(buf, static_cast<size_t>(n));
    }
    return {};
  });
}

}  // namespace netdev
