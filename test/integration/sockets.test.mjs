// Sockets inside namespaces: reachability between namespaces with no external binary.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import { addAddress, connectTcp, createTcpServer, createUdpSocket, createVeth } from 'netdev';
import { fdCount, rejectsWith, withNetnsN } from '../helpers.mjs';

async function pair(a, b) {
  await createVeth({ name: 'l', netns: a, up: true, peer: { name: 'r', netns: b, up: true } });
  await addAddress('l', '10.20.0.1/24', { netns: a });
  await addAddress('r', '10.20.0.2/24', { netns: b });
  await addAddress('l', 'fd20::1/64', { netns: a, noDad: true });
  await addAddress('r', 'fd20::2/64', { netns: b, noDad: true });
}

test('TCP over IPv4 and IPv6 between two namespaces, both directions of data', async () => {
  await withNetnsN(2, async ([a, b]) => {
    await pair(a, b);
    for (const [host, bind] of [['10.20.0.2', '0.0.0.0'], ['fd20::2', '::']]) {
      const server = await createTcpServer({ netns: b, host: bind }, (s) => s.pipe(s));
      const { port } = server.address();
      assert.ok(port > 0);
      const sock = await connectTcp({ netns: a, host, port });
      assert.equal(sock.remoteAddress, host);
      const payload = Buffer.alloc(256 * 1024, 7);
      sock.end(payload);
      const chunks = [];
      for await (const c of sock) chunks.push(c);
      assert.ok(Buffer.concat(chunks).equals(payload));
      server.close();
      await once(server, 'close');
    }
  });
});

test('the server only exists in its namespace; refused and unreachable connections fail cleanly', async () => {
  await withNetnsN(2, async ([a, b]) => {
    await pair(a, b);
    const server = await createTcpServer({ netns: b, host: '10.20.0.2', port: 7100 });
    try {
      // Same port in namespace a: a different network stack, so it is free there.
      const other = await createTcpServer({ netns: a, host: '10.20.0.1', port: 7100 });
      other.close();
      await rejectsWith(createTcpServer({ netns: b, host: '10.20.0.2', port: 7100 }), 'EADDRINUSE');
      const before = fdCount();
      await rejectsWith(connectTcp({ netns: a, host: '10.20.0.2', port: 7101 }), 'ECONNREFUSED');
      // No host answers ARP for .99: the connection times out (our bound), nothing leaks.
      await rejectsWith(connectTcp({ netns: a, host: '10.20.0.99', port: 7100, timeout: 300 }), 'ETIMEDOUT');
      assert.equal(fdCount(), before);
    } finally {
      server.close();
    }
  });
});

test('UDP datagrams both ways between namespaces', async () => {
  await withNetnsN(2, async ([a, b]) => {
    await pair(a, b);
    const ub = await createUdpSocket({ netns: b, type: 'udp4', address: '10.20.0.2', port: 9999 });
    const ua = await createUdpSocket({ netns: a, type: 'udp4' });
    const got = once(ub, 'message');
    ua.send('ping', 9999, '10.20.0.2');
    const [msg, rinfo] = await got;
    assert.equal(msg.toString(), 'ping');
    assert.equal(rinfo.address, '10.20.0.1');
    const back = once(ua, 'message');
    ub.send('pong', rinfo.port, rinfo.address);
    assert.equal((await back)[0].toString(), 'pong');
    const u6 = await createUdpSocket({ netns: b, type: 'udp6', address: 'fd20::2' });
    assert.equal(u6.address().address, 'fd20::2');
    for (const s of [ua, ub, u6]) s.close();
  });
});
