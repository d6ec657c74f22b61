/**
 * The console's page « Déposer un papier » (/console/depots): a plain form (works without JavaScript) to
 * put one of the institution's papers in a person's institutional vault, and the list of what the
 * institution deposited lately, by its staff or its systems. Every word is in kernel/words/deposits.ts.
 */
import { DocType } from '../../../protocol/common.ts';
import { DOC_TYPE_TITLE } from '../../../protocol/vault.ts';
import type { RecentDeposit } from '../../features/institutions/index.ts';
import { dateTimeWords } from '../../kernel/words/console.ts';
import { DEPOSIT_PAGE_WORDS as W } from '../../kernel/words/deposits.ts';
import { html } from './html.ts';
import type { Html } from './html.ts';
import { CONSOLE_PREFIX, describedBy, fieldError, layout } from './views.ts';
import type { FieldErrors, PageChrome } from './views.ts';

export const DEPOSITS_PATH = `${CONSOLE_PREFIX}/depots`;

/** The form's field names (and ids), in French like the page's address. */
export const DEPOSIT_FIELDS = { person: 'identifiant', docType: 'type', title: 'titre', issuedOn: 'date', expiresOn: 'fin', file: 'fichier' } as const;

export interface DepositTyped {
  person?: string;
  docType?: string;
  title?: string;
  issuedOn?: string;
  expiresOn?: string;
}

function recentTable(rows: readonly RecentDeposit[]): Html {
  if (rows.length === 0) return html`<p>${W.noneYet}</p>`;
  return html`<table>
  <caption class="visually-hidden">${W.recent}</caption>
  <thead><tr><th scope="col">${W.columns.when}</th><th scope="col">${W.columns.person}</th><th scope="col">${W.columns.type}</th><th scope="col">${W.columns.title}</th><th scope="col">${W.columns.by}</th></tr></thead>
  <tbody>${rows.map(
    (r) =>
      html`<tr><td>${dateTimeWords(r.at)}</td><td>${r.personIdentifier}</td><td>${Object.hasOwn(DOC_TYPE_TITLE, r.docType) ? DOC_TYPE_TITLE[r.docType as DocType] : r.docType}</td><td>${r.title}</td><td>${r.accountName ?? (r.clientName ? W.bySystem(r.clientName) : '—')}</td></tr>`,
  )}</tbody>
</table>`;
}

export function depositPage(chrome: PageChrome, o: { recent: readonly RecentDeposit[]; typed?: DepositTyped; errors?: FieldErrors }): string {
  const errors = o.errors ?? {};
  const typed = o.typed ?? {};
  const F = DEPOSIT_FIELDS;
  const body = html`<h1>${W.title}</h1>
<p class="lead">${W.intro}</p>
<form method="post" action="${DEPOSITS_PATH}" enctype="multipart/form-data" novalidate>
  <input type="hidden" name="csrf" value="${chrome.csrf ?? ''}">
  <label for="${F.person}">${W.person}</label>
  <p class="hint" id="${F.person}-indication">${W.personHint}</p>
  ${fieldError(F.person, errors)}
  <input type="text" id="${F.person}" name="${F.person}" autocomplete="off" autocapitalize="characters" spellcheck="false" maxlength="40" required value="${typed.person ?? ''}"${describedBy(F.person, errors, `${F.person}-indication`)}>
  <label for="${F.docType}">${W.docType}</label>
  ${fieldError(F.docType, errors)}
  <select id="${F.docType}" name="${F.docType}" required${describedBy(F.docType, errors, null)}>
    <option value="">${W.chooseType}</option>
    ${DocType.options.map((t) => html`<option value="${t}"${typed.docType === t ? html` selected` : null}>${DOC_TYPE_TITLE[t]}</option>`)}
  </select>
  <label for="${F.title}">${W.docTitle}</label>
  <p class="hint" id="${F.title}-indication">${W.docTitleHint}</p>
  ${fieldError(F.title, errors)}
  <input type="text" id="${F.title}" name="${F.title}" maxlength="200" value="${typed.title ?? ''}"${describedBy(F.title, errors, `${F.title}-indication`)}>
  <label for="${F.issuedOn}">${W.issuedOn}</label>
  <p class="hint" id="${F.issuedOn}-indication">${W.dateHint}</p>
  ${fieldError(F.issuedOn, errors)}
  <input type="date" id="${F.issuedOn}" name="${F.issuedOn}" value="${typed.issuedOn ?? ''}"${describedBy(F.issuedOn, errors, `${F.issuedOn}-indication`)}>
  <label for="${F.expiresOn}">${W.expiresOn}</label>
  <p class="hint" id="${F.expiresOn}-indication">${W.dateHint}</p>
  ${fieldError(F.expiresOn, errors)}
  <input type="date" id="${F.expiresOn}" name="${F.expiresOn}" value="${typed.expiresOn ?? ''}"${describedBy(F.expiresOn, errors, `${F.expiresOn}-indication`)}>
  <label for="${F.file}">${W.file}</label>
  <p class="hint" id="${F.file}-indication">${W.fileHint}</p>
  ${fieldError(F.file, errors)}
  <input type="file" id="${F.file}" name="${F.file}" accept="application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png" required${describedBy(F.file, errors, `${F.file}-indication`)}>
  <div><button type="submit">${W.submit}</button></div>
</form>
<h2>${W.recent}</h2>
${recentTable(o.recent)}`;
  return layout(W.title, chrome, body);
}
