// Shared small utilities: RAII file descriptors and the system-error record that every
// native failure is reported with (turned into a Node-style error on the JS side).
#pragma once

#include <unistd.h>

#include <cerrno>
#include <string>
#include <utility>

namespace netdev {

// Owns one file descriptor; closes it exactly once.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  UniqueFd(UniqueFd&& o) noexcept : fd_(o.Release()) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) Reset(o.Release());
    return *this;
  }
  ~UniqueFd() { Reset(); }

  int Get() const { return fd_; }
  bool Valid() const { return fd_ >= 0; }
  int Release() { return std::exchange(fd_, -1); }
  void Reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

// A failed system call (or a kernel refusal carried in a netlink ACK).
struct SysError {
  int errnum = 0;         // positive errno value; 0 means no error
  std::string syscall;    // e.g. "setns", "rtnetlink"
  std::string message;    // netdev's own context ("TUNSETIFF", "namespace already exists")
  std::string extack;     // the kernel's extended-ack text, and nothing else
  std::string path;       // a file path involved, if any
  int extackOffset = -1;  // byte offset of the offending attribute, if the kernel gave one

  bool Failed() const { return errnum != 0; }
  static SysError Of(int err, std::string call, std::string msg = {}) {
    SysError e;
    e.errnum = err;
    e.syscall = std::move(call);
    e.message = std::move(msg);
    return e;
  }
  static SysError Errno(std::string call) { return Of(errno, std::move(call)); }
};

}  // namespace netdev
