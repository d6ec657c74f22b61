/**
 * The walking skeleton (issue #2), through real parts only: a virtual OpenPGP card inserted through
 * vpcd + pcscd, the kiosk core reading it with pcsclite, the renderer in Debian Chromium (browser host)
 * with the fake camera showing a generated RIB, tesseract.js in worker threads, the SQLite outbox with
 * the sealed image, the sync client delivering it to the real sync-server, and the staff API reading it back.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatIban } from '../../sync-server/protocol/iban.ts';
import { renderRib } from '../fixtures/documents.ts';
import { writeY4m } from '../fixtures/y4m.ts';
import { expectScreenSound, launchKioskBrowser, openKiosk } from '../support/browser.ts';
import type { LaunchedBrowser } from '../support/browser.ts';
import { startStack } from '../support/stack.ts';
import type { Stack } from '../support/stack.ts';

let stack: Stack;
let browser: LaunchedBrowser;
let mediaDir: string;
let expected: { iban: string; bic: string; holder: string };

async function expectAccessible(screen: string): Promise<void> {
  await expectScreenSound(browser.page, screen);
}

beforeAll(async () => {
  mediaDir = mkdtempSync(join(tmpdir(), 'fac-media-'));
  const rib = await renderRib({ seed: 2026, holder: 'Mme Camille MARTIN' });
  expected = rib.expected.fields;
  const video = join(mediaDir, 'rib.y4m');
  await writeY4m(rib.png, video);
  stack = await startStack();
  browser = await launchKioskBrowser({ fakeVideo: video });
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  rmSync(mediaDir, { recursive: true, force: true });
});

describe('walking skeleton', () => {
  it('card → name → PIN → scan RIB → check → outbox → server → card out, wiped', async () => {
    const { page } = browser;
    const camille = stack.persons.find((p) => p.firstName === 'Camille')!;

    await openKiosk(page, stack.host, { auto: false });
    await page.getByRole('heading', { name: 'Insérez votre carte' }).waitFor();
    await expectAccessible('attract');

    // 1-2. the card goes in; the core reads its identifier over pcscd and greets the holder by name
    await stack.insert('Camille');
    await page.getByText('Bonjour Camille').waitFor({ timeout: 15_000 });
    await page.getByRole('heading', { name: 'Tapez votre code secret' }).waitFor();
    await expectAccessible('pin');
    for (const d of camille.card.pin) await page.getByRole('button', { name: d, exact: true }).click();
    await page.getByRole('button', { name: 'Valider' }).click();
    await page.getByRole('heading', { name: 'Que voulez-vous faire ?' }).waitFor();
    await expectAccessible('home');

    // 3. a still from the fake camera; OCR in the core's worker; the IBAN is shown
    await page.getByRole('button', { name: /Ajouter un papier/ }).click();
    const take = page.getByRole('button', { name: 'Prendre la photo' });
    await expect.poll(() => take.isEnabled(), { timeout: 15_000 }).toBe(true);
    // the camera is lost (unplugged): said in plain words, and it comes back with "Réessayer"
    await page.evaluate(() => {
      const stream = document.querySelector('video')?.srcObject;
      if (stream instanceof MediaStream) for (const track of stream.getVideoTracks()) track.dispatchEvent(new Event('ended'));
    });
    await page.getByRole('alert').getByText('La caméra ne répond plus.', { exact: false }).waitFor();
    await page.getByRole('button', { name: 'Réessayer' }).click();
    await expect.poll(() => take.isEnabled(), { timeout: 15_000 }).toBe(true);
    expect(await page.getByRole('alert').count()).toBe(0);
    await expectAccessible('scan');
    await take.click();
    await page.getByRole('heading', { name: 'Vérifiez ce que nous avons lu' }).waitFor({ timeout: 60_000 });
    await expect.poll(() => page.locator('[data-field="iban"]').textContent()).toBe(formatIban(expected.iban));
    expect(await page.locator('[data-field="bic"]').textContent()).toBe(expected.bic);
    await expectAccessible('check');

    // 4. the person confirms: mutation + sealed image in the outbox, in one transaction
    await page.getByRole('button', { name: 'Oui, c’est juste' }).click();
    await page.getByRole('heading', { name: 'Votre document est enregistré.' }).waitFor();
    await expectAccessible('saved');

    // 5. the sync client delivers it; the server acknowledges after commit; the outbox row is done
    await stack.core.sync.flushed(30_000);
    expect(stack.core.outbox.lastAckedSeq()).toBe(1);
    expect(stack.core.outbox.pendingCount()).toBe(0);
    await page.getByText('Il est dans votre coffre-fort.').waitFor();

    // 6. read back from the server's API: the IBAN and the image's SHA-256
    const list = await stack.staffGet(`/api/staff/persons/${camille.identifier}/documents`);
    expect(list.status).toBe(200);
    const docs = (await list.json()) as { documents: { id: string }[] };
    expect(docs.documents).toHaveLength(1);
    const res = await stack.staffGet(`/api/staff/documents/${docs.documents[0]!.id}`);
    const doc = (await res.json()) as {
      owner: string;
      docType: string;
      fields: Record<string, { value: string; confirmed: boolean }>;
      file: { sha256: string; mime: string };
    };
    expect(doc.owner).toBe(camille.identifier);
    expect(doc.docType).toBe('rib');
    expect(doc.fields.iban).toMatchObject({ value: expected.iban, confirmed: true });
    const blob = await stack.staffGet(`/api/staff/blobs/${doc.file.sha256}`);
    expect(blob.status).toBe(200);
    const bytes = Buffer.from(await blob.arrayBuffer());
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(doc.file.sha256);
    // the archive is the sheet found on the desk and flattened, not the camera frame
    const meta = await sharp(bytes).metadata();
    expect(meta.format).toBe('jpeg');
    expect(meta.width! / meta.height!).toBeGreaterThan(1.5);
    expect(meta.width).toBeLessThanOrEqual(1700);

    // 7. the card leaves (pulled through the box's latch): back to the attract screen, nothing left
    const removedAt = Date.now();
    await stack.remove(0, { force: true });
    await page.getByRole('heading', { name: 'Insérez votre carte' }).waitFor({ timeout: 5_000 });
    const leftOver = await page.evaluate(async () => ({
      text: document.body.innerText,
      html: document.documentElement.outerHTML,
      local: localStorage.length,
      // the browser host's bridge keeps its socket's session token there (kiosk/host/bridge): no personal data
      session: Object.keys(sessionStorage).filter((k) => k !== 'fac.kiosk.session').length,
      cookies: document.cookie,
      idb: (await indexedDB.databases()).length,
      caches: (await caches.keys()).length,
      media: document.querySelectorAll('video, canvas, img[src^="blob:"]').length,
    }));
    expect(leftOver.text).not.toContain('Camille');
    for (const secret of [expected.iban, formatIban(expected.iban), expected.bic, 'MARTIN']) expect(leftOver.html).not.toContain(secret);
    expect(leftOver).toMatchObject({ local: 0, session: 0, cookies: '', idb: 0, caches: 0, media: 0 });
    expect(stack.core.session.open).toBeNull();
    expect(stack.core.db.prepare('SELECT count(*) AS n FROM session_documents').get()).toEqual({ n: 0 });
    console.log(`card removed → attract screen in ${Date.now() - removedAt} ms (box switch)`);
  });
});
