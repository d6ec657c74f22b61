/**
 * A structure admin's page of the directory (/console/lieux): the places their structure added (a form to
 * add one, to change or remove each), and a search of the whole directory by commune or postcode — what a
 * person living there is told at the tablets. Words in kernel/words/console.ts (PLACES_PAGE_WORDS).
 */
import type { Institution } from '../../../protocol/vault.ts';
import type { StructureAdminAccount } from '../../features/accounts/index.ts';
import type { DirectorySearch } from '../../features/institutions/index.ts';
import { PLACES_PAGE_WORDS as W } from '../../kernel/words/console.ts';
import { agentsChrome } from './agents-views.ts';
import { html } from './html.ts';
import type { Html } from './html.ts';
import { CONSOLE_PREFIX, describedBy, fieldError, layout } from './views.ts';
import type { FieldErrors } from './views.ts';

export const PLACES_PATH = `${CONSOLE_PREFIX}/lieux`;
export const placePath = (id: string) => `${PLACES_PATH}/${encodeURIComponent(id)}`;
export const placeRemovePath = (id: string) => `${placePath(id)}/retrait`;

/** The kinds a structure may add (the directory's own kinds for what the public annuaire lists). */
export const PLACE_KINDS = ['france-services', 'cms', 'ccas', 'mairie', 'association', 'autre'] as const;

/** The form's fields, in order; what was typed comes back as it was typed. */
export const PLACE_FIELDS = ['kind', 'name', 'address', 'postcode', 'city', 'phone', 'email', 'website', 'hoursNote', 'lat', 'lon'] as const;
export type PlaceTyped = Partial<Record<(typeof PLACE_FIELDS)[number], string>>;

/** An entry as its form shows it (a position written the French way). */
export function typedOf(i: Institution): PlaceTyped {
  const n = (v: number | null) => (v === null ? '' : String(v).replace('.', ','));
  return { kind: i.kind, name: i.name, address: i.address, postcode: i.postcode, city: i.city, phone: i.phone ?? '', email: i.email ?? '', website: i.website ?? '', hoursNote: i.hoursNote ?? '', lat: n(i.lat), lon: n(i.lon) };
}

const kindWords = (k: string) => W.kinds[k] ?? k;

function placesTable(entries: readonly Institution[], csrf: string): Html {
  if (entries.length === 0) return html`<p>${W.none}</p>`;
  const c = W.columns;
  return html`<table>
  <thead><tr><th scope="col">${c.name}</th><th scope="col">${c.kind}</th><th scope="col">${c.address}</th><th scope="col">${c.phone}</th><th scope="col">${c.actions}</th></tr></thead>
  <tbody>${entries.map(
    (e) => html`<tr>
    <th scope="row">${e.name}</th>
    <td>${kindWords(e.kind)}</td>
    <td>${e.address}, ${e.postcode} ${e.city}</td>
    <td>${e.phone ?? '—'}</td>
    <td>
      <a class="button secondary" href="${placePath(e.id)}">${W.change}<span class="visually-hidden"> : ${e.name}</span></a>
      <form class="inline" method="post" action="${placeRemovePath(e.id)}">
        <input type="hidden" name="csrf" value="${csrf}">
        <button type="submit" class="danger" aria-describedby="retrait-aide">${W.remove}<span class="visually-hidden"> : ${e.name}</span></button>
      </form>
    </td>
  </tr>`,
  )}</tbody>
</table>
<p class="hint" id="retrait-aide">${W.removeHint}</p>`;
}

function input(id: (typeof PLACE_FIELDS)[number], typed: PlaceTyped, errors: FieldErrors, o: { max: number; type?: string; hint?: string; hintRef?: string; required?: boolean; autocomplete?: string }): Html {
  const hintId = o.hint ? `${id}-indication` : (o.hintRef ?? null);
  return html`<label for="${id}">${W.labels[id]}</label>
  ${o.hint ? html`<p class="hint" id="${hintId}">${o.hint}</p>` : null}
  ${fieldError(id, errors)}
  <input type="${o.type ?? 'text'}" id="${id}" name="${id}" maxlength="${String(o.max)}" value="${typed[id] ?? ''}"${o.required ? html` required` : null} autocomplete="${o.autocomplete ?? 'off'}"${describedBy(id, errors, hintId)}>`;
}

function placeForm(csrf: string, typed: PlaceTyped, errors: FieldErrors, editing: Institution | null): Html {
  return html`<h2 id="formulaire">${editing ? W.changeTitle(editing.name) : W.addTitle}</h2>
<form method="post" action="${editing ? placePath(editing.id) : PLACES_PATH}" novalidate>
  <input type="hidden" name="csrf" value="${csrf}">
  <label for="kind">${W.labels.kind}</label>
  ${fieldError('kind', errors)}
  <select id="kind" name="kind" required${describedBy('kind', errors)}>
    ${PLACE_KINDS.map((k) => html`<option value="${k}"${(typed.kind ?? 'france-services') === k ? html` selected` : null}>${kindWords(k)}</option>`)}
  </select>
  ${input('name', typed, errors, { max: 200, required: true })}
  ${input('address', typed, errors, { max: 300, required: true })}
  ${input('postcode', typed, errors, { max: 5, required: true, autocomplete: 'off' })}
  ${input('city', typed, errors, { max: 100, required: true })}
  ${input('phone', typed, errors, { max: 40, type: 'tel' })}
  ${input('email', typed, errors, { max: 200, type: 'email' })}
  ${input('website', typed, errors, { max: 500, type: 'url' })}
  <label for="hoursNote">${W.labels.hoursNote}</label>
  <p class="hint" id="hoursNote-indication">${W.hints.hoursNote}</p>
  ${fieldError('hoursNote', errors)}
  <textarea id="hoursNote" name="hoursNote" rows="3" maxlength="500"${describedBy('hoursNote', errors, 'hoursNote-indication')}>${typed.hoursNote ?? ''}</textarea>
  <p class="hint" id="position-indication">${W.hints.position}</p>
  ${input('lat', typed, errors, { max: 20, hintRef: 'position-indication' })}
  ${input('lon', typed, errors, { max: 20, hintRef: 'position-indication' })}
  <div>
    <button type="submit">${editing ? W.save : W.add}</button>
    ${editing ? html`<a class="button secondary" href="${PLACES_PATH}">${W.cancel}</a>` : null}
  </div>
</form>`;
}

function searchSection(search: { q: string; result: DirectorySearch | null; bad: boolean } | null): Html {
  const q = search?.q ?? '';
  const r = search?.result ?? null;
  return html`<h2>${W.searchTitle}</h2>
<form method="get" action="${PLACES_PATH}" role="search">
  <label for="q">${W.searchLabel}</label>
  <p class="hint" id="q-indication">${W.searchHint}</p>
  ${search?.bad ? html`<p class="field-error" id="q-erreur"><span class="visually-hidden">Erreur : </span>${W.searchBad}</p>` : null}
  <input type="search" id="q" name="q" maxlength="100" value="${q}" aria-describedby="q-indication${search?.bad ? ' q-erreur' : ''}"${search?.bad ? html` aria-invalid="true"` : null}>
  <div><button type="submit">${W.searchButton}</button></div>
</form>
${
  r === null
    ? null
    : r.institutions.length === 0
      ? html`<p role="status">${W.searchNone(q)}</p>`
      : html`<p role="status">${W.searchFound(r.institutions.length, r.communes.map((c) => c.name).join(', ') || q)}</p>
<table>
  <thead><tr><th scope="col">${W.columns.name}</th><th scope="col">${W.columns.kind}</th><th scope="col">${W.columns.address}</th><th scope="col">${W.columns.phone}</th><th scope="col">${W.source}</th></tr></thead>
  <tbody>${r.institutions.map(
    (i) => html`<tr><th scope="row">${i.name}</th><td>${kindWords(i.kind)}</td><td>${i.address}, ${i.postcode} ${i.city}</td><td>${i.phone ?? '—'}</td><td>${i.source === 'local' ? W.fromHere : W.fromAnnuaire}</td></tr>`,
  )}</tbody>
</table>`
}`;
}

export function placesPage(
  account: StructureAdminAccount,
  csrf: string,
  o: {
    entries: readonly Institution[];
    editing?: Institution | null;
    typed?: PlaceTyped;
    errors?: FieldErrors;
    notice?: string | null;
    search?: { q: string; result: DirectorySearch | null; bad: boolean } | null;
  },
): string {
  const errors = o.errors ?? {};
  const editing = o.editing ?? null;
  const body = html`<h1>${W.title}</h1>
<p class="lead">${W.lead(account.structureName)}</p>
${placesTable(o.entries, csrf)}
${placeForm(csrf, o.typed ?? (editing ? typedOf(editing) : {}), errors, editing)}
${searchSection(o.search ?? null)}`;
  return layout(W.title, agentsChrome(account, csrf, o.notice, o.errors, 'places'), body);
}
