/**
 * The box over USB HID through node-hid's async API (HIDAsync, devicesAsync). The native module is
 * loaded on the first attempt, so importing the driver (e.g. for the codec) loads no native code.
 */
import { createRequire } from 'node:module';
import type * as NodeHid from 'node-hid';
import { silentLogger, type Logger } from '../log.ts';
import { errorText, HidError } from './errors.ts';
import { BOX_USAGE_PAGE } from './protocol.ts';
import type { HidConnector, HidTransport } from './transport.ts';

export interface NodeHidDeviceInfo {
  vendorId: number;
  productId: number;
  path?: string | undefined;
  usagePage?: number | undefined;
  product?: string | undefined;
}

/** The part of an opened `HIDAsync` the driver uses. */
export interface NodeHidDevice {
  on(event: 'data', listener: (data: Buffer) => void): unknown;
  on(event: 'error', listener: (err: unknown) => void): unknown;
  write(values: number[] | Buffer): Promise<number>;
  getFeatureReport(reportId: number, reportLength: number): Promise<Buffer>;
  close(): Promise<void>;
}

/** The part of the node-hid module the driver uses (injectable for tests at the device boundary). */
export interface NodeHidApi {
  devicesAsync(vendorId: number, productId: number): Promise<NodeHidDeviceInfo[]>;
  open(path: string): Promise<NodeHidDevice>;
}

let loaded: NodeHidApi | null = null;

/** node-hid itself. Throws `hid-unavailable` when the native module does not load. */
export function loadNodeHid(): NodeHidApi {
  if (loaded) return loaded;
  try {
    const hid = createRequire(import.meta.url)('node-hid') as typeof NodeHid;
    loaded = {
      devicesAsync: (vid, pid) => hid.devicesAsync(vid, pid),
      open: (path) => hid.HIDAsync.open(path),
    };
    return loaded;
  } catch (e) {
    throw new HidError('hid-unavailable', `node-hid could not be loaded: ${errorText(e)}`, { cause: e });
  }
}

const hex4 = (n: number) => n.toString(16).padStart(4, '0');

class NodeHidTransport implements HidTransport {
  readonly kind = 'hid' as const;
  private reportListener: ((r: Uint8Array) => void) | null = null;
  private closeListener: ((e: HidError | null) => void) | null = null;
  private readonly early: Uint8Array[] = [];
  private closed = false;

  constructor(
    private readonly dev: NodeHidDevice,
    private readonly log: Logger,
  ) {
    dev.on('data', (data: Buffer) => {
      if (this.closed) return;
      const r = new Uint8Array(data);
      if (this.reportListener) this.reportListener(r);
      else this.early.push(r);
    });
    // node-hid reports an unplug as a read error.
    dev.on('error', (err: unknown) => void this.lost(new HidError('transport-closed', `HID read failed (unplugged?): ${errorText(err)}`, { cause: err })));
  }

  onReport(listener: (report: Uint8Array) => void): void {
    this.reportListener = listener;
    for (const r of this.early.splice(0)) listener(r);
  }

  onClose(listener: (error: HidError | null) => void): void {
    this.closeListener = listener;
  }

  async write(report: Uint8Array): Promise<void> {
    if (this.closed) throw new HidError('transport-closed', 'the HID device is closed');
    try {
      await this.dev.write(Buffer.from(report));
    } catch (e) {
      throw new HidError('write-failed', `HID write failed: ${errorText(e)}`, { cause: e });
    }
  }

  async getFeature(reportId: number, length: number): Promise<Uint8Array> {
    if (this.closed) throw new HidError('transport-closed', 'the HID device is closed');
    let buf: Buffer;
    try {
      buf = await this.dev.getFeatureReport(reportId, length);
    } catch (e) {
      throw new HidError('feature-unsupported', `get feature report 0x${reportId.toString(16)} failed: ${errorText(e)}`, { cause: e });
    }
    // Platforms differ: some return the report id first, some strip it (hidapi passes through what the
    // OS gives). Our feature reports never start their payload with their own id (PROTOCOL.md).
    const bytes = new Uint8Array(buf);
    if (bytes.length > 0 && bytes[0] === reportId) return bytes;
    const withId = new Uint8Array(bytes.length + 1);
    withId[0] = reportId;
    withId.set(bytes, 1);
    return withId;
  }

  private async lost(err: HidError): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.dev.close().catch((e: unknown) => this.log.debug({ err: errorText(e) }, 'HID close after read error failed'));
    this.closeListener?.(err);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.dev.close().catch(() => undefined);
  }
}

export interface NodeHidConnectorOptions {
  vendorId: number;
  productId: number;
  hid?: NodeHidApi | undefined;
  logger?: Logger | undefined;
}

export function nodeHidConnector(opts: NodeHidConnectorOptions): HidConnector {
  const { vendorId, productId } = opts;
  const log = opts.logger ?? silentLogger;
  let api = opts.hid ?? null;
  return {
    kind: 'hid',
    description: `usb ${hex4(vendorId)}:${hex4(productId)}`,
    async connect(): Promise<HidTransport | null> {
      api ??= loadNodeHid();
      let devices: NodeHidDeviceInfo[];
      try {
        devices = await api.devicesAsync(vendorId, productId);
      } catch (e) {
        throw new HidError('hid-unavailable', `HID enumeration failed: ${errorText(e)}`, { cause: e });
      }
      const candidates = devices.filter((d) => d.vendorId === vendorId && d.productId === productId && d.path);
      if (candidates.length === 0) return null;
      // A composite device lists one entry per interface: ours is the vendor-defined collection.
      const dev = candidates.find((d) => d.usagePage === BOX_USAGE_PAGE) ?? candidates[0]!;
      let handle: NodeHidDevice;
      try {
        handle = await api.open(dev.path!);
      } catch (e) {
        throw new HidError('open-failed', `cannot open ${dev.path}: ${errorText(e)} (permissions? see the udev rule in drivers/README.md)`, { cause: e });
      }
      log.debug({ path: dev.path, product: dev.product }, 'HID box opened');
      return new NodeHidTransport(handle, log);
    },
  };
}
