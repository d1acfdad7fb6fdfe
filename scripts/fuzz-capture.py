#!/usr/bin/env python3
"""Dumps the current network namespace over rtnetlink and writes the kernel's replies as fuzz seeds
(run by scripts/fuzz-capture.mjs inside the namespace it built; Node cannot open a raw netlink
socket). Usage: fuzz-capture.py CORPUS_DIR PORTID
  CORPUS_DIR/<target>/<sha1>   one message per file for link, addr, route, neigh, rule, nsid;
                               a whole reply for messages; a replayable exchange for reply;
                               an NLMSG_ERROR payload (flags first) for nlerror."""
import hashlib, os, socket, struct, sys

NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 1, 4, 0x300
NLMSG_ERROR, NLMSG_DONE = 2, 3
SOL_NETLINK, NETLINK_EXT_ACK, NETLINK_CAP_ACK = 270, 11, 10
FAMILIES = {  # target -> (request type, header bytes per family to dump)
    'link': (18, [struct.pack('BxHiII', 0, 0, 0, 0, 0)]),
    'addr': (22, [struct.pack('BBBBI', f, 0, 0, 0, 0) for f in (2, 10)]),
    'route': (26, [struct.pack('BBBBBBBBI', f, 0, 0, 0, 0, 0, 0, 0, 0) for f in (2, 10)]),
    'neigh': (30, [struct.pack('BxxxiHBB', f, 0, 0, 0, 0) for f in (2, 10, 7)]),
    'rule': (34, [struct.pack('BBBBBBBBI', f, 0, 0, 0, 0, 0, 0, 0, 0) for f in (2, 10)]),
    'nsid': (90, [struct.pack('Bxxx', 0)]),
}
out, port = sys.argv[1], int(sys.argv[2])


def save(target, data):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()), 'wb') as f:
        f.write(data)


def messages(buf):
    off = 0
    while off + 16 <= len(buf):
        ln, typ, flags, seq, pid = struct.unpack_from('IHHII', buf, off)
        if ln < 16 or off + ln > len(buf):
            return
        yield off, ln, typ, flags
        off += (ln + 3) & ~3


s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
s.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
s.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
s.bind((0, 0))
seq = 0
for target, (rtype, headers) in FAMILIES.items():
    for hdr in headers:
        seq += 1
        s.send(struct.pack('IHHII', 16 + len(hdr), rtype, NLM_F_REQUEST | NLM_F_DUMP, seq, 0) + hdr)
        datagrams, done = [], False
        while not done:
            data = s.recv(1 << 20)
            datagrams.append(data)
            for off, ln, typ, flags in messages(data):
                if typ == NLMSG_DONE or typ == NLMSG_ERROR:
                    done = True
                else:
                    save(target, data[off:off + ln])
        save('messages', b''.join(datagrams))
        # The same exchange as the fake kernel of the reply target sends it (mode 1: a dump,
        # sequence 1, its port id): each datagram behind its 16-bit length.
        exchange = bytearray(b'\x01')
        for data in datagrams:
            buf = bytearray(data)
            for off, _, _, _ in messages(data):
                struct.pack_into('II', buf, off + 8, 1, port)
            exchange += struct.pack('H', len(buf)) + buf
        save('reply', bytes(exchange))
# Errors with extended acks: a link without a kind, a route to a missing device, an address on
# a missing link.
for req in (
    struct.pack('IHHII', 32, 16, NLM_F_REQUEST | NLM_F_ACK | 0x600, 0, 0) + struct.pack('BxHiII', 0, 0, 0, 0, 0),
    struct.pack('IHHII', 36, 24, NLM_F_REQUEST | NLM_F_ACK | 0x600, 0, 0)
    + struct.pack('BBBBBBBBI', 2, 8, 0, 0, 254, 3, 0, 1, 0) + struct.pack('HHI', 8, 4, 999999),
    struct.pack('IHHII', 24, 20, NLM_F_REQUEST | NLM_F_ACK, 0, 0) + struct.pack('BBBBI', 2, 24, 0, 0, 999999),
):
    seq += 1
    req = req[:8] + struct.pack('I', seq) + req[12:]
    s.send(req)
    data = s.recv(1 << 16)
    for off, ln, typ, flags in messages(data):
        if typ == NLMSG_ERROR:
            save('nlerror', struct.pack('H', flags) + data[off + 16:off + ln])
