/**
 * HidCardBox over node-hid. This machine has no card-holder box (no USB device, no /dev/uhid): the
 * real node-hid is exercised for enumeration and polling; the device side is the virtual firmware
 * behind node-hid's HIDAsync interface, speaking the same reports, with both platform behaviours
 * of getFeatureReport (report id returned or stripped).
 */
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { HidCardBox, openCardBox } from './box.ts';
import { INDICATOR_LED } from './indicators.ts';
import { loadNodeHid, type NodeHidApi, type NodeHidDevice, type NodeHidDeviceInfo } from './node-hid-transport.ts';
import { BOX_PRODUCT_ID, BOX_USAGE_PAGE, BOX_VENDOR_ID } from './protocol.ts';
import { deviceState, next, recorder, until } from './test-helpers.ts';
import { VirtualBox } from './virtual-box.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('node-hid on this machine (no card-holder box exists here)', () => {
  it('enumeration works: devicesAsync() returns an array', async () => {
    const hid = loadNodeHid();
    const all = await hid.devicesAsync(BOX_VENDOR_ID, BOX_PRODUCT_ID);
    expect(Array.isArray(all)).toBe(true);
    expect(all).toEqual([]); // no box plugged on the test machine
  });

  it('with no box plugged, HidCardBox stays disconnected and keeps polling without throwing', async () => {
    const real = loadNodeHid();
    let polls = 0;
    const counting: NodeHidApi = {
      devicesAsync: (v, p) => {
        polls++;
        return real.devicesAsync(v, p);
      },
      open: (path) => real.open(path),
    };
    const box = new HidCardBox({ hid: counting, retryMinMs: 20, retryMaxMs: 20 });
    cleanups.push(() => box.close());
    const rec = recorder(box);
    box.start();
    await until(() => polls >= 4, 5000, 'several polls');
    expect(box.connected).toBe(false);
    expect(box.cardPresent(0)).toBeNull();
    expect(rec.events).toEqual([]);
    await box.close();
    const after = polls;
    await new Promise((r) => setTimeout(r, 80));
    expect(polls).toBe(after); // close() stops the polling
  });

  it('openCardBox("hid") builds a node-hid box that polls quietly', async () => {
    const box = openCardBox('hid', { retryMinMs: 20, retryMaxMs: 20 });
    cleanups.push(() => box.close());
    const rec = recorder(box);
    box.start();
    await new Promise((r) => setTimeout(r, 100));
    expect(rec.events).toEqual([]);
  });
});

/** node-hid's HIDAsync, with the virtual firmware behind it. */
class FirmwareBehindHidAsync extends EventEmitter implements NodeHidDevice {
  private readonly detach: () => void;
  private readonly onInput = (r: Uint8Array) => setImmediate(() => this.emit('data', Buffer.from(r)));
  private readonly onUnplug = () => setImmediate(() => this.emit('error', new Error('could not read from HID device')));

  constructor(
    private readonly device: VirtualBox,
    private readonly stripFeatureId: boolean,
  ) {
    super();
    this.detach = device.attachHost();
    device.on('input', this.onInput);
    device.on('unplugged', this.onUnplug);
  }

  async write(values: number[] | Buffer): Promise<number> {
    if (!this.device.plugged) throw new Error('could not write to HID device');
    this.device.receiveOutput(Uint8Array.from(values));
    return values.length + 1;
  }

  async getFeatureReport(reportId: number, reportLength: number): Promise<Buffer> {
    const r = this.device.readFeature(reportId);
    expect(reportLength).toBe(r.length); // the length asked includes the id byte
    return Buffer.from(this.stripFeatureId ? r.subarray(1) : r);
  }

  async close(): Promise<void> {
    this.device.off('input', this.onInput);
    this.device.off('unplugged', this.onUnplug);
    this.detach();
  }
}

function hidApiFor(device: VirtualBox, opts: { stripFeatureId?: boolean; openFails?: boolean } = {}): NodeHidApi & { opened: string[] } {
  const opened: string[] = [];
  return {
    opened,
    devicesAsync: async (vid, pid): Promise<NodeHidDeviceInfo[]> => {
      if (!device.plugged || vid !== BOX_VENDOR_ID || pid !== BOX_PRODUCT_ID) return [];
      // A composite device: a keyboard-like interface first, then the box's vendor collection.
      return [
        { vendorId: vid, productId: pid, path: '/dev/hidraw3', usagePage: 0x0001 },
        { vendorId: vid, productId: pid, path: '/dev/hidraw4', usagePage: BOX_USAGE_PAGE, product: 'Boitier carte' },
      ];
    },
    open: async (path) => {
      if (opts.openFails) throw new Error('cannot open device with path ' + path);
      opened.push(path);
      return new FirmwareBehindHidAsync(device, opts.stripFeatureId ?? false);
    },
  };
}

describe.each([false, true])('HidCardBox over the node-hid interface (feature report id stripped by the platform: %s)', (strip) => {
  it('opens the vendor collection, reports presence and button, drives LED and latch, survives unplug', async () => {
    const device = new VirtualBox({ firmware: '3.1.4' });
    const hid = hidApiFor(device, { stripFeatureId: strip });
    const box = new HidCardBox({ hid, retryMinMs: 20, retryMaxMs: 20 });
    cleanups.push(() => box.close());
    const rec = recorder(box);
    const connected = next(box, 'connected');
    box.start();
    expect(await connected).toMatchObject({ firmware: '3.1.4', slots: 2, transport: 'hid' });
    expect(hid.opened).toEqual(['/dev/hidraw4']);

    device.setCardPresent(1, true);
    await next(box, 'card-present');
    device.pressButton();
    await next(box, 'button');
    await box.setIndicator('error');
    await box.setLatch(true);
    await deviceState(device, () => device.latched(0) && JSON.stringify(device.led()) === JSON.stringify(INDICATOR_LED.error));

    const gone = next(box, 'disconnected');
    device.unplug();
    await gone;
    const back = next(box, 'connected');
    device.plug();
    await back;
    await deviceState(device, () => device.latched(0));
    expect(rec.events).toEqual(['connected 2', 'slot1 in', 'button', 'disconnected', 'connected 2']);
    expect(box.cardPresent(1)).toBe(true);
  });
});

describe('HidCardBox when the device cannot be opened', () => {
  it('reports open-failed once (permissions), keeps trying, never connects', async () => {
    const device = new VirtualBox();
    const box = new HidCardBox({ hid: hidApiFor(device, { openFails: true }), retryMinMs: 10, retryMaxMs: 10 });
    cleanups.push(() => box.close());
    const rec = recorder(box);
    box.start();
    await until(() => rec.errors.length > 0, 5000, 'error');
    await new Promise((r) => setTimeout(r, 100));
    expect(rec.errors.map((e) => e.code)).toEqual(['open-failed']);
    expect(rec.errors[0]!.message).toMatch(/udev/);
    expect(box.connected).toBe(false);
  });
});
