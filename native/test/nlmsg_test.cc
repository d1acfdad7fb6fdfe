// Native tests of MsgBuilder's length checks (native/netlink/nlmsg.h): an attribute or a nest whose
// length does not fit nla_len (a u16), or a message over MsgBuilder::kMaxMessage, is refused with
// an EncodeError and leaves nothing of itself in the buffer; a length is never truncated.
// Prints TAP; exit status 0 when all pass.
#include "netlink/nlmsg.h"

#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include <cstdio>
#include <string>
#include <vector>

#include "check.h"

using netdev::EncodeError;
using netdev::MsgBuilder;

using netdev::test::Check;
using netdev::test::Done;

namespace {

// Runs fn; true if it threw an EncodeError (its message and type copied out).
template <class F>
bool Refuses(F fn, std::string* what = nullptr, uint16_t* type = nullptr) {
  try {
    fn();
  } catch (const EncodeError& e) {
    if (what) *what = e.what();
    if (type) *type = e.Type();
    return true;
  }
  return false;
}

MsgBuilder Started() {
  MsgBuilder b;
  b.Begin(RTM_NEWLINK, 0, 0);
  b.Put(ifinfomsg{});
  return b;
}

}  // namespace

int main() {
  // 1. The largest attribute that fits is written with its exact length.
  {
    MsgBuilder b = Started();
    std::vector<uint8_t> data(MsgBuilder::kMaxAttr - RTA_LENGTH(0), 'x');
    size_t at = b.Size();
    bool threw = Refuses([&] { b.Attr(IFLA_IFALIAS, data.data(), data.size()); });
    Check(!threw && b.At<rtattr>(at)->rta_len == 0xffff, "an attribute of exactly 65535 bytes is encoded as is");
  }

  // 2. One byte more is refused, and nothing of it is appended.
  {
    MsgBuilder b = Started();
    b.AttrU32(IFLA_MTU, 1500);
    size_t before = b.Size();
    std::vector<uint8_t> data(MsgBuilder::kMaxAttr - RTA_LENGTH(0) + 1, 'x');
    std::string what;
    uint16_t type = 0;
    bool threw = Refuses([&] { b.Attr(IFLA_IFALIAS, data.data(), data.size()); }, &what, &type);
    Check(threw && type == IFLA_IFALIAS, "an attribute of 65536 bytes is refused with its type");
    Check(b.Size() == before, "the refused attribute leaves the buffer as it was");
    Check(what.find("attribute 20") != std::string::npos, "the error names the attribute");
  }

  // 3. A string just over the limit (the 64 KiB kind string of the listLinks exploit).
  {
    MsgBuilder b = Started();
    size_t li = b.Nest(IFLA_LINKINFO);
    size_t before = b.Size();
    std::string kind(65543, 'a');
    std::string what;
    bool threw = Refuses([&] { b.AttrStr(IFLA_INFO_KIND, kind); }, &what);
    Check(threw && b.Size() == before, "a 65543-byte string attribute is refused, nothing appended");
    Check(what.find("attribute 1 in 18") != std::string::npos, "the error names the attribute and its nest");
    (void)li;
  }

  // 4. A nest whose members each fit but whose total does not is refused and dropped whole.
  {
    MsgBuilder b = Started();
    b.AttrU32(IFLA_MTU, 1500);
    size_t li = b.Nest(IFLA_LINKINFO);
    size_t data = b.Nest(IFLA_INFO_DATA);
    std::vector<uint8_t> chunk(40000, 'y');
    b.Attr(1, chunk.data(), chunk.size());
    b.Attr(2, chunk.data(), chunk.size());
    uint16_t type = 0;
    std::string what;
    bool threw = Refuses([&] { b.EndNest(data); }, &what, &type);
    Check(threw && type == IFLA_INFO_DATA, "a nest of 80 KB is refused with its type");
    Check(b.Size() == data, "the refused nest is dropped from the buffer");
    Check(what.find("attribute 2 in 18") != std::string::npos, "the error names the nest and its parent");
    (void)li;
  }

  // 5. A nest that fits is closed with its exact length (padding included).
  {
    MsgBuilder b = Started();
    size_t li = b.Nest(IFLA_LINKINFO);
    b.AttrStr(IFLA_INFO_KIND, "veth");
    b.EndNest(li);
    Check(b.At<rtattr>(li)->rta_len == 4 + 12, "a small nest's length covers its padded members");
  }

  // 6. A message cannot outgrow kMaxMessage, even from many small attributes: the builder stops
  //    at the first one over the limit instead of filling memory.
  {
    MsgBuilder b = Started();
    bool threw = false;
    size_t n = 0;
    for (; n < 1000000 && !threw; ++n) threw = Refuses([&] { b.AttrU32(IFLA_MTU, 1); });
    Check(threw && b.Size() <= MsgBuilder::kMaxMessage, "a message stops at kMaxMessage");
    Check(n < MsgBuilder::kMaxMessage / 8 + 2, "refused at the first attribute over the limit");
  }

  // 7. After a refusal the builder is still usable for a fresh message.
  {
    MsgBuilder b;
    std::vector<uint8_t> big(70000, 'z');
    b.Begin(RTM_NEWLINK, 0, 0);
    b.Put(ifinfomsg{});
    bool threw = Refuses([&] { b.Attr(IFLA_IFALIAS, big.data(), big.size()); });
    b.End();
    size_t first = b.Size();
    b.Begin(RTM_NEWLINK, 0, 0);
    b.Put(ifinfomsg{});
    b.AttrStr(IFLA_IFNAME, "v0");
    b.End();
    const auto* h = reinterpret_cast<const nlmsghdr*>(b.Bytes().data() + first);
    Check(threw && h->nlmsg_len == NLMSG_HDRLEN + sizeof(ifinfomsg) + 8, "the next message encodes normally");
  }

  return Done();
}
