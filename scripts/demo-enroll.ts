/**
 * Demo only: prints a one-time enrollment code for the demo kiosk when its data folder is not enrolled
 * yet (nothing when it is), asked from the running sync-server's staff API. start.sh passes it to the
 * kiosk as FAC_ENROLLMENT_CODE, so the demo links itself at first start as staff would do by hand
 * (`npm run staff -- kiosk enroll --id …`, then the code typed on the tablet's first screen).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { loadKioskConfig } from '../kiosk/core/config.ts';

const config = loadKioskConfig();
const file = join(config.dataDir, 'outbox.sqlite');
if (existsSync(file)) {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const hasDevice = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'device'").get();
    const row = hasDevice ? (db.prepare('SELECT state FROM device WHERE id = 1').get() as { state: string } | undefined) : undefined;
    if (row?.state === 'enrolled') process.exit(0);
  } finally {
    db.close();
  }
}
const res = await fetch(`${config.syncUrl}/api/staff/kiosks`, {
  method: 'POST',
  headers: { authorization: `Bearer ${process.env.FAC_STAFF_TOKEN ?? ''}`, 'content-type': 'application/json' },
  body: JSON.stringify({ id: config.kioskId }),
});
if (!res.ok) {
  console.error(`demo enrollment: the server answered ${res.status} ${await res.text()}`);
  process.exit(1);
}
const { code } = (await res.json()) as { code: string };
process.stdout.write(code);
