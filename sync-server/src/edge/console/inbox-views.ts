/**
 * An institution's pages beside the requests: the inbox (the list, one thread with its papers, the
 * assignment and the reply) and its accounts page (its admin's). The menu shows each role the pages it
 * reaches (kernel/access-policy.ts STAFF_ACTS). Words in kernel/words/inbox.ts.
 */
import type { ConsoleAccount, InstitutionAccountView } from '../../features/accounts/index.ts';
import { MAX_REPLY_CHARS } from '../../features/inbox/index.ts';
import type { InboxFilter, InboxMessage, InboxRow, InboxThread } from '../../features/inbox/index.ts';
import { staffMay } from '../../kernel/access-policy.ts';
import { QUEUE_MENU, dateTimeWords } from '../../kernel/words/console.ts';
import { ACCOUNTS_PAGE_WORDS as A, CONSOLE_MENU_WORDS as M, INBOX_WORDS as W, ROLE_WORDS } from '../../kernel/words/inbox.ts';
import { html, multiline } from './html.ts';
import type { Html } from './html.ts';
import { CONSOLE_PREFIX, layout } from './views.ts';
import type { FieldErrors, PageChrome } from './views.ts';

export const INBOX_PATH = `${CONSOLE_PREFIX}/boite`;
export const ACCOUNTS_PATH = `${CONSOLE_PREFIX}/comptes`;
export const ACCOUNT_CHANGE_PATH = `${ACCOUNTS_PATH}/changement`;
export const ACCOUNT_CREATE_PATH = `${ACCOUNTS_PATH}/creation`;
/** built by the deposits' pages (another part of the console) */
export const DEPOSITS_PATH = `${CONSOLE_PREFIX}/depots`;
export const threadPath = (id: string) => `${INBOX_PATH}/${encodeURIComponent(id)}`;
export const attachmentPath = (threadId: string, messageId: string, documentId: string) =>
  // not-words: a path
  `${threadPath(threadId)}/papiers/${encodeURIComponent(messageId)}/${encodeURIComponent(documentId)}`;

type Page = 'queue' | 'inbox' | 'accounts' | 'deposits' | null;

/** Where an account lands after login, and from pages its role does not reach. */
export function homeOf(role: ConsoleAccount['role']): string {
  if (staffMay(role, 'request.work')) return CONSOLE_PREFIX;
  if (staffMay(role, 'inbox.read')) return INBOX_PATH;
  if (staffMay(role, 'accounts.manage')) return ACCOUNTS_PATH;
  return DEPOSITS_PATH;
}

/** The menu of an institution's account: the pages its role reaches. */
export function institutionMenu(account: ConsoleAccount, current: Page, unread?: number): NonNullable<PageChrome['menu']> {
  const out: { href: string; label: string; current?: boolean }[] = [];
  if (staffMay(account.role, 'request.work')) out.push({ href: CONSOLE_PREFIX, label: QUEUE_MENU, current: current === 'queue' });
  if (staffMay(account.role, 'inbox.read')) out.push({ href: INBOX_PATH, label: unread === undefined ? M.inbox : M.inboxUnread(unread), current: current === 'inbox' });
  if (staffMay(account.role, 'deposit')) out.push({ href: DEPOSITS_PATH, label: M.deposits, current: current === 'deposits' });
  if (staffMay(account.role, 'accounts.manage')) out.push({ href: ACCOUNTS_PATH, label: A.title, current: current === 'accounts' });
  return out;
}

export function institutionChrome(account: ConsoleAccount, csrf: string, current: Page, o: { unread?: number; notice?: string | null; errors?: FieldErrors } = {}): PageChrome {
  return {
    account,
    csrf,
    menu: institutionMenu(account, current, o.unread),
    notice: o.notice ?? undefined,
    errors: o.errors ? Object.entries(o.errors).map(([field, message]) => ({ field, message })) : undefined,
  };
}

// ---------------------------------------------------------------------------------------------------
// The inbox

const FILTERS: readonly InboxFilter[] = ['mine', 'unassigned', 'all'];
export const FILTER_PARAM: Readonly<Record<InboxFilter, string>> = { mine: 'a-moi', unassigned: 'non-attribues', all: 'tous' };

function fromWords(r: InboxRow): string {
  return r.agentName ? W.forPerson(r.agentName, r.personName) : r.personName;
}

function row(r: InboxRow): Html {
  return html`<tr${r.unread ? html` class="unread"` : null}>
  <td>${r.unread ? html`<span class="badge">${W.unread}</span>` : W.read}${r.answered ? html` <span class="tag">${W.answered}</span>` : null}</td>
  <td>${fromWords(r)}</td>
  <th scope="row"><a href="${threadPath(r.threadId)}">${r.subject}<span class="visually-hidden"> — ${fromWords(r)}${r.unread ? `, ${W.unread}` : ''}</span></a></th>
  <td>${dateTimeWords(r.receivedAt)}</td>
  <td>${W.papers(r.attachments)}</td>
  <td>${r.assignedTo ? r.assignedTo.name : W.nobody}</td>
</tr>`;
}

export function inboxPage(chrome: PageChrome, account: ConsoleAccount, o: { filter: InboxFilter; rows: InboxRow[] }): string {
  const body = html`<h1>${W.title}</h1>
<p class="lead">${W.lead(account.institutionName)}</p>
<nav aria-label="${W.filters.label}" class="filters">
  <ul>${FILTERS.map((f) => html`<li><a href="${INBOX_PATH}?voir=${FILTER_PARAM[f]}"${f === o.filter ? html` aria-current="page"` : null}>${W.filters[f]}</a></li>`)}</ul>
</nav>
${staffMay(account.role, 'inbox.assign') ? null : html`<p class="hint">${W.filterHint}</p>`}
${
  o.rows.length === 0
    ? html`<p>${W.none[o.filter]}</p>`
    : html`<table>
  <caption class="visually-hidden">${W.title} — ${W.filters[o.filter]}</caption>
  <thead><tr><th scope="col">${W.columns.state}</th><th scope="col">${W.columns.from}</th><th scope="col">${W.columns.subject}</th><th scope="col">${W.columns.received}</th><th scope="col">${W.columns.papers}</th><th scope="col">${W.columns.assigned}</th></tr></thead>
  <tbody>${o.rows.map(row)}</tbody>
</table>`
}`;
  return layout(W.title, chrome, body);
}

function authorWords(m: InboxMessage, institution: string): string {
  if (m.authorKind === 'institution') return W.thread.fromInstitution(m.authorName, institution);
  return m.authorKind === 'agent' ? W.thread.fromAgent(m.authorName) : W.thread.fromPerson(m.authorName);
}

function message(t: InboxThread, m: InboxMessage, institution: string): Html {
  return html`<li class="card message ${m.authorKind === 'institution' ? 'from-institution' : 'from-person'}">
  <h3>${authorWords(m, institution)} <span class="state-hint">— ${dateTimeWords(m.at)}</span></h3>
  ${m.body.trim() === '' ? html`<p class="hint">${W.thread.noNote}</p>` : html`<p>${multiline(m.body)}</p>`}
  ${
    m.attachments.length > 0
      ? html`<h4>${W.thread.papers}</h4>
  <ul>${m.attachments.map((a) => html`<li><a href="${attachmentPath(t.threadId, m.id, a.documentId)}" target="_blank" rel="noopener">${W.thread.see(a.title)}<span class="visually-hidden"> ${W.thread.newWindow}</span></a></li>`)}</ul>`
      : null
  }
</li>`;
}

function assignForm(account: ConsoleAccount, csrf: string, t: InboxThread, people: { accountId: string; name: string }[], errors: FieldErrors): Html {
  const action = `${threadPath(t.threadId)}/attribution`;
  const state = t.assignedTo === null ? W.assign.takeHint : t.assignedTo.accountId === account.id ? W.assign.yours : W.assign.others(t.assignedTo.name);
  if (staffMay(account.role, 'inbox.assign')) {
    return html`<section aria-labelledby="attribution-titre" class="card">
  <h2 id="attribution-titre">${W.assign.title}</h2>
  <p>${state}</p>
  <form class="inline" method="post" action="${action}">
    <input type="hidden" name="csrf" value="${csrf}">
    <div><label for="assignee">${W.assign.label}</label>
    ${errors.assignee ? html`<p class="field-error" id="assignee-erreur">${errors.assignee}</p>` : null}
    <select id="assignee" name="assignee"${errors.assignee ? html` aria-describedby="assignee-erreur" aria-invalid="true"` : null}>
      <option value="">${W.assign.nobody}</option>
      ${people.map((p) => html`<option value="${p.accountId}"${t.assignedTo?.accountId === p.accountId ? html` selected` : null}>${p.name}</option>`)}
    </select></div>
    <button type="submit" class="secondary">${W.assign.button}</button>
  </form>
</section>`;
  }
  return html`<section aria-labelledby="attribution-titre" class="card">
  <h2 id="attribution-titre">${W.assign.title}</h2>
  <p>${state}</p>
  ${
    t.assignedTo === null && staffMay(account.role, 'inbox.take')
      ? html`<form class="inline" method="post" action="${action}">
    <input type="hidden" name="csrf" value="${csrf}">
    <input type="hidden" name="assignee" value="${account.id}">
    <button type="submit">${W.assign.take}</button>
  </form>`
      : null
  }
</section>`;
}

export function threadPage(
  chrome: PageChrome,
  account: ConsoleAccount,
  t: InboxThread,
  o: { people: { accountId: string; name: string }[]; reply?: string; errors?: FieldErrors },
): string {
  const errors = o.errors ?? {};
  const first = t.messages[0];
  const body = html`<p><a href="${INBOX_PATH}">${W.thread.back}</a></p>
<h1>${W.thread.title(t.subject)}</h1>
<dl class="facts">
  <dt>${W.thread.person}</dt><dd>${t.personName}</dd>
  <dt>${W.thread.identifier}</dt><dd class="mono">${t.personIdentifier}</dd>
  <dt>${W.thread.sentOn}</dt><dd>${dateTimeWords(first?.at ?? t.createdAt)}</dd>
  <dt>${W.thread.assigned}</dt><dd>${t.assignedTo ? t.assignedTo.name : W.nobody}</dd>
</dl>
<h2 id="messages-titre">${W.thread.messages}</h2>
<p class="hint">${W.thread.seenInJournal}</p>
<ol class="plain thread" aria-labelledby="messages-titre">${t.messages.map((m) => message(t, m, account.institutionName))}</ol>
${assignForm(account, chrome.csrf ?? '', t, o.people, errors)}
<section aria-labelledby="reponse-titre" class="card" id="repondre">
  <h2 id="reponse-titre">${W.reply.title}</h2>
  <form method="post" action="${threadPath(t.threadId)}/reponse" novalidate>
    <input type="hidden" name="csrf" value="${chrome.csrf ?? ''}">
    <label for="reponse">${W.reply.label}</label>
    <p class="hint" id="reponse-aide">${W.reply.hint}</p>
    ${errors.reponse ? html`<p class="field-error" id="reponse-erreur">${errors.reponse}</p>` : null}
    <textarea id="reponse" name="body" rows="6" maxlength="${MAX_REPLY_CHARS}" aria-describedby="reponse-aide${errors.reponse ? ' reponse-erreur' : ''}"${errors.reponse ? html` aria-invalid="true"` : null}>${o.reply ?? ''}</textarea>
    <div><button type="submit">${W.reply.button}</button></div>
  </form>
</section>`;
  return layout(W.thread.title(t.subject), chrome, body);
}

// ---------------------------------------------------------------------------------------------------
// The institution's accounts (its admin's page)

const ROLES = ['institution', 'instructor', 'depositor', 'institution-admin'] as const;

function roleOptions(selected: ConsoleAccount['role'] | null): Html[] {
  return ROLES.map((r) => html`<option value="${r}"${r === selected ? html` selected` : null}>${ROLE_WORDS[r].name} — ${ROLE_WORDS[r].hint}</option>`);
}

function accountRow(a: InstitutionAccountView, me: string, csrf: string): Html {
  const id = `role-${a.login}`;
  const self = a.id === me;
  return html`<tr>
  <th scope="row">${a.displayName}${self ? html` <span class="state-hint">${A.you}</span>` : null}</th>
  <td class="mono">${a.login}</td>
  <td>${ROLE_WORDS[a.role].name}</td>
  <td>${a.disabledAt ? A.disabled : A.active}</td>
  <td>${
    self
      ? null
      : html`<form class="inline" method="post" action="${ACCOUNT_CHANGE_PATH}">
      <input type="hidden" name="csrf" value="${csrf}">
      <input type="hidden" name="login" value="${a.login}">
      <input type="hidden" name="action" value="role">
      <div><label for="${id}">${A.roleLabel}<span class="visually-hidden"> — ${a.displayName}</span></label>
      <select id="${id}" name="role">${roleOptions(a.role)}</select></div>
      <button type="submit" class="secondary">${A.changeRole}<span class="visually-hidden"> — ${a.displayName}</span></button>
    </form>
    <form class="inline" method="post" action="${ACCOUNT_CHANGE_PATH}">
      <input type="hidden" name="csrf" value="${csrf}">
      <input type="hidden" name="login" value="${a.login}">
      <input type="hidden" name="action" value="${a.disabledAt ? 'enable' : 'disable'}">
      <button type="submit" class="secondary">${a.disabledAt ? A.enable : A.disable}<span class="visually-hidden"> — ${a.displayName}</span></button>
    </form>`
  }</td>
</tr>`;
}

export function accountsPage(
  chrome: PageChrome,
  account: ConsoleAccount,
  o: { accounts: InstitutionAccountView[]; errors?: FieldErrors; typed?: { name: string; login: string; role: ConsoleAccount['role'] }; minPassword: number },
): string {
  const errors = o.errors ?? {};
  const field = (id: string) => (errors[id] ? html`<p class="field-error" id="${id}-erreur">${errors[id]}</p>` : null);
  const described = (id: string, hint?: string) => {
    const ids = [hint, errors[id] ? `${id}-erreur` : null].filter(Boolean).join(' ');
    return html`${ids ? html` aria-describedby="${ids}"` : null}${errors[id] ? html` aria-invalid="true"` : null}`;
  };
  const body = html`<h1>${A.title}</h1>
<p class="lead">${A.lead(account.institutionName)}</p>
${field('compte')}
<table>
  <caption class="visually-hidden">${A.title}</caption>
  <thead><tr><th scope="col">${A.columns.name}</th><th scope="col">${A.columns.login}</th><th scope="col">${A.columns.role}</th><th scope="col">${A.columns.state}</th><th scope="col">${A.columns.actions}</th></tr></thead>
  <tbody>${o.accounts.map((a) => accountRow(a, account.id, chrome.csrf ?? ''))}</tbody>
</table>
<section aria-labelledby="creation-titre" class="card">
  <h2 id="creation-titre">${A.createTitle}</h2>
  <form method="post" action="${ACCOUNT_CREATE_PATH}" novalidate>
    <input type="hidden" name="csrf" value="${chrome.csrf ?? ''}">
    <label for="nom">${A.nameLabel}</label>
    ${field('nom')}
    <input type="text" id="nom" name="name" maxlength="120" autocomplete="off" value="${o.typed?.name ?? ''}"${described('nom')}>
    <label for="identifiant">${A.loginLabel}</label>
    <p class="hint" id="identifiant-aide">${A.loginHint}</p>
    ${field('identifiant')}
    <input type="text" id="identifiant" name="login" maxlength="64" autocomplete="off" autocapitalize="none" spellcheck="false" value="${o.typed?.login ?? ''}"${described('identifiant', 'identifiant-aide')}>
    <label for="role-nouveau">${A.roleLabel}</label>
    <select id="role-nouveau" name="role">${roleOptions(o.typed?.role ?? 'instructor')}</select>
    <label for="mot-de-passe">${A.passwordLabel}</label>
    <p class="hint" id="mot-de-passe-aide">${A.passwordHint(o.minPassword)}</p>
    ${field('mot-de-passe')}
    <input type="password" id="mot-de-passe" name="password" maxlength="200" autocomplete="new-password"${described('mot-de-passe', 'mot-de-passe-aide')}>
    <div><button type="submit">${A.create}</button></div>
  </form>
</section>`;
  return layout(A.title, chrome, body);
}
