#include "sys/netns.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <system_error>
#include <thread>

namespace netdev {

namespace {

SysError NotANamespace(const std::string& path, const char* why) {
  SysError e = SysError::Of(EINVAL, "open", why);
  e.path = path;
  return e;
}

SysError CheckIsNetns(int fd, const std::string& path) {
  // An nsfs file first (another file system's ioctl numbers could mean something else there),
  // then a network namespace.
  struct statfs fs;
  if (fstatfs(fd, &fs) != 0) {
    SysError e = SysError::Errno("fstatfs");
    e.path = path;
    return e;
  }
  if (fs.f_type != NSFS_MAGIC) return NotANamespace(path, "not a namespace file");
  int type = ioctl(fd, NS_GET_NSTYPE);
  if (type < 0) {
    SysError e = SysError::Errno("ioctl");
    // ENOTTY: not an nsfs file at all.
    if (e.errnum == ENOTTY) e = SysError::Of(EINVAL, "open", "not a namespace file");
    e.path = path;
    return e;
  }
  if (type != CLONE_NEWNET) {
    SysError e = SysError::Of(EINVAL, "open", "not a network namespace");
    e.path = path;
    return e;
  }
  return {};
}

// iproute2's netns_add: /run/netns must be a shared mount point so that a bind mount made here
// propagates to (and is visible from) other mount namespaces.
SysError PrepareRunDir(const std::string& dir) {
  if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    SysError e = SysError::Errno("mkdir");
    e.path = dir;
    return e;
  }
  bool bound = false;
  for (;;) {
    if (mount("", dir.c_str(), "none", MS_SHARED | MS_REC, nullptr) == 0) return {};
    if (errno != EINVAL || bound) break;
    // Not a mount point yet: bind it onto itself, then make it shared.
    if (mount(dir.c_str(), dir.c_str(), "none", MS_BIND | MS_REC, nullptr) != 0) break;
    bound = true;
  }
  SysError e = SysError::Errno("mount");
  e.path = dir;
  return e;
}

// Whether nsfd is the calling thread's own network namespace.
bool SameNetns(int nsfd) {
  struct stat a, b;
  return fstat(nsfd, &a) == 0 && stat("/proc/thread-self/ns/net", &b) == 0 && a.st_ino == b.st_ino &&
         a.st_dev == b.st_dev;
}

}  // namespace

SysError RunInNetns(int nsfd, const std::function<SysError()>& fn) {
  SysError result;
  try {
    std::thread t([&] {
      // Entering the namespace the thread is already in needs no setns() (which would demand
      // CAP_SYS_ADMIN): a process with only CAP_NET_ADMIN still works in its own namespace.
      if (nsfd >= 0 && !SameNetns(nsfd) && setns(nsfd, CLONE_NEWNET) != 0) {
        result = SysError::Errno("setns");
        return;
      }
      result = fn();
    });
    t.join();
  } catch (const std::system_error& e) {
    result = SysError::Of(e.code().value() ? e.code().value() : EAGAIN, "pthread_create");
  }
  return result;
}

SysError OpenCurrentNetns(UniqueFd* out) {
  int fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    SysError e = SysError::Errno("open");
    e.path = "/proc/thread-self/ns/net";
    return e;
  }
  out->Reset(fd);
  return {};
}

SysError CreateAnonymousNetns(UniqueFd* out) {
  return RunInNetns(-1, [&]() -> SysError {
    if (unshare(CLONE_NEWNET) != 0) return SysError::Errno("unshare");
    return OpenCurrentNetns(out);
  });
}

SysError CreateNamedNetns(const std::string& dir, const std::string& name, UniqueFd* out) {
  SysError e = PrepareRunDir(dir);
  if (e.Failed()) return e;
  std::string path = dir + "/" + name;
  int placeholder = open(path.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
  if (placeholder < 0) {
    e = SysError::Errno("open");
    if (e.errnum == EEXIST) e.message = "namespace already exists";
    e.path = path;
    return e;
  }
  close(placeholder);
  e = RunInNetns(-1, [&]() -> SysError {
    if (unshare(CLONE_NEWNET) != 0) return SysError::Errno("unshare");
    if (mount("/proc/thread-self/ns/net", path.c_str(), "none", MS_BIND, nullptr) != 0) {
      SysError m = SysError::Errno("mount");
      m.path = path;
      return m;
    }
    return OpenCurrentNetns(out);
  });
  if (e.Failed()) {
    // Leave nothing behind: undo the bind mount (if any) and the placeholder file.
    umount2(path.c_str(), MNT_DETACH);
    unlink(path.c_str());
  }
  return e;
}

SysError DeleteNamedNetns(const std::string& path) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) {
    SysError e = SysError::Errno("lstat");
    e.path = path;
    return e;
  }
  // What createNetns leaves there is a regular file (a bind-mounted namespace, or a placeholder).
  // Anything else, a symbolic link above all, was put there by someone else: unmounting it would
  // unmount whatever it points to.
  if (!S_ISREG(st.st_mode)) {
    SysError e = SysError::Of(EINVAL, "lstat",
                              S_ISLNK(st.st_mode) ? "a symbolic link, not a namespace" : "not a namespace file");
    e.path = path;
    return e;
  }
  // EINVAL: not mounted (a stale placeholder); remove it anyway, as iproute2 does. NOFOLLOW: the
  // entry cannot have become a symlink since the lstat and be followed.
  if (umount2(path.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) != 0 && errno != EINVAL) {
    SysError e = SysError::Errno("umount2");
    e.path = path;
    return e;
  }
  if (unlink(path.c_str()) != 0) {
    SysError e = SysError::Errno("unlink");
    e.path = path;
    return e;
  }
  return {};
}

SysError OpenNetnsPath(const std::string& path, UniqueFd* out) {
  // Looked at before it is opened: opening a FIFO blocks until a writer comes (a threadpool thread
  // stuck for ever, and process.exit() waiting for it), a device may act on being opened. A
  // namespace file is a regular file on nsfs (a /run/netns bind mount, or what a /proc/PID/ns/net
  // magic link leads to: so symlinks are followed here, and no O_NOFOLLOW).
  struct stat st;
  struct statfs fs;
  if (stat(path.c_str(), &st) != 0 || statfs(path.c_str(), &fs) != 0) {
    SysError e = SysError::Errno("open");
    e.path = path;
    return e;
  }
  if (!S_ISREG(st.st_mode) || fs.f_type != NSFS_MAGIC) return NotANamespace(path, "not a namespace file");
  // O_NONBLOCK: should the path be swapped for a FIFO since, the open still returns at once (and
  // the checks below refuse it).
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (!fd.Valid()) {
    SysError e = SysError::Errno("open");
    e.path = path;
    return e;
  }
  SysError e = CheckIsNetns(fd.Get(), path);
  if (e.Failed()) return e;
  *out = std::move(fd);
  return {};
}

SysError DupNetnsFd(int fd, UniqueFd* out) {
  UniqueFd copy(fcntl(fd, F_DUPFD_CLOEXEC, 3));
  if (!copy.Valid()) return SysError::Errno("fcntl");
  SysError e = CheckIsNetns(copy.Get(), "");
  if (e.Failed()) return e;
  *out = std::move(copy);
  return {};
}

}  // namespace netdev
