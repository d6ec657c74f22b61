/**
 * Printing on the kiosk's printer through CUPS (`lp`): the PDF goes on lp's standard input, so it never
 * touches the disk. The renderer never prints itself (a print dialog on a public tablet is an escape hatch).
 */
import { spawn } from 'node:child_process';
import type { Logger } from '../log.ts';

export function printPdf(printer: string, pdf: Uint8Array, logger: Logger, timeoutMs = 20_000): Promise<boolean> {
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn('lp', ['-d', printer, '-t', 'Facilitateur', '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'printing unavailable');
      resolve(false);
      return;
    }
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err) => {
      clearTimeout(timer);
      logger.warn({ err: err.message }, 'printing unavailable');
      resolve(false);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) logger.warn({ code, stderr: stderr.slice(0, 500) }, 'printing failed');
      resolve(code === 0);
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(Buffer.from(pdf));
  });
}
