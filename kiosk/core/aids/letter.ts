/**
 * A plain letter on A4, made on the kiosk: asking an institution that is not on the platform (a bank, an
 * employer, a landlord…) for a missing paper. The person reads and edits the text on screen; it is
 * printed to be posted or brought. Nothing of it is kept.
 * Laid out with the server's PDF kit and dated by its format module, like every other printout.
 */
import { dateFr } from '../../../sync-server/protocol/format.ts';
import { PageWriter, startPdf } from '../../../sync-server/protocol/print/pdf-kit.ts';
import { LETTER_WORDS } from '../words.ts';

export async function letterPdf(opts: { to: string; body: string; date?: Date }): Promise<Uint8Array> {
  const date = opts.date ?? new Date();
  const { pdf, fonts } = await startPdf({ title: LETTER_WORDS.title, date });
  const w = PageWriter.on(pdf, fonts, { gap: 0 });
  w.text(LETTER_WORDS.to(opts.to), { bold: true });
  w.text(LETTER_WORDS.dated(dateFr(date)), { gap: 17 });
  w.text(opts.body.replace(/[\u2018\u2019\u02bc]/g, '’'));
  return pdf.save();
}
