/** Public API of the card-holder box driver (USB HID side). PROTOCOL.md describes the reports. */
export {
  CardBox,
  HidCardBox,
  NullCardBox,
  ReportCardBox,
  openCardBox,
  type BoxInfo,
  type CardBoxEvents,
  type CardBoxOptions,
  type CardPresentEvent,
  type HidCardBoxOptions,
  type Slot,
} from './box.ts';
export { HidError, isHidError, type HidErrorCode } from './errors.ts';
export { INDICATORS, INDICATOR_LED, indicatorOf, isIndicator, type Indicator } from './indicators.ts';
export { loadNodeHid, type NodeHidApi, type NodeHidDevice, type NodeHidDeviceInfo } from './node-hid-transport.ts';
export {
  BOX_PRODUCT_ID,
  BOX_VENDOR_ID,
  LED_PATTERNS,
  PROTOCOL_VERSION,
  type DeviceInfo,
  type LedCommand,
  type LedPattern,
} from './protocol.ts';
export type { HidConnector, HidTransport, TransportKind } from './transport.ts';
