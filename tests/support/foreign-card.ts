/**
 * A smart card that is not a Facilitateur card (say, a bank card), at the hardware boundary: a vpcd
 * client that answers the reader's control codes and refuses every application selection, as a card
 * without an OpenPGP application does (6A82, file or application not found).
 */
import { connect } from 'node:net';
import type { Socket } from 'node:net';

const ATR = Buffer.from('3B6800000073C84013009000', 'hex');

export class ForeignCard {
  private socket: Socket | null = null;

  constructor(private readonly port = 35963) {}

  insert(): Promise<void> {
    return new Promise((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port: this.port });
      this.socket = s;
      let buf = Buffer.alloc(0);
      let polled = false;
      const timer = setTimeout(() => reject(new Error('vpcd did not poll the foreign card')), 10_000);
      s.once('error', reject);
      s.on('data', (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          const len = buf.readUInt16BE(0);
          const msg = buf.subarray(2, 2 + len);
          buf = buf.subarray(2 + len);
          let answer: Buffer | null = null;
          if (len === 1) {
            if (msg[0] === 4) answer = ATR;
            if (!polled) {
              polled = true;
              clearTimeout(timer);
              resolve();
            }
          } else {
            answer = Buffer.from([0x6a, 0x82]);
          }
          if (answer) {
            const head = Buffer.alloc(2);
            head.writeUInt16BE(answer.length);
            s.write(Buffer.concat([head, answer]));
          }
        }
      });
    });
  }

  async remove(): Promise<void> {
    const s = this.socket;
    this.socket = null;
    if (!s) return;
    await new Promise<void>((resolve) => {
      s.once('close', () => resolve());
      s.destroy();
    });
  }
}
