/**
 * CardBox against the virtual box firmware, over the in-process link and over loopback TCP: the same
 * behaviour must hold on both (and on node-hid, which carries the same reports).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CardBox, NullCardBox, ReportCardBox, openCardBox, type CardBoxOptions } from './box.ts';
import { HidError, isHidError } from './errors.ts';
import { INDICATOR_LED, type Indicator } from './indicators.ts';
import { encodeButtonReport, encodeStatusReport, REPORT_ID } from './protocol.ts';
import { deviceState, next, recorder, until } from './test-helpers.ts';
import { startVirtualBoxServer, type VirtualBoxServer } from './virtual-box-server.ts';
import { VirtualBox, virtualBoxConnector, type VirtualBoxOptions } from './virtual-box.ts';

const FAST: CardBoxOptions = { retryMinMs: 10, retryMaxMs: 40, answerTimeoutMs: 1000 };

type Transport = 'in-process' | 'tcp';
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(transport: Transport, boxOpts: VirtualBoxOptions = {}, opts: CardBoxOptions = FAST) {
  const device = new VirtualBox(boxOpts);
  let server: VirtualBoxServer | null = null;
  let box: CardBox;
  if (transport === 'tcp') {
    server = await startVirtualBoxServer({ box: device, port: 0 });
    cleanups.push(() => server!.close());
    box = openCardBox(server.url, opts);
  } else {
    box = new ReportCardBox(virtualBoxConnector(device), opts);
  }
  cleanups.push(() => box.close());
  const rec = recorder(box);
  return { device, box, rec, server };
}

async function started(s: Awaited<ReturnType<typeof setup>>) {
  const connected = next(s.box, 'connected');
  s.box.start();
  await connected;
  return s;
}

const ledIs = (device: VirtualBox, i: Indicator) => () => JSON.stringify(device.led()) === JSON.stringify(INDICATOR_LED[i]);

describe.each<Transport>(['in-process', 'tcp'])('CardBox over the %s virtual box', (transport) => {
  it('connects with the device info and reports a card already in', async () => {
    const s = await setup(transport, { firmware: '1.4.2' });
    s.device.setCardPresent(1, true);
    expect(s.box.connected).toBe(false);
    expect(s.box.cardPresent(0)).toBeNull();
    const present = next(s.box, 'card-present');
    await started(s);
    expect(await present).toEqual({ slot: 1, present: true });
    expect(s.box.info()).toEqual({ protocolVersion: 1, firmware: '1.4.2', slots: 2, latch: true, button: true, led: true, transport });
    expect(s.box.cardPresent(0)).toBe(false);
    expect(s.box.cardPresent(1)).toBe(true);
    expect(s.rec.events).toEqual(['connected 2', 'slot1 in']);
  });

  it('reports presence per slot, in order, and the button', async () => {
    const s = await started(await setup(transport));
    s.device.setCardPresent(0, true);
    s.device.setCardPresent(1, true);
    s.device.setCardPresent(0, false);
    s.device.pressButton();
    s.device.pressButton({ long: true });
    s.device.setCardPresent(1, false);
    await until(() => s.rec.events.length >= 7, 5000, 'events');
    expect(s.rec.events).toEqual(['connected 2', 'slot0 in', 'slot1 in', 'slot0 out', 'button', 'button long', 'slot1 out']);
    expect(s.box.cardPresent(0)).toBe(false);
    expect(s.device.malformedReports).toBe(0);
  });

  it('drives the LED ring and the latches of the device', async () => {
    const s = await started(await setup(transport));
    for (const i of ['waiting', 'reading', 'ok', 'error', 'attention', 'off'] as const) {
      await s.box.setIndicator(i);
      await deviceState(s.device, ledIs(s.device, i));
    }
    await s.box.setLatch(true);
    await deviceState(s.device, () => s.device.latched(0));
    expect(s.device.latched(1)).toBe(false);
    await until(() => s.box.latched(0) === true, 5000, 'latch reported');
    await s.box.setLatch(true, 1);
    await deviceState(s.device, () => s.device.latched(1));
    await s.box.setLatch(false, 0);
    await deviceState(s.device, () => !s.device.latched(0));
    expect(s.device.latched(1)).toBe(true);
    await until(() => s.box.latched(0) === false && s.box.latched(1) === true, 5000, 'latches reported');
    expect(s.device.malformedReports + s.device.ignoredReports).toBe(0);
  });

  it('a box without latch, button or LED: commands are no-ops, nothing reaches the device', async () => {
    const s = await started(await setup(transport, { slots: 1, latch: false, button: false, led: false }));
    expect(s.box.info()).toMatchObject({ slots: 1, latch: false, button: false, led: false });
    await s.box.setLatch(true);
    await s.box.setLatch(true, 1);
    await s.box.setIndicator('reading');
    s.device.setCardPresent(0, true);
    await next(s.box, 'card-present');
    expect(s.device.latched(0)).toBe(false);
    expect(s.box.latched(0)).toBe(false);
    expect(s.box.cardPresent(1)).toBe(false); // a slot the box lacks holds no card
    expect(s.device.led().pattern).toBe('off');
    expect(s.device.ignoredReports + s.device.malformedReports).toBe(0);
  });

  it('applies an indicator and a latch asked for before the box was there', async () => {
    const s = await setup(transport);
    await s.box.setIndicator('waiting');
    await s.box.setLatch(true, 1);
    await started(s);
    await deviceState(s.device, () => ledIs(s.device, 'waiting')() && s.device.latched(1));
    expect(s.device.latched(0)).toBe(false);
  });

  it('unplug → disconnected; plug → connected with the state read again and commands re-applied', async () => {
    const s = await started(await setup(transport));
    s.device.setCardPresent(0, true);
    await next(s.box, 'card-present');
    await s.box.setIndicator('ok');
    await s.box.setLatch(true);
    await deviceState(s.device, () => s.device.latched(0) && ledIs(s.device, 'ok')());

    const gone = next(s.box, 'disconnected');
    s.device.unplug();
    await gone;
    expect(s.box.connected).toBe(false);
    expect(s.box.cardPresent(0)).toBeNull();
    expect(s.box.info()).toBeNull();
    expect(s.device.latched(0)).toBe(false); // no power, no latch
    // While away: the card is yanked out and another goes in slot 1.
    s.device.setCardPresent(0, false);
    s.device.setCardPresent(1, true);
    // The kiosk changes its mind while the box is away.
    await s.box.setIndicator('attention');

    const back = next(s.box, 'connected');
    s.device.plug();
    await back;
    await until(() => s.rec.events.length >= 6, 5000, 'presence after reconnect');
    expect(s.rec.events).toEqual(['connected 2', 'slot0 in', 'disconnected', 'connected 2', 'slot0 out', 'slot1 in']);
    await deviceState(s.device, () => s.device.latched(0) && ledIs(s.device, 'attention')());
    expect(s.box.cardPresent(1)).toBe(true);
  });

  it('several unplug / plug cycles end connected, without errors', async () => {
    const s = await started(await setup(transport));
    for (let i = 0; i < 5; i++) {
      const gone = next(s.box, 'disconnected');
      s.device.unplug();
      await gone;
      const back = next(s.box, 'connected');
      s.device.plug();
      await back;
    }
    expect(s.box.connected).toBe(true);
    expect(s.rec.errors).toEqual([]);
  });

  it('a malformed input report is an error event, the link stays up and the state is asked again', async () => {
    const s = await started(await setup(transport));
    const err = next<HidError>(s.box, 'error');
    const statusAnswers: Uint8Array[] = [];
    s.device.on('input', (r) => r[0] === REPORT_ID.STATUS && statusAnswers.push(r));
    s.device.injectInput(Uint8Array.of(REPORT_ID.STATUS, 0xff, 0, 0, 9)); // presence of slots it lacks
    expect((await err).code).toBe('malformed-report');
    await until(() => statusAnswers.length > 0, 5000, 'status request after a malformed report');
    s.device.injectInput(Uint8Array.of(0x5a, 1, 2, 3)); // unknown id: ignored
    s.device.setCardPresent(0, true);
    await next(s.box, 'card-present');
    expect(s.box.connected).toBe(true);
    expect(s.rec.errors.map((e) => e.code)).toEqual(['malformed-report']);
  });

  it('a gap in the sequence counter makes the host ask for the full status', async () => {
    const s = await started(await setup(transport));
    const requests: Uint8Array[] = [];
    s.device.on('input', (r) => r[0] === REPORT_ID.STATUS && requests.push(r));
    s.device.injectInput(encodeButtonReport({ long: false, seq: 200 }));
    await next(s.box, 'button');
    await until(() => requests.length > 0, 5000, 'status request after a sequence gap');
  });

  it('without an error listener a bad report does not crash the process', async () => {
    const s = await started(await setup(transport));
    s.box.removeAllListeners('error');
    s.device.injectInput(Uint8Array.of(REPORT_ID.BUTTON, 0x77, 0));
    s.device.injectInput(Uint8Array.of());
    s.device.pressButton();
    await next(s.box, 'button');
    expect(s.box.connected).toBe(true);
  });

  it('close() turns the ring off, opens the latches, and emits nothing more', async () => {
    const s = await started(await setup(transport));
    await s.box.setIndicator('reading');
    await s.box.setLatch(true, 0);
    await s.box.setLatch(true, 1);
    await deviceState(s.device, () => s.device.latched(0) && s.device.latched(1) && ledIs(s.device, 'reading')());
    const before = s.rec.events.length;
    await s.box.close();
    await deviceState(s.device, () => !s.device.latched(0) && !s.device.latched(1) && s.device.led().pattern === 'off');
    s.device.setCardPresent(0, true);
    await new Promise((r) => setTimeout(r, 50));
    expect(s.rec.events.length).toBe(before);
    expect(s.box.connected).toBe(false);
    await expect(s.box.setIndicator('ok')).rejects.toMatchObject({ code: 'closed' });
  });

  it('a box of an unknown protocol version is refused once, not reported at every attempt', async () => {
    const s = await setup(transport, { protocolVersion: 9 });
    s.box.start();
    await until(() => s.rec.errors.length > 0, 5000, 'error');
    await new Promise((r) => setTimeout(r, 200)); // several more attempts
    expect(s.rec.errors.map((e) => e.code)).toEqual(['unsupported-protocol']);
    expect(s.box.connected).toBe(false);
  });
});

describe('CardBox arguments and specs', () => {
  it('refuses unknown indicators and slots with invalid-argument', async () => {
    const box = new ReportCardBox(virtualBoxConnector(new VirtualBox()), FAST);
    cleanups.push(() => box.close());
    await expect(box.setIndicator('disco' as Indicator)).rejects.toMatchObject({ code: 'invalid-argument' });
    await expect(box.setLatch(true, 2 as 0)).rejects.toMatchObject({ code: 'invalid-argument' });
    await expect(box.setLatch('yes' as unknown as boolean)).rejects.toMatchObject({ code: 'invalid-argument' });
    expect(() => box.cardPresent(3 as 0)).toThrow(HidError);
  });

  it('a box that stays unplugged stays disconnected without errors', async () => {
    const device = new VirtualBox({ plugged: false });
    const box = new ReportCardBox(virtualBoxConnector(device), FAST);
    cleanups.push(() => box.close());
    const rec = recorder(box);
    box.start();
    await new Promise((r) => setTimeout(r, 150));
    expect(rec.events).toEqual([]);
    const connected = next(box, 'connected');
    device.plug();
    await connected;
  });

  it('none: a plain reader without HID', async () => {
    const box = openCardBox('none');
    expect(box).toBeInstanceOf(NullCardBox);
    const rec = recorder(box);
    box.start();
    await box.setIndicator('ok');
    await box.setLatch(true);
    expect([box.connected, box.info(), box.cardPresent(0), box.latched()]).toEqual([false, null, null, null]);
    await expect(box.setIndicator('nope' as Indicator)).rejects.toMatchObject({ code: 'invalid-argument' });
    await box.close();
    expect(rec.events).toEqual([]);
  });

  it.each(['hid', 'hid:1209:0001', 'hid:0x1209:0xBEEF', 'tcp://127.0.0.1:7392', 'tcp://localhost:1', ' none '])('accepts "%s"', async (spec) => {
    const box = openCardBox(spec);
    expect(box).toBeInstanceOf(CardBox);
    await box.close();
  });

  it.each(['', 'usb', 'hid:1209', 'hid:xyz:0001', 'hid:1209:0001:3', 'hid:12345:1', 'tcp://10.0.0.5:7392', 'tcp://127.0.0.1', 'tcp://127.0.0.1:99999', 'tcp://127.0.0.1:7392/x', 'tcp://[', 'http://127.0.0.1:7392'])(
    'refuses "%s" with invalid-argument',
    (spec) => {
      let e: unknown;
      try {
        openCardBox(spec);
      } catch (err) {
        e = err;
      }
      expect(isHidError(e, 'invalid-argument')).toBe(true);
    },
  );

  it('encodes the status the firmware sends on request (sanity of the test firmware)', () => {
    const device = new VirtualBox({ slots: 1 });
    const seen: Uint8Array[] = [];
    device.on('input', (r) => seen.push(r));
    device.setCardPresent(0, true);
    device.receiveOutput(Uint8Array.of(REPORT_ID.STATUS_REQUEST, 0));
    device.receiveOutput(Uint8Array.of(0x10, 1)); // malformed: counted, ignored
    device.receiveOutput(Uint8Array.of(0x66, 1)); // unknown: counted, ignored
    expect(seen).toEqual([
      encodeStatusReport({ presentMask: 1, lockedMask: 0, buttonHeld: false, seq: 0 }),
      encodeStatusReport({ presentMask: 1, lockedMask: 0, buttonHeld: false, seq: 1 }),
    ]);
    expect([device.malformedReports, device.ignoredReports]).toEqual([1, 1]);
    expect(() => device.setCardPresent(1, true)).toThrow(HidError);
    expect(() => device.readFeature(0x21)).toThrow(expect.objectContaining({ code: 'feature-unsupported' }));
  });
});
