/**
 * The vpcd client against a stand-in for vpcd on loopback that speaks vpcd's protocol (length-prefixed
 * frames, control codes). The real vpcd is exercised by the hw tests; here we cover framing edge cases
 * and failures that pcscd cannot be made to produce on demand.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../pcsc/apdu.ts';
import { VirtualOpenPgpCard } from './openpgp-card.ts';
import { blankCardState } from './state.ts';
import { VirtualCard } from './vpcd-client.ts';

let server: Server | null = null;
let accepted: Socket[] = [];
let cards: VirtualCard[] = [];

afterEach(async () => {
  await Promise.all(cards.map((c) => c.remove()));
  cards = [];
  // Server-side sockets that never read would not notice the client leaving.
  for (const s of accepted) s.destroy();
  accepted = [];
  if (server) await new Promise<void>((r) => server!.close(() => r()));
  server = null;
});

function frame(payload: Uint8Array): Buffer {
  const b = Buffer.alloc(2 + payload.length);
  b.writeUInt16BE(payload.length, 0);
  b.set(payload, 2);
  return b;
}

/** A fake vpcd: hands each accepted socket to `onClient`. */
async function fakeVpcd(onClient: (s: Socket) => void): Promise<number> {
  server = createServer((s) => {
    accepted.push(s);
    onClient(s);
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
  return (server.address() as { port: number }).port;
}

/** Reads frames from the card side of the socket. */
function frameReader(s: Socket): () => Promise<Buffer> {
  let buf = Buffer.alloc(0);
  const waiting: ((b: Buffer) => void)[] = [];
  const ready: Buffer[] = [];
  s.on('data', (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
      const len = buf.readUInt16BE(0);
      const msg = buf.subarray(2, 2 + len);
      buf = buf.subarray(2 + len);
      const w = waiting.shift();
      if (w) w(msg);
      else ready.push(msg);
    }
  });
  return () => {
    const r = ready.shift();
    return r ? Promise.resolve(r) : new Promise((resolve) => waiting.push(resolve));
  };
}

function newCard(port: number, opts: { insertTimeoutMs?: number; reconnect?: boolean } = {}): VirtualCard {
  const c = new VirtualCard(new VirtualOpenPgpCard(blankCardState('0A1B2C3D')), { port, ...opts });
  cards.push(c);
  return c;
}

describe('VirtualCard (vpcd protocol)', () => {
  it('answers the ATR request, then APDUs, whatever the TCP chunking', async () => {
    let client!: Socket;
    const connected = new Promise<void>((r) => {
      void fakeVpcd((s) => {
        client = s;
        r();
      }).then((port) => {
        const c = newCard(port);
        void c.insert();
      });
    });
    await connected;
    const next = frameReader(client);
    client.write(frame(Uint8Array.of(4)));
    expect(toHex(await next())).toBe(toHex(cards[0]!.card.atr));
    expect(cards[0]!.inserted).toBe(true);

    client.write(frame(Uint8Array.of(1))); // power on: no answer
    // SELECT split across two writes, then two APDUs in one write.
    const select = frame(fromHex('00A4040006D27600012401'));
    client.write(select.subarray(0, 3));
    await new Promise((r) => setTimeout(r, 20));
    client.write(select.subarray(3));
    expect(toHex(await next())).toBe('9000');
    client.write(Buffer.concat([frame(fromHex('00CA004F00')), frame(fromHex('00CA00C400'))]));
    expect(toHex(await next())).toBe('D276000124010304FF000A1B2C3D00009000');
    expect(toHex(await next())).toBe('007F7F7F0300039000');
    client.write(frame(fromHex('00CA')));
    expect(toHex(await next())).toBe('6700');
  });

  it('insert resolves only once vpcd polls the card', async () => {
    let client!: Socket;
    const port = await fakeVpcd((s) => (client = s));
    const c = newCard(port);
    let done = false;
    const p = c.insert().then(() => (done = true));
    await new Promise((r) => setTimeout(r, 150));
    expect(done).toBe(false);
    client.write(frame(Uint8Array.of(4)));
    await p;
    expect(c.inserted).toBe(true);
  });

  it('rejects with vpcd-unavailable when nothing listens, vpcd-timeout when nobody polls', async () => {
    const port = await fakeVpcd(() => undefined);
    await expect(newCard(port, { insertTimeoutMs: 200 }).insert()).rejects.toMatchObject({ code: 'vpcd-timeout' });
    for (const s of accepted) s.destroy();
    await new Promise<void>((r) => server!.close(() => r()));
    server = null;
    await expect(newCard(port).insert()).rejects.toMatchObject({ code: 'vpcd-unavailable' });
  });

  it('reconnects when vpcd drops the connection while the card should be in', async () => {
    const clients: Socket[] = [];
    const port = await fakeVpcd((s) => {
      clients.push(s);
      s.write(frame(Uint8Array.of(4)));
    });
    const c = newCard(port);
    await c.insert();
    const back = new Promise<void>((r) => c.once('inserted', () => r()));
    clients[0]!.destroy();
    await back;
    expect(clients.length).toBe(2);
    expect(c.inserted).toBe(true);
    await c.remove();
    expect(c.inserted).toBe(false);
    await new Promise((r) => setTimeout(r, 400));
    expect(clients.length).toBe(2); // removed: no more reconnection
  });

  it('a card removed while an answer is delayed never runs the command', async () => {
    let client!: Socket;
    const port = await fakeVpcd((s) => {
      client = s;
      s.write(frame(Uint8Array.of(4)));
    });
    const model = new VirtualOpenPgpCard(blankCardState('0A1B2C3D'));
    const c = new VirtualCard(model, { port, respondDelayMs: 300 });
    cards.push(c);
    await c.insert();
    client.write(frame(fromHex('00A4040006D27600012401')));
    client.write(frame(fromHex(`0020008206${Buffer.from('000000').toString('hex')}`)));
    await new Promise((r) => setTimeout(r, 100));
    await c.remove();
    await new Promise((r) => setTimeout(r, 500));
    expect(model.snapshot().counters.pw1).toBe(3);
  });
});
