#include "packet/tun.h"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "sys/netns.h"

namespace netdev {

namespace {

SysError Ioctl(int fd, unsigned long req, unsigned long arg, const char* what) {
  if (ioctl(fd, req, arg) != 0) {
    SysError e = SysError::Errno("ioctl");
    e.message = what;
    return e;
  }
  return {};
}

}  // namespace

SysError TunOpen(int nsfd, const TunSpec& spec, std::vector<UniqueFd>* fds, std::string* name, int* flagsOut) {
  if (spec.queues < 1) return SysError::Of(EINVAL, "ioctl", "queues must be at least 1");
  return RunInNetns(nsfd, [&]() -> SysError {
    std::string devName = spec.name;
    // A device this call made persistent must not outlive a failure of a later step (a queue that
    // cannot be opened, EMFILE): the call is all or nothing. One that was persistent before (an
    // attach) stays as it was.
    int firstFd = -1;
    bool madePersistent = false;
    auto attach = [&](int q) -> SysError {
      UniqueFd fd(open("/dev/net/tun", O_RDWR | O_CLOEXEC));
      if (!fd.Valid()) {
        SysError e = SysError::Errno("open");
        e.path = "/dev/net/tun";
        return e;
      }
      ifreq ifr{};
      ifr.ifr_flags = static_cast<short>(
          (spec.tap ? IFF_TAP : IFF_TUN) | (spec.packetInfo ? 0 : IFF_NO_PI) | (spec.vnetHdr ? IFF_VNET_HDR : 0) |
          ((spec.multiQueue || spec.queues > 1) ? IFF_MULTI_QUEUE : 0) | (spec.napi ? IFF_NAPI : 0));
      std::strncpy(ifr.ifr_name, devName.c_str(), IFNAMSIZ - 1);
      if (ioctl(fd.Get(), TUNSETIFF, &ifr) != 0) {
        SysError e = SysError::Errno("ioctl");
        e.message = "TUNSETIFF";
        return e;
      }
      devName = ifr.ifr_name;  // the kernel's name for a template or an empty name
      // Owned by fds from here: still open when a later step fails (the undo below needs it).
      fds->push_back(std::move(fd));
      const int dev = fds->back().Get();
      if (q == 0) {
        firstFd = dev;
        // Options that belong to the device: set once, through the first queue.
        // The kernel answers EINVAL for an id that has no mapping in the caller's user namespace
        // (make_kuid/make_kgid): say so, as "EINVAL: TUNSETOWNER" alone does not.
        if (spec.owner >= 0) {
          SysError e = Ioctl(dev, TUNSETOWNER, static_cast<unsigned long>(spec.owner), "TUNSETOWNER");
          if (e.errnum == EINVAL)
            e.message +=
                ": uid " + std::to_string(spec.owner) + " is not mapped in this user namespace (/proc/self/uid_map)";
          if (e.Failed()) return e;
        }
        if (spec.group >= 0) {
          SysError e = Ioctl(dev, TUNSETGROUP, static_cast<unsigned long>(spec.group), "TUNSETGROUP");
          if (e.errnum == EINVAL)
            e.message +=
                ": gid " + std::to_string(spec.group) + " is not mapped in this user namespace (/proc/self/gid_map)";
          if (e.Failed()) return e;
        }
        if (spec.vnetHdr) {
          int sz = 10;  // struct virtio_net_hdr
          if (ioctl(dev, TUNSETVNETHDRSZ, &sz) != 0) return SysError::Of(errno, "ioctl", "TUNSETVNETHDRSZ");
        }
        // The offload mask is device-wide and survives re-attach: always set it (0 clears).
        SysError e = Ioctl(dev, TUNSETOFFLOAD, spec.vnetHdr ? spec.offload : 0, "TUNSETOFFLOAD");
        if (e.Failed() && !(e.errnum == EINVAL && !spec.vnetHdr)) return e;
        if (spec.carrier >= 0) {
          int on = spec.carrier;
          if (ioctl(dev, TUNSETCARRIER, &on) != 0) return SysError::Of(errno, "ioctl", "TUNSETCARRIER");
        }
        if (spec.sndbuf >= 0) {
          int sb = spec.sndbuf;
          if (ioctl(dev, TUNSETSNDBUF, &sb) != 0) return SysError::Of(errno, "ioctl", "TUNSETSNDBUF");
        }
        if (spec.txqlen != -1) {
          // Part of the open, so that a refusal undoes the whole of it (a device this call made
          // persistent does not stay). Any socket of this namespace reaches the link by name.
          UniqueFd sock(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
          if (!sock.Valid()) return SysError::Errno("socket");
          ifreq q{};
          std::strncpy(q.ifr_name, devName.c_str(), IFNAMSIZ - 1);
          q.ifr_qlen = spec.txqlen;
          if (ioctl(sock.Get(), SIOCSIFTXQLEN, &q) != 0) return SysError::Of(errno, "ioctl", "SIOCSIFTXQLEN");
        }
        ifreq got{};
        if (ioctl(dev, TUNGETIFF, &got) == 0 && flagsOut) *flagsOut = got.ifr_flags;
        if (spec.persist && !(got.ifr_flags & IFF_PERSIST)) {
          e = Ioctl(dev, TUNSETPERSIST, 1, "TUNSETPERSIST");
          if (e.Failed()) return e;
          madePersistent = true;
          if (flagsOut) *flagsOut |= IFF_PERSIST;
        }
      }
      if (spec.nonBlocking) {
        int fl = fcntl(dev, F_GETFL);
        if (fl < 0 || fcntl(dev, F_SETFL, fl | O_NONBLOCK) != 0) return SysError::Errno("fcntl");
      }
      return {};
    };
    for (int q = 0; q < spec.queues; ++q) {
      SysError e = attach(q);
      if (e.Failed()) {
        // firstFd is still open here: fds owns it until the caller drops them.
        if (madePersistent) ioctl(firstFd, TUNSETPERSIST, 0);
        return e;
      }
    }
    *name = devName;
    return {};
  });
}

SysError TunSetPersist(int fd, bool on) { return Ioctl(fd, TUNSETPERSIST, on ? 1 : 0, "TUNSETPERSIST"); }

SysError TunSetCarrier(int fd, bool on) {
  int v = on ? 1 : 0;
  if (ioctl(fd, TUNSETCARRIER, &v) != 0) return SysError::Of(errno, "ioctl", "TUNSETCARRIER");
  return {};
}

SysError TunSetOffload(int fd, unsigned flags) { return Ioctl(fd, TUNSETOFFLOAD, flags, "TUNSETOFFLOAD"); }

SysError TunSetQueue(int fd, bool attach) {
  ifreq ifr{};
  ifr.ifr_flags = static_cast<short>(attach ? IFF_ATTACH_QUEUE : IFF_DETACH_QUEUE);
  if (ioctl(fd, TUNSETQUEUE, &ifr) != 0) return SysError::Of(errno, "ioctl", "TUNSETQUEUE");
  return {};
}

}  // namespace netdev
