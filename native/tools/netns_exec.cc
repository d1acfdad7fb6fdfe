// netdev-exec: the program netdev's spawn() runs to start a command inside a network namespace,
// as `ip netns exec` does, without a shell. Node starts it with the namespace open on fd N:
//
//   netdev-exec --fd N [--name NAME] [--sys|--no-sys] -- COMMAND [ARG…]
//
// It enters the namespace (setns), and for a named namespace (or --sys) gives itself a mount
// namespace of its own (no propagation back) with sysfs remounted for that network namespace and
// the files of /etc/netns/NAME bound over their /etc counterparts, exactly like `ip netns exec`.
// Then it closes fd N and execs COMMAND (PATH searched). If that fails it writes
// "netdev-exec: <errno name>: <what>" on stderr and exits 127 (not found) or 126.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

[[noreturn]] void Fail(int err, const std::string& what) {
  std::fprintf(stderr, "netdev-exec: %s: %s: %s\n", strerrorname_np(err) ? strerrorname_np(err) : "E?", what.c_str(),
               strerror(err));
  _exit(err == ENOENT ? 127 : 126);
}

bool ValidName(const std::string& n) {
  return !n.empty() && n.size() < 256 && n.find('/') == std::string::npos && n != "." && n != "..";
}

// `ip netns exec`'s mount behaviour (iproute2 lib/namespace.c netns_switch + bind_etc).
void MountsFor(const std::string& name, bool sys) {
  if (unshare(CLONE_NEWNS) != 0) Fail(errno, "unshare(CLONE_NEWNS)");
  if (mount("", "/", "none", MS_SLAVE | MS_REC, nullptr) != 0) Fail(errno, "mount --make-rslave /");
  if (sys) {
    unsigned long flags = 0;
    struct statvfs fsstat;
    if (statvfs("/sys", &fsstat) == 0 && (fsstat.f_flag & ST_RDONLY)) flags |= MS_RDONLY;
    if (umount2("/sys", MNT_DETACH) != 0 && errno != EINVAL) Fail(errno, "umount /sys");
    if (mount(name.empty() ? "sysfs" : name.c_str(), "/sys", "sysfs", flags, nullptr) != 0) {
      // Without the right to mount sysfs (a user namespace that does not own this network
      // namespace), ip keeps the old one: so do we, read-only view of the caller's.
    }
  }
  if (name.empty()) return;
  std::string etc = "/etc/netns/" + name;
  DIR* d = opendir(etc.c_str());
  if (!d) return;
  while (dirent* e = readdir(d)) {
    std::string entry = e->d_name;
    if (entry == "." || entry == "..") continue;
    std::string from = etc + "/" + entry, to = "/etc/" + entry;
    if (mount(from.c_str(), to.c_str(), "none", MS_BIND, nullptr) != 0)
      std::fprintf(stderr, "netdev-exec: bind %s -> %s failed: %s\n", from.c_str(), to.c_str(), strerror(errno));
  }
  closedir(d);
}

}  // namespace

int main(int argc, char** argv) {
  int fd = -1;
  std::string name;
  int sys = -1;  // -1: as ip does (named namespaces only)
  int i = 1;
  for (; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--") {
      ++i;
      break;
    } else if (a == "--fd" && i + 1 < argc) {
      fd = std::atoi(argv[++i]);
    } else if (a == "--name" && i + 1 < argc) {
      name = argv[++i];
    } else if (a == "--sys") {
      sys = 1;
    } else if (a == "--no-sys") {
      sys = 0;
    } else {
      Fail(EINVAL, "usage: netdev-exec --fd N [--name NAME] [--sys|--no-sys] -- COMMAND [ARG...]");
    }
  }
  if (fd < 3 || i >= argc) Fail(EINVAL, "usage: netdev-exec --fd N [--name NAME] [--sys|--no-sys] -- COMMAND [ARG...]");
  if (!name.empty() && !ValidName(name)) Fail(EINVAL, "namespace name " + name);
  if (setns(fd, CLONE_NEWNET) != 0) Fail(errno, "setns");
  close(fd);
  bool doSys = sys == -1 ? !name.empty() : sys == 1;
  if (doSys || !name.empty()) MountsFor(name, doSys);
  execvp(argv[i], argv + i);
  Fail(errno, argv[i]);
}
