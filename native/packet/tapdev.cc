#include "packet/tapdev.h"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "sys/netns.h"

namespace netdev {

namespace {

SysError WithPath(SysError e, const std::string& path) {
  e.path = path;
  return e;
}

// Reads a short sysfs attribute ("12\n", "240:3\n") and parses it with `format`.
SysError ReadSysfs(const std::string& path, const char* format, unsigned* a, unsigned* b = nullptr) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.Valid()) return WithPath(SysError::Errno("open"), path);
  char buf[32] = {};
  ssize_t n = read(fd.Get(), buf, sizeof buf - 1);
  if (n <= 0 || std::sscanf(buf, format, a, b) != (b ? 2 : 1)) return WithPath(SysError::Of(EIO, "read"), path);
  return {};
}

// Opens a character device node and checks it is the device `want`.
SysError OpenChecked(const std::string& path, dev_t want, UniqueFd* out) {
  UniqueFd fd(open(path.c_str(), O_RDWR | O_CLOEXEC | O_NONBLOCK));
  if (!fd.Valid()) return WithPath(SysError::Errno("open"), path);
  struct stat st;
  if (fstat(fd.Get(), &st) != 0) return WithPath(SysError::Errno("fstat"), path);
  if (!S_ISCHR(st.st_mode) || st.st_rdev != want)
    return WithPath(SysError::Of(ENODEV, "open", "the node is another device (devtmpfs names are not per namespace)"),
                    path);
  *out = std::move(fd);
  return {};
}

}  // namespace

SysError TapDevOpen(int nsfd, const TapDevSpec& spec, std::vector<UniqueFd>* fds, int* ifindex) {
  if (spec.queues < 1) return SysError::Of(EINVAL, "open", "queues must be at least 1");
  if (spec.link.empty() || spec.link.size() >= 16 || spec.link.find('/') != std::string::npos || spec.link == "." ||
      spec.link == "..")
    return SysError::Of(EINVAL, "open", "not a link name");
  return RunInNetns(nsfd, [&]() -> SysError {
    // This thread alone gets a mount namespace of its own, with no propagation back; it ends with
    // the thread.
    if (unshare(CLONE_NEWNS) != 0) return SysError::Of(errno, "unshare", "a private mount namespace");
    if (mount("none", "/", nullptr, MS_REC | MS_SLAVE, nullptr) != 0) return SysError::Of(errno, "mount", "/ as slave");
    // sysfs shows the namespace of whoever mounts it: mount one here, over /sys.
    umount2("/sys", MNT_DETACH);
    if (mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0)
      return WithPath(SysError::Of(errno, "mount", "sysfs of the link's namespace"), "/sys");
    const std::string dir = "/sys/class/net/" + spec.link + "/";
    unsigned idx = 0;
    if (ReadSysfs(dir + "ifindex", "%u", &idx).Failed()) return SysError::Of(ENODEV, "open", "no link " + spec.link);
    *ifindex = static_cast<int>(idx);
    const std::string tap = "tap" + std::to_string(idx);
    unsigned maj = 0, min = 0;
    SysError e = ReadSysfs(dir + tap + "/dev", "%u:%u", &maj, &min);
    if (e.Failed()) {
      if (e.errnum == ENOENT) return SysError::Of(EINVAL, "open", spec.link + " is not a macvtap/ipvtap link");
      return e;
    }
    const dev_t dev = makedev(maj, min);
    // A node of our own in a private tmpfs, else the devtmpfs node after checking it.
    std::string node;
    int mknodErr = 0;
    if (mount("tmpfs", "/sys", "tmpfs", MS_NOSUID | MS_NOEXEC, "size=16k,mode=0700") != 0)
      mknodErr = errno;
    else if (mknod("/sys/tap", S_IFCHR | 0600, dev) != 0)
      mknodErr = errno;
    node = mknodErr == 0 ? "/sys/tap" : "/dev/" + tap;
    for (int q = 0; q < spec.queues; ++q) {
      UniqueFd fd;
      e = OpenChecked(node, dev, &fd);
      // Without a private node (no CAP_MKNOD: any user namespace but the initial one), the
      // devtmpfs node is usually root's and 0600: say why both ways failed.
      if (mknodErr != 0 && (e.errnum == EACCES || e.errnum == EPERM || e.errnum == ENOENT))
        e.message = "no private node (mknod: " + std::string(std::strerror(mknodErr)) +
                    "; it needs CAP_MKNOD in the initial user namespace) and " + node + " is not usable";
      if (e.Failed()) return e;
      ifreq ifr{};
      ifr.ifr_flags = static_cast<short>(IFF_TAP | IFF_NO_PI | (spec.vnetHdr ? IFF_VNET_HDR : 0) |
                                         (spec.queues > 1 ? IFF_MULTI_QUEUE : 0));
      if (ioctl(fd.Get(), TUNSETIFF, &ifr) != 0) return SysError::Of(errno, "ioctl", "TUNSETIFF");
      if (spec.vnetHdr) {
        int sz = 10;  // struct virtio_net_hdr
        if (ioctl(fd.Get(), TUNSETVNETHDRSZ, &sz) != 0) return SysError::Of(errno, "ioctl", "TUNSETVNETHDRSZ");
      }
      if (ioctl(fd.Get(), TUNSETOFFLOAD, static_cast<unsigned long>(spec.vnetHdr ? spec.offload : 0)) != 0)
        return SysError::Of(errno, "ioctl", "TUNSETOFFLOAD");
      if (spec.sndbuf >= 0) {
        int sb = spec.sndbuf;
        if (ioctl(fd.Get(), TUNSETSNDBUF, &sb) != 0) return SysError::Of(errno, "ioctl", "TUNSETSNDBUF");
      }
      fds->push_back(std::move(fd));
    }
    return {};
  });
}

}  // namespace netdev
