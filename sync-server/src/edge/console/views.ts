/**
 * The console's pages. Plain HTML forms (no JavaScript): every action is a POST carrying the session's
 * CSRF token, answered by a redirect (303) on success or by the same page with the errors tied to their
 * fields (aria-describedby, aria-invalid) and listed at the top.
 */
import type { ApplicationEvent, ApplicationState } from '../../features/applications/index.ts';
import { MAX_MESSAGE_CHARS } from '../../features/applications/index.ts';
import { html, multiline } from './html.ts';
import type { Html } from './html.ts';
import { ACTION_WORDS, ADJUSTMENT_WORDS, ALL_QUEUE, QUEUE_MENU, dateTimeWords, dateWords, EVENT_WORDS, PIECES_ARRIVED, situationWords, stateWords } from '../../kernel/words/console.ts';
import { CONFIRM_WORDS, ELIGIBILITY_WORDS, HOLDER_WORDS, PAPER_WORDS, SEARCH_WORDS, SECTION_WORDS, TERMS_WORDS, termsWords } from '../../kernel/words/console.ts';
import type { ApplicationDetail, PieceView, QueueRow } from '../../features/applications/index.ts';
import type { ConsoleAccount } from '../../features/accounts/index.ts';

export const CONSOLE_PREFIX = '/console';
export const STYLE_PATH = `${CONSOLE_PREFIX}/style.css`;
export const LOGIN_PATH = `${CONSOLE_PREFIX}/connexion`;
export const LOGOUT_PATH = `${CONSOLE_PREFIX}/deconnexion`;
export const applicationPath = (id: string) => `${CONSOLE_PREFIX}/demandes/${encodeURIComponent(id)}`;
/** a piece's bytes (journaled), shown inside the paper page */
export const piecePath = (id: string, itemId: string) => `${applicationPath(id)}/pieces/${encodeURIComponent(itemId)}`;
/** a paper's page: its image and the fields read on it, beside the request */
export const paperPath = (id: string, itemId: string) => `${applicationPath(id)}/papiers/${encodeURIComponent(itemId)}`;

/** Field errors of a form: field id → message. */
export type FieldErrors = Record<string, string>;

export interface PageChrome {
  /** who is signed in, and what they work for (an institution, or a structure for its admin) */
  account: Pick<ConsoleAccount, 'displayName' | 'institutionName'> | null;
  /** the menu's first link (default: the queue) */
  home?: { href: string; label: string } | undefined;
  /** an institution account's menu: the pages its role reaches (replaces `home`); `current` marks the page shown */
  menu?: readonly { href: string; label: string; current?: boolean }[] | undefined;
  csrf: string | null;
  /** a message after a successful action (role=status) */
  notice?: string | undefined;
  /** errors listed at the top (role=alert), each linking to its field */
  errors?: { field: string | null; message: string }[] | undefined;
}

function errorSummary(errors: PageChrome['errors']): Html | null {
  if (!errors || errors.length === 0) return null;
  return html`<div class="error-summary" role="alert" aria-labelledby="erreurs-titre">
  <h2 id="erreurs-titre">Il y a un problème</h2>
  <ul>${errors.map((e) => html`<li>${e.field ? html`<a href="#${e.field}">${e.message}</a>` : e.message}</li>`)}</ul>
</div>`;
}

export function layout(title: string, chrome: PageChrome, body: Html): string {
  const hasErrors = (chrome.errors?.length ?? 0) > 0;
  const account = chrome.account;
  return `<!doctype html>\n${html`<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${hasErrors ? 'Erreur : ' : ''}${title} — Traitement des demandes</title>
<link rel="stylesheet" href="${STYLE_PATH}">
</head>
<body>
<a class="skip" href="#contenu">Aller au contenu</a>
<header class="top">
  <p class="brand">Facilitateur — traitement des demandes</p>
  ${
    account
      ? html`<nav aria-label="Menu principal">
    <ul>
      ${
        chrome.menu
          ? chrome.menu.map((m) => html`<li><a href="${m.href}"${m.current ? html` aria-current="page"` : null}>${m.label}</a></li>`)
          : html`<li>${chrome.home ? html`<a href="${chrome.home.href}">${chrome.home.label}</a>` : html`<a href="${CONSOLE_PREFIX}">${QUEUE_MENU}</a>`}</li>`
      }
      <li class="who">${account.displayName} — ${account.institutionName}</li>
      <li><form method="post" action="${LOGOUT_PATH}"><input type="hidden" name="csrf" value="${chrome.csrf ?? ''}"><button type="submit">Se déconnecter</button></form></li>
    </ul>
  </nav>`
      : null
  }
</header>
<main id="contenu" tabindex="-1">
${errorSummary(chrome.errors)}
${chrome.notice ? html`<div class="notice" role="status">${chrome.notice}</div>` : null}
${body}
</main>
</body>
</html>`.text}\n`;
}

/** A field's error under its label, which the field names in aria-describedby. */
export function fieldError(id: string, errors: FieldErrors): Html | null {
  const m = errors[id];
  return m ? html`<p class="field-error" id="${id}-erreur"><span class="visually-hidden">Erreur : </span>${m}</p>` : null;
}

/** A field's aria-describedby (its hint, its error) and aria-invalid. */
export function describedBy(id: string, errors: FieldErrors, hint?: string | null): Html {
  const ids = [hint, errors[id] ? `${id}-erreur` : null].filter(Boolean).join(' ');
  return html`${ids ? html` aria-describedby="${ids}"` : null}${errors[id] ? html` aria-invalid="true"` : null}`;
}

// ---------------------------------------------------------------------------------------------------
// Login

export function loginPage(o: { csrf: string; login?: string; message?: string | null; errors?: FieldErrors; formError?: string | null }): string {
  const errors = o.errors ?? {};
  const list = [
    ...(o.formError ? [{ field: 'login', message: o.formError }] : []),
    ...Object.entries(errors).map(([field, message]) => ({ field, message })),
  ];
  const body = html`<div class="login">
<h1>Se connecter</h1>
<p class="lead">Cet espace sert aux chefs de service pour traiter les demandes d’aide envoyées à leur organisme.</p>
${o.message ? html`<div class="notice" role="status">${o.message}</div>` : null}
<form method="post" action="${LOGIN_PATH}" novalidate>
  <input type="hidden" name="csrf" value="${o.csrf}">
  <label for="login">Identifiant</label>
  ${fieldError('login', errors)}
  <input type="text" id="login" name="login" autocomplete="username" autocapitalize="none" spellcheck="false" maxlength="64" required value="${o.login ?? ''}"${describedBy('login', errors)}>
  <label for="password">Mot de passe</label>
  ${fieldError('password', errors)}
  <input type="password" id="password" name="password" autocomplete="current-password" maxlength="200" required${describedBy('password', errors)}>
  <div><button type="submit">Se connecter</button></div>
</form>
</div>`;
  return layout('Se connecter', { account: null, csrf: null, errors: list }, body);
}

// ---------------------------------------------------------------------------------------------------
// Queue

/** The queue's states, in the order of the filter. */
export const QUEUE_STATES = ['submitted', 'in-processing', 'information-requested'] as const satisfies readonly ApplicationState[];

/** A state: its one name, and what the service has to do about it beside it. */
function stateCell(state: ApplicationState): Html {
  const { name, hint } = stateWords(state);
  return html`${name}${hint ? html` <span class="state-hint">(${hint})</span>` : null}`;
}

function stateOption(state: ApplicationState): string {
  const { name, hint } = stateWords(state);
  return hint ? `${name} (${hint})` : name;
}

function unreadCell(n: number): Html {
  if (n === 0) return html`<span class="visually-hidden">Aucun</span><span aria-hidden="true">—</span>`;
  return html`<span class="badge">${n}</span> <span class="visually-hidden">${n === 1 ? 'message sans réponse' : 'messages sans réponse'}</span>`;
}

function searchForm(q: string): Html {
  return html`<form class="inline search" method="get" action="${CONSOLE_PREFIX}" role="search">
  <div>
    <label for="q">${SEARCH_WORDS.label}</label>
    <p class="hint" id="q-aide">${SEARCH_WORDS.hint}</p>
    <input type="search" id="q" name="q" value="${q}" maxlength="100" autocomplete="off" spellcheck="false" aria-describedby="q-aide">
  </div>
  <button type="submit">${SEARCH_WORDS.button}</button>
</form>`;
}

/** The search's answer: the requests of this institution that match, whatever their state. */
export function searchPage(chrome: PageChrome, o: { q: string; rows: QueueRow[] }): string {
  const body = html`<h1>Chercher une demande</h1>
${searchForm(o.q)}
<p role="status">${SEARCH_WORDS.results(o.q, o.rows.length)}</p>
${
  o.rows.length === 0
    ? null
    : html`<table>
  <caption>Demandes trouvées, la plus récente en premier</caption>
  <thead><tr><th scope="col">Aide demandée</th><th scope="col">Personne</th><th scope="col">${SEARCH_WORDS.receipt}</th><th scope="col">Envoyée le</th><th scope="col">État</th></tr></thead>
  <tbody>
  ${o.rows.map(
    (r) => html`<tr>
    <th scope="row"><a href="${applicationPath(r.id)}">${r.aidName}<span class="visually-hidden"> — demande de ${r.personName}</span></a></th>
    <td>${r.personName}</td>
    <td class="mono">${r.receiptNumber ?? '—'}</td>
    <td>${dateWords(r.submittedAt)}</td>
    <td>${stateCell(r.state)}</td>
  </tr>`,
  )}
  </tbody>
</table>`
}
<p><a href="${CONSOLE_PREFIX}">${SEARCH_WORDS.clear}</a></p>`;
  return layout(`Recherche « ${o.q} »`, chrome, body);
}

export function queuePage(chrome: PageChrome, o: { filter: string; rows: QueueRow[]; decisions: QueueRow[] }): string {
  const options: [string, string][] = [['toutes', ALL_QUEUE], ...QUEUE_STATES.map((s): [string, string] => [s, stateOption(s)])];
  const account = chrome.account!;
  const body = html`<h1>Demandes à traiter</h1>
<p class="lead">Les demandes envoyées à ${account.institutionName}, la plus ancienne en premier.</p>
${searchForm('')}
<form class="inline" method="get" action="${CONSOLE_PREFIX}">
  <div>
    <label for="etat">Montrer</label>
    <select id="etat" name="etat">
      ${options.map(([v, l]) => html`<option value="${v}"${v === o.filter ? html` selected` : null}>${l}</option>`)}
    </select>
  </div>
  <button type="submit" class="secondary">Afficher</button>
</form>
${
  o.rows.length === 0
    ? html`<p>Aucune demande à traiter pour le moment.</p>`
    : html`<table>
  <caption>${o.rows.length} ${o.rows.length === 1 ? 'demande' : 'demandes'}</caption>
  <thead><tr><th scope="col">Aide demandée</th><th scope="col">Personne</th><th scope="col">Envoyée le</th><th scope="col">État</th><th scope="col">Messages de la personne sans réponse</th></tr></thead>
  <tbody>
  ${o.rows.map(
    (r) => html`<tr>
    <th scope="row"><a href="${applicationPath(r.id)}">${r.aidName}<span class="visually-hidden"> — demande de ${r.personName}</span></a></th>
    <td>${r.personName}</td>
    <td>${dateWords(r.submittedAt)}</td>
    <td>${stateCell(r.state)}</td>
    <td>${unreadCell(r.unread)}</td>
  </tr>`,
  )}
  </tbody>
</table>`
}
<h2>Décisions récentes</h2>
${
  o.decisions.length === 0
    ? html`<p>Aucune décision pour le moment.</p>`
    : html`<table>
  <caption>Les ${o.decisions.length} dernières décisions</caption>
  <thead><tr><th scope="col">Aide demandée</th><th scope="col">Personne</th><th scope="col">Décision</th><th scope="col">Le</th><th scope="col">Motif</th></tr></thead>
  <tbody>
  ${o.decisions.map(
    (r) => html`<tr>
    <th scope="row"><a href="${applicationPath(r.id)}">${r.aidName}<span class="visually-hidden"> — demande de ${r.personName}</span></a></th>
    <td>${r.personName}</td>
    <td>${stateCell(r.state)}</td>
    <td>${dateWords(r.decidedAt)}</td>
    <td>${r.decisionReason ? multiline(r.decisionReason) : '—'}</td>
  </tr>`,
  )}
  </tbody>
</table>`
}`;
  return layout('Demandes à traiter', chrome, body);
}

// ---------------------------------------------------------------------------------------------------
// One application

export interface ApplicationForms {
  /** which form the errors belong to, and what was typed (kept on the page) */
  action?: ApplicationEvent | 'message';
  message?: string;
  pieces?: string[];
  /** an acceptance's amount and start date, as typed */
  amount?: string;
  start?: string;
  errors?: FieldErrors;
}

const fieldId = (action: ApplicationEvent | 'message') => `texte-${action}`;
/** the ids of the acceptance's fields and of the confirmation boxes (errors point at them) */
export const AMOUNT_FIELD = 'montant';
export const START_FIELD = 'debut';
export const confirmFieldId = (action: ApplicationEvent) => `confirme-${action}`;

function termsFieldset(forms: ApplicationForms, errors: FieldErrors, mine: boolean): Html {
  return html`<fieldset class="terms">
    <legend>${TERMS_WORDS.legend}</legend>
    <label for="${AMOUNT_FIELD}">${TERMS_WORDS.amountLabel}</label>
    <p class="hint" id="${AMOUNT_FIELD}-aide">${TERMS_WORDS.amountHint}</p>
    ${fieldError(AMOUNT_FIELD, errors)}
    <input type="text" id="${AMOUNT_FIELD}" name="montant" inputmode="decimal" autocomplete="off" maxlength="40" class="short" value="${mine ? (forms.amount ?? '') : ''}"${describedBy(AMOUNT_FIELD, errors, `${AMOUNT_FIELD}-aide`)}>
    <label for="${START_FIELD}">${TERMS_WORDS.startLabel}</label>
    <p class="hint" id="${START_FIELD}-aide">${TERMS_WORDS.startHint}</p>
    ${fieldError(START_FIELD, errors)}
    <input type="date" id="${START_FIELD}" name="debut" min="2000-01-01" max="2100-12-31" class="short" value="${mine ? (forms.start ?? '') : ''}"${describedBy(START_FIELD, errors, `${START_FIELD}-aide`)}>
  </fieldset>`;
}

function confirmBox(event: ApplicationEvent, errors: FieldErrors): Html | null {
  const words = CONFIRM_WORDS[event];
  if (!words) return null;
  const id = confirmFieldId(event);
  // never ticked in advance, not even when the page comes back with an error: the decision is confirmed each time
  return html`<div class="confirm">
    ${fieldError(id, errors)}
    <div class="check"><input type="checkbox" id="${id}" name="confirme" value="oui" required${describedBy(id, errors)}><label for="${id}">${words}</label></div>
  </div>`;
}

function actionForm(d: ApplicationDetail, csrf: string, event: ApplicationEvent, forms: ApplicationForms): Html | null {
  const words = ACTION_WORDS[event];
  if (!words) return null;
  const mine = forms.action === event;
  const errors = mine ? (forms.errors ?? {}) : {};
  const id = fieldId(event);
  const hintId = `${id}-aide`;
  const withText = event === 'request-information' || event === 'accept' || event === 'refuse';
  const required = event === 'request-information' || event === 'refuse';
  const label = event === 'request-information' ? 'Votre question' : event === 'refuse' ? 'Raison du refus' : 'Mot pour la personne (facultatif)';
  const buttonClass = event === 'refuse' ? 'danger' : event === 'close' ? 'secondary' : '';
  const piecesFieldset =
    event === 'request-information' && d.pieces.length > 0
      ? html`<fieldset id="pieces-demandees"${errors['pieces-demandees'] ? html` aria-describedby="pieces-demandees-erreur"` : null}>
    <legend>Papiers à donner de nouveau (facultatif)</legend>
    ${fieldError('pieces-demandees', errors)}
    ${d.pieces.map((p, i) => {
      const cid = `piece-${i}`;
      const checked = mine && (forms.pieces ?? []).includes(p.itemId);
      return html`<div class="check"><input type="checkbox" id="${cid}" name="pieces" value="${p.itemId}"${checked ? html` checked` : null}><label for="${cid}">${p.label}${p.title ? html` (${p.title})` : null}</label></div>`;
    })}
  </fieldset>`
      : null;
  return html`<section class="card" aria-labelledby="action-${event}">
  <h3 id="action-${event}">${words.title}</h3>
  <form method="post" action="${applicationPath(d.app.id)}/decision" novalidate>
    <input type="hidden" name="csrf" value="${csrf}">
    <input type="hidden" name="action" value="${event}">
    ${
      withText
        ? html`<label for="${id}">${label}${required ? html` <span class="visually-hidden">(obligatoire)</span>` : null}</label>
    <p class="hint" id="${hintId}">${words.hint}</p>
    ${fieldError(id, errors)}
    <textarea id="${id}" name="message" maxlength="${MAX_MESSAGE_CHARS}" rows="4"${required ? html` required` : null}${describedBy(id, errors, hintId)}>${mine ? (forms.message ?? '') : ''}</textarea>`
        : html`<p class="hint">${words.hint}</p>`
    }
    ${event === 'accept' ? termsFieldset(forms, errors, mine) : null}
    ${piecesFieldset}
    ${confirmBox(event, errors)}
    <button type="submit"${buttonClass ? html` class="${buttonClass}"` : null}>${words.button}</button>
  </form>
</section>`;
}

function fieldsList(p: PieceView): Html {
  return p.fields.length === 0
    ? html`<p class="hint">${SECTION_WORDS.noFields}</p>`
    : html`<dl class="facts fields">${p.fields.map((f) => html`<dt>${f.label}</dt><dd${f.name === 'iban' ? html` class="mono"` : null}>${f.value}</dd>`)}</dl>`;
}

/** A paper in another name: said first on its card, with the person's answer. */
function holderNote(h: NonNullable<PieceView['holder']>): Html {
  const answer = h.answer === null ? HOLDER_WORDS.notAsked : h.answer.answer === 'mine' ? HOLDER_WORDS.mine : HOLDER_WORDS.household(h.answer.relation);
  return html`<div class="holder-mismatch" role="note"><p><strong>${h.reason === 'name' ? HOLDER_WORDS.name(h.paperName) : HOLDER_WORDS.birthDate(h.paperName)}</strong></p><p>${answer}</p></div>`;
}

function pieceCard(d: ApplicationDetail, p: PieceView, i: number): Html {
  const hid = `papier-${i}`;
  return html`<li class="card paper" aria-labelledby="${hid}">
  <h3 id="${hid}">${p.label}</h3>
  ${p.requestedAt ? html`<p class="requested">Redemandé le ${dateWords(p.requestedAt)}${p.requestMessage ? html` : ${p.requestMessage}` : null}</p>` : null}
  ${p.adjustment ? html`<p class="adjusted" role="note">${p.adjustment.kind === 'added' ? ADJUSTMENT_WORDS.added(p.adjustment.by, p.adjustment.reason) : ADJUSTMENT_WORDS.notNeeded(p.adjustment.by, p.adjustment.reason)}</p>` : null}
  ${
    p.hasFile
      ? html`<p>${p.title ?? '—'}${p.docTypeTitle ? html` <span class="hint">(${p.docTypeTitle})</span>` : null} — version ${p.version ?? '—'}${
          p.attachedAt ? html`, ${p.requestedAt && p.attachedAt > p.requestedAt ? 'donné de nouveau' : 'donné'} le ${dateTimeWords(p.attachedAt)}` : null
        }</p>
  ${p.holder ? holderNote(p.holder) : null}
  <h4>${SECTION_WORDS.fieldsRead}</h4>
  ${fieldsList(p)}
  <p><a href="${paperPath(d.app.id, p.itemId)}">${SECTION_WORDS.seePaper}<span class="visually-hidden"> : ${p.label}</span></a></p>`
      : p.adjustment?.kind === 'not-needed'
        ? null
        : html`<p>${ADJUSTMENT_WORDS.notGiven}</p>`
  }
</li>`;
}

export function applicationPage(chrome: PageChrome, d: ApplicationDetail, forms: ApplicationForms = {}): string {
  const csrf = chrome.csrf ?? '';
  const msgErrors = forms.action === 'message' ? (forms.errors ?? {}) : {};
  const msgId = fieldId('message');
  const sig = d.signature;
  const terms = termsWords(d.terms);
  const termsRow = (t: ApplicationDetail['history'][number]) => (t.event === 'accept' && terms ? html`<br><strong>${terms}</strong>` : null);
  // the evidence first (the person, the papers with what was read on them, the signature), then what
  // happened, then the decisions: a decision is taken after reading, not before
  const body = html`<p><a href="/console">← Retour aux demandes à traiter</a></p>
<h1>${d.aidName} — ${d.person.name}</h1>
<p class="lead">État : <strong>${stateCell(d.app.state)}</strong>. Envoyée le ${dateWords(d.app.submitted_at)}.${sig?.receiptNumber ? html` Numéro de reçu : <span class="mono">${sig.receiptNumber}</span>.` : null}</p>
${d.app.decision_reason ? html`<p><strong>Motif de la décision :</strong> ${multiline(d.app.decision_reason)}</p>` : null}
${terms ? html`<p><strong>${TERMS_WORDS.terms} :</strong> ${terms}</p>` : null}
${d.events.length > 0 ? html`<p><a href="#decisions">${SECTION_WORDS.toActions}</a></p>` : null}

<h2>La personne</h2>
<dl class="facts">
  <dt>Nom</dt><dd>${d.person.name}</dd>
  <dt>Identifiant</dt><dd class="mono">${d.person.identifier}</dd>
  <dt>Date de naissance</dt><dd>${dateWords(d.person.birthDate)}</dd>
</dl>

${
  d.warnings.length > 0
    ? html`<div class="eligibility" role="note" aria-labelledby="conditions">
  <h2 id="conditions">${ELIGIBILITY_WORDS.title}</h2>
  <ul>${d.warnings.map((w) => html`<li>${w.text} <span class="hint">(${w.source})</span></li>`)}</ul>
  <p>${ELIGIBILITY_WORDS.told}</p>
</div>`
    : null
}

<h2 id="papiers">${SECTION_WORDS.pieces}</h2>
${
  d.pieces.length === 0
    ? html`<p>Aucun papier pour cette demande.</p>`
    : html`<ul class="papers">${d.pieces.map((p, i) => pieceCard(d, p, i))}</ul>
<p class="hint">Chaque papier que vous ouvrez est noté dans le journal que la personne peut lire.</p>`
}

<h2>Sa situation, comme elle l’a déclarée</h2>
${
  d.situation
    ? html`<dl class="facts">${situationWords(d.situation).map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>`
    : html`<p>Pas de situation déclarée.</p>`
}

<h2>Les autres aides demandées en même temps</h2>
${
  d.otherAids.length === 0
    ? html`<p>Aucune : cette aide a été demandée seule.</p>`
    : html`<table>
  <caption>Aides du même dossier</caption>
  <thead><tr><th scope="col">Aide</th><th scope="col">Organisme</th><th scope="col">État</th></tr></thead>
  <tbody>${d.otherAids.map((o) => html`<tr><td>${o.aidName}</td><td>${o.institutionName}</td><td>${stateCell(o.state)}</td></tr>`)}</tbody>
</table>`
}

<h2>La signature</h2>
${
  sig
    ? html`<dl class="facts">
  <dt>Signée par</dt><dd>${sig.signerName ?? 'Personne inconnue'}${sig.signer ? html` (<span class="mono">${sig.signer}</span>)` : null}</dd>
  <dt>Comment</dt><dd>${sig.ground ?? '—'}</dd>
  <dt>Carte utilisée</dt><dd class="mono">${sig.cardSerial ?? '—'}</dd>
  <dt>Signée le</dt><dd>${dateTimeWords(sig.signedAt)}</dd>
  <dt>Envoyée le</dt><dd>${dateTimeWords(sig.submittedAt)}</dd>
  <dt>Numéro de reçu</dt><dd class="mono">${sig.receiptNumber ?? '—'}</dd>
  <dt>Empreinte de ce qui a été signé (SHA-256)</dt><dd class="mono">${sig.manifestSha256 ?? '—'}</dd>
</dl>`
    : html`<p>Pas de signature enregistrée.</p>`
}

<h2 id="historique">${SECTION_WORDS.history}</h2>
<table>
  <caption>Historique de la demande, du plus ancien au plus récent</caption>
  <thead><tr><th scope="col">Quand</th><th scope="col">Quoi</th><th scope="col">Qui</th><th scope="col">Message</th></tr></thead>
  <tbody>${d.history.map(
    (t) =>
      html`<tr><td>${dateTimeWords(t.at)}</td><td>${t.event === 'information-provided' && t.actor.kind === 'system' ? PIECES_ARRIVED : EVENT_WORDS[t.event]}${termsRow(t)}</td><td>${t.actorName}</td><td>${t.message ? multiline(t.message) : '—'}</td></tr>`,
  )}</tbody>
</table>

<h2 id="echanges">Les échanges avec la personne</h2>
${
  d.messages.length === 0
    ? html`<p>Aucun message pour le moment.</p>`
    : html`<ol class="thread">${d.messages.map(
        (m) => html`<li class="${m.authorKind === 'institution' ? 'service' : 'personne'}">
    <p class="meta"><strong>${m.authorName}</strong>, le ${dateTimeWords(m.createdAt)}</p>
    <p class="body">${multiline(m.body)}</p>
  </li>`,
      )}</ol>`
}
<form method="post" action="${applicationPath(d.app.id)}/message" novalidate>
  <input type="hidden" name="csrf" value="${csrf}">
  <label for="${msgId}">Écrire à la personne</label>
  <p class="hint" id="${msgId}-aide">Elle lira votre message sur la tablette. ${MAX_MESSAGE_CHARS} caractères au plus.</p>
  ${fieldError(msgId, msgErrors)}
  <textarea id="${msgId}" name="body" maxlength="${MAX_MESSAGE_CHARS}" rows="4" required${describedBy(msgId, msgErrors, `${msgId}-aide`)}>${forms.action === 'message' ? (forms.message ?? '') : ''}</textarea>
  <div><button type="submit">Envoyer le message</button></div>
</form>

<h2 id="decisions">${SECTION_WORDS.actions}</h2>
${
  d.events.length === 0
    ? html`<p>Aucune action possible : ${stateWords(d.app.state).name.toLowerCase()}.</p>`
    : html`<div class="actions">${d.events.map((e) => actionForm(d, csrf, e, forms))}</div>`
}`;
  return layout(`${d.aidName} — ${d.person.name}`, chrome, body);
}

/** One paper beside its request: the image (or a link to the PDF) and what was read on it. */
export function paperPage(chrome: PageChrome, d: ApplicationDetail, p: PieceView): string {
  const back = html`<p><a href="${applicationPath(d.app.id)}#papiers">← ${PAPER_WORDS.back}<span class="visually-hidden"> : ${d.aidName}, ${d.person.name}</span></a></p>`;
  const file = piecePath(d.app.id, p.itemId);
  const isImage = p.mime === 'image/png' || p.mime === 'image/jpeg' || p.mime === 'image/webp';
  const body = html`${back}
<h1>${p.label}</h1>
<p class="lead">${d.aidName} — ${d.person.name}</p>
<div class="paper-page">
  <section aria-labelledby="lu">
    <h2 id="lu">${SECTION_WORDS.fieldsRead}</h2>
    <dl class="facts">
      ${p.docTypeTitle ? html`<dt>${PAPER_WORDS.kind}</dt><dd>${p.docTypeTitle}</dd>` : null}
      <dt>${PAPER_WORDS.document}</dt><dd>${p.title ?? '—'}</dd>
      <dt>${PAPER_WORDS.version}</dt><dd>${p.version ?? '—'}</dd>
      ${p.attachedAt ? html`<dt>${PAPER_WORDS.given}</dt><dd>${dateTimeWords(p.attachedAt)}</dd>` : null}
    </dl>
    ${fieldsList(p)}
  </section>
  <section aria-labelledby="image">
    <h2 id="image">Le papier</h2>
    ${
      isImage
        ? html`<img class="paper-image" src="${file}" alt="${PAPER_WORDS.image(p.label)}">`
        : p.mime === 'application/pdf'
          ? html`<p>${PAPER_WORDS.pdf} <a href="${file}">${PAPER_WORDS.openPdf}<span class="visually-hidden"> : ${p.label}</span></a></p>`
          : html`<p>${PAPER_WORDS.notImage} <a href="${file}">${PAPER_WORDS.download}</a></p>`
    }
    <p class="hint">${PAPER_WORDS.journal}</p>
  </section>
</div>
${back}`;
  return layout(`${p.label} — ${d.aidName} — ${d.person.name}`, chrome, body);
}

export function messageFieldId(action: ApplicationEvent | 'message'): string {
  return fieldId(action);
}

// ---------------------------------------------------------------------------------------------------
// Errors

export function errorPage(chrome: PageChrome, o: { title: string; text: string; back?: { href: string; label: string } }): string {
  return layout(
    o.title,
    chrome,
    html`<h1>${o.title}</h1>
<p>${o.text}</p>
<p><a href="${o.back?.href ?? CONSOLE_PREFIX}">${o.back?.label ?? 'Retour aux demandes à traiter'}</a></p>`,
  );
}
