// Building and walking netlink messages (struct nlmsghdr + struct rtattr), bounds-checked.
#pragma once

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace netdev {

// Thrown by MsgBuilder when an attribute or a nest would not fit its 16-bit length field, or a
// message would outgrow MsgBuilder::kMaxMessage. Nothing of the refused piece stays in the
// buffer: a length is never truncated (a truncated nla_len turns the bytes after it into
// attributes of the caller's choosing).
class EncodeError : public std::length_error {
 public:
  EncodeError(const std::string& what, uint16_t type) : std::length_error(what), type_(type) {}
  // The type of the refused attribute or nest (0 for a whole message).
  uint16_t Type() const { return type_; }

 private:
  uint16_t type_;
};

// Appends netlink messages to one contiguous buffer (several messages may share a send).
class MsgBuilder {
 public:
  // The largest length an attribute (header included) can declare: nla_len is a u16.
  static constexpr size_t kMaxAttr = 0xffff;
  // The largest message: far above any request netdev makes, below the default netlink socket
  // send buffer (net.core.wmem_default, 208 KiB), so the kernel never sees a partial one.
  static constexpr size_t kMaxMessage = 128 * 1024;

  // Starts a message; returns its offset in the buffer.
  size_t Begin(uint16_t type, uint16_t flags, uint32_t seq) {
    Align();
    start_ = buf_.size();
    open_.clear();
    nlmsghdr h{};
    h.nlmsg_type = type;
    h.nlmsg_flags = flags;
    h.nlmsg_seq = seq;
    Append(&h, sizeof h);
    return start_;
  }
  // Appends a fixed header (ifinfomsg, ifaddrmsg, ...) and returns its offset.
  template <class T>
  size_t Put(const T& hdr) {
    Align();
    size_t off = buf_.size();
    Append(&hdr, sizeof hdr);
    return off;
  }
  template <class T>
  T* At(size_t off) {
    return reinterpret_cast<T*>(buf_.data() + off);
  }
  void Attr(uint16_t type, const void* data, size_t len) {
    Align();
    if (len > kMaxAttr - RTA_LENGTH(0))
      throw EncodeError(Describe(type) + " would be " + std::to_string(RTA_LENGTH(len)) + " bytes long, over the " +
                            std::to_string(kMaxAttr) + " an attribute's length field holds",
                        type);
    Reserve(RTA_SPACE(len));
    rtattr a{};
    a.rta_type = type;
    a.rta_len = static_cast<unsigned short>(RTA_LENGTH(len));
    Append(&a, sizeof a);
    if (len) Append(data, len);
    Align();  // like iproute2: each attribute padded, so nests and messages include the padding
  }
  void AttrU8(uint16_t type, uint8_t v) { Attr(type, &v, 1); }
  void AttrU16(uint16_t type, uint16_t v) { Attr(type, &v, 2); }
  void AttrU32(uint16_t type, uint32_t v) { Attr(type, &v, 4); }
  void AttrS32(uint16_t type, int32_t v) { Attr(type, &v, 4); }
  void AttrU64(uint16_t type, uint64_t v) { Attr(type, &v, 8); }
  void AttrStr(uint16_t type, const std::string& s) { Attr(type, s.c_str(), s.size() + 1); }
  void AttrFlag(uint16_t type) { Attr(type, nullptr, 0); }
  // Opens a nested attribute; `flagged` sets NLA_F_NESTED (iproute2 leaves it off for the older
  // nests such as RTA_MULTIPATH).
  size_t Nest(uint16_t type, bool flagged = true) {
    Align();
    size_t off = buf_.size();
    Attr(flagged ? static_cast<uint16_t>(type | NLA_F_NESTED) : type, nullptr, 0);
    open_.push_back(type);
    return off;
  }
  size_t Size() const { return buf_.size(); }
  // Closes the nest opened at `off`. One that outgrew nla_len is dropped whole and refused.
  void EndNest(size_t off) {
    uint16_t type = open_.empty() ? 0 : open_.back();
    if (!open_.empty()) open_.pop_back();
    size_t len = buf_.size() - off;
    if (len > kMaxAttr) {
      buf_.resize(off);
      throw EncodeError(Describe(type) + " (nested) would be " + std::to_string(len) + " bytes long, over the " +
                            std::to_string(kMaxAttr) + " an attribute's length field holds",
                        type);
    }
    At<rtattr>(off)->rta_len = static_cast<unsigned short>(len);
  }
  // Finishes the current message: fills in nlmsg_len.
  // The buffer is padded to NLMSG_ALIGNTO so that messages can simply be concatenated.
  void End() {
    At<nlmsghdr>(start_)->nlmsg_len = static_cast<uint32_t>(buf_.size() - start_);
    Align();
  }

  const std::vector<uint8_t>& Bytes() const { return buf_; }
  std::vector<uint8_t> Take() { return std::move(buf_); }
  // Keeps `r` alive as long as the messages are: what an attribute refers to by number (an fd
  // of a namespace handle) must not be closed, and its number reused, before they are sent.
  void Hold(std::shared_ptr<const void> r) { holds_.push_back(std::move(r)); }
  std::vector<std::shared_ptr<const void>> TakeHolds() { return std::move(holds_); }

 private:
  void Align() { buf_.resize(NLMSG_ALIGN(buf_.size()), 0); }
  // Refuses to grow the current message past kMaxMessage (checked before anything is appended,
  // so a huge list fails at the first entry over the limit, not after filling memory).
  void Reserve(size_t n) {
    if (buf_.size() - start_ + n > kMaxMessage)
      throw EncodeError("the netlink message would be over " + std::to_string(kMaxMessage) + " bytes long", 0);
  }
  void Append(const void* p, size_t n) {
    Reserve(n);
    const auto* b = static_cast<const uint8_t*>(p);
    buf_.insert(buf_.end(), b, b + n);
  }
  // "attribute 3 in 18 > 2": the type and the nests it is in (types without NLA_F_* bits).
  std::string Describe(uint16_t type) const {
    std::string s = "netlink attribute " + std::to_string(type & NLA_TYPE_MASK);
    for (size_t i = 0; i < open_.size(); ++i) s += (i ? " > " : " in ") + std::to_string(open_[i] & NLA_TYPE_MASK);
    return s;
  }
  std::vector<uint8_t> buf_;
  size_t start_ = 0;
  std::vector<uint16_t> open_;  // the types of the nests open in the current message
  std::vector<std::shared_ptr<const void>> holds_;
};

// A bounds-checked view of one attribute.
struct AttrView {
  uint16_t type = 0;  // without NLA_F_NESTED / NLA_F_NET_BYTEORDER
  const uint8_t* data = nullptr;
  size_t len = 0;

  bool U8(uint8_t* v) const { return Copy(v, 1); }
  bool U16(uint16_t* v) const { return Copy(v, 2); }
  bool U32(uint32_t* v) const { return Copy(v, 4); }
  bool S32(int32_t* v) const { return Copy(v, 4); }
  bool U64(uint64_t* v) const { return Copy(v, 8); }
  uint32_t U32Or(uint32_t d) const {
    uint32_t v;
    return U32(&v) ? v : d;
  }
  uint8_t U8Or(uint8_t d) const {
    uint8_t v;
    return U8(&v) ? v : d;
  }
  uint16_t U16Or(uint16_t d) const {
    uint16_t v;
    return U16(&v) ? v : d;
  }
  uint64_t U64Or(uint64_t d) const {
    uint64_t v;
    return U64(&v) ? v : d;
  }
  // A NUL-terminated (or length-bounded) string attribute.
  std::string Str() const {
    size_t n = strnlen(reinterpret_cast<const char*>(data), len);
    return std::string(reinterpret_cast<const char*>(data), n);
  }

 private:
  bool Copy(void* out, size_t n) const {
    if (len < n) return false;
    std::memcpy(out, data, n);
    return true;
  }
};

// Iterates the attributes in [data, data+len). Malformed trailing bytes end the walk.
class AttrIter {
 public:
  AttrIter(const uint8_t* data, size_t len) : p_(data), end_(data + len) {}
  explicit AttrIter(const AttrView& nest) : AttrIter(nest.data, nest.len) {}
  bool Next(AttrView* out) {
    if (static_cast<size_t>(end_ - p_) < sizeof(rtattr)) return false;
    rtattr a;
    std::memcpy(&a, p_, sizeof a);
    if (a.rta_len < sizeof(rtattr) || a.rta_len > static_cast<size_t>(end_ - p_)) return false;
    out->type = a.rta_type & NLA_TYPE_MASK;
    out->data = p_ + RTA_LENGTH(0);
    out->len = a.rta_len - RTA_LENGTH(0);
    size_t step = RTA_ALIGN(a.rta_len);
    p_ = step >= static_cast<size_t>(end_ - p_) ? end_ : p_ + step;
    return true;
  }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
};

// Fills table[type] for each attribute with type < N (the last one of a type wins).
template <size_t N>
void ParseAttrs(const uint8_t* data, size_t len, AttrView (&table)[N]) {
  AttrIter it(data, len);
  AttrView a;
  while (it.Next(&a))
    if (a.type < N) table[a.type] = a;
}

// One netlink message inside a received datagram.
struct MsgView {
  const nlmsghdr* hdr;
  const uint8_t* payload;  // after the nlmsghdr
  size_t payloadLen;
};

// Splits a datagram into messages; returns false if it is malformed.
inline bool SplitMessages(const uint8_t* data, size_t len, std::vector<MsgView>* out) {
  size_t off = 0;
  while (off < len && len - off >= sizeof(nlmsghdr)) {
    const auto* h = reinterpret_cast<const nlmsghdr*>(data + off);
    if (h->nlmsg_len < sizeof(nlmsghdr) || h->nlmsg_len > len - off) return false;
    out->push_back({h, data + off + NLMSG_HDRLEN, h->nlmsg_len - NLMSG_HDRLEN});
    off += NLMSG_ALIGN(h->nlmsg_len);
  }
  return true;
}

}  // namespace netdev
