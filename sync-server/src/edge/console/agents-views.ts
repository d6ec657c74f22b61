/**
 * The structure admin's page: the structure's agents (name, card identifier, level, last visit, state),
 * a form per agent to change the level and to suspend or reactivate, and a form to attach an agent by
 * the identifier on their card. Words in kernel/words/console.ts (AGENT_PAGE_WORDS, LEVEL_WORDS).
 */
import { CompetenceLevel } from '../../../protocol/agents.ts';
import type { StructureAgent } from '../../features/agents/index.ts';
import type { StructureProcuration } from '../../features/procurations/index.ts';
import type { StructureAdminAccount } from '../../features/accounts/index.ts';
import { AGENT_PAGE_WORDS as W, dateTimeWords, dateWords, LEVEL_WORDS, PLACES_PAGE_WORDS } from '../../kernel/words/console.ts';
import { html } from './html.ts';
import type { Html } from './html.ts';
import { CONSOLE_PREFIX, layout } from './views.ts';
import type { FieldErrors } from './views.ts';

export const AGENTS_PATH = `${CONSOLE_PREFIX}/agents`;
export const AGENT_CHANGE_PATH = `${AGENTS_PATH}/changement`;
export const PROCURATION_WITHDRAW_PATH = `${AGENTS_PATH}/procuration-retrait`;

/** A structure admin's pages: its agents, and the places it added to the directory; `current` marks the one shown. */
export function agentsChrome(account: StructureAdminAccount, csrf: string, notice?: string | null, errors?: FieldErrors, current: 'agents' | 'places' = 'agents') {
  return {
    account: { displayName: account.displayName, institutionName: account.structureName },
    menu: [
      { href: AGENTS_PATH, label: W.menu, current: current === 'agents' },
      { href: `${CONSOLE_PREFIX}/lieux`, label: PLACES_PAGE_WORDS.menu, current: current === 'places' },
    ],
    csrf,
    notice: notice ?? undefined,
    errors: errors ? Object.entries(errors).map(([field, message]) => ({ field, message })) : undefined,
  };
}

function stateWords(a: StructureAgent): string {
  if (a.suspendedAt === null) return W.active;
  return a.suspendedReason === 'inactive' ? W.suspendedInactive : W.suspendedAdmin;
}

function levelOptions(selected: CompetenceLevel | null): Html[] {
  return CompetenceLevel.options.map(
    (l) => html`<option value="${l}"${l === selected ? html` selected` : null}>${LEVEL_WORDS[l].name} — ${LEVEL_WORDS[l].hint}</option>`,
  );
}

function agentRow(a: StructureAgent, csrf: string): Html {
  const id = `niveau-${a.identifier}`;
  return html`<tr>
  <th scope="row">${a.firstName} ${a.lastName}</th>
  <td>${a.identifier}</td>
  <td>${LEVEL_WORDS[a.level].name}</td>
  <td>${a.lastActiveAt ? dateTimeWords(a.lastActiveAt) : W.never}</td>
  <td>${stateWords(a)}</td>
  <td>
    <form class="inline" method="post" action="${AGENT_CHANGE_PATH}">
      <input type="hidden" name="csrf" value="${csrf}">
      <input type="hidden" name="identifier" value="${a.identifier}">
      <input type="hidden" name="action" value="level">
      <div><label for="${id}">${W.levelLabel}</label>
      <select id="${id}" name="level">${levelOptions(a.level)}</select></div>
      <button type="submit" class="secondary">${W.changeLevel}</button>
    </form>
    <form class="inline" method="post" action="${AGENT_CHANGE_PATH}">
      <input type="hidden" name="csrf" value="${csrf}">
      <input type="hidden" name="identifier" value="${a.identifier}">
      <input type="hidden" name="action" value="${a.suspendedAt === null ? 'suspend' : 'reactivate'}">
      <button type="submit" class="secondary">${a.suspendedAt === null ? W.suspend : W.reactivate}</button>
    </form>
  </td>
</tr>`;
}

function procurationRow(p: StructureProcuration, csrf: string): Html {
  const id = `raison-${p.id}`;
  return html`<tr>
  <th scope="row">${p.personName}<br><span class="hint mono">${p.personIdentifier}</span></th>
  <td>${p.agentName}</td>
  <td>${p.actionsWords.join(', ')}</td>
  <td>${W.procurations.dates(dateWords(p.from), dateWords(p.until))}</td>
  <td>
    <form class="inline" method="post" action="${PROCURATION_WITHDRAW_PATH}">
      <input type="hidden" name="csrf" value="${csrf}">
      <input type="hidden" name="id" value="${p.id}">
      <div><label for="${id}">${W.procurations.reasonLabel}</label>
      <input type="text" id="${id}" name="reason" maxlength="300"></div>
      <button type="submit" class="danger">${W.procurations.withdraw}</button>
    </form>
  </td>
</tr>`;
}

function procurationsSection(list: readonly StructureProcuration[], csrf: string): Html {
  const c = W.procurations.columns;
  return html`<h2>${W.procurations.title}</h2>
<p>${W.procurations.lead}</p>
${
  list.length === 0
    ? html`<p>${W.procurations.none}</p>`
    : html`<table>
  <thead><tr><th scope="col">${c.person}</th><th scope="col">${c.agent}</th><th scope="col">${c.allows}</th><th scope="col">${c.dates}</th><th scope="col">${c.action}</th></tr></thead>
  <tbody>${list.map((p) => procurationRow(p, csrf))}</tbody>
</table>`
}`;
}

export function agentsPage(
  account: StructureAdminAccount,
  csrf: string,
  o: { agents: StructureAgent[]; procurations?: readonly StructureProcuration[]; notice?: string | null; errors?: FieldErrors; typed?: { identifier: string; level: CompetenceLevel | null } },
): string {
  const errors = o.errors ?? {};
  const c = W.columns;
  const body = html`<h1>${W.title}</h1>
<p class="lead">${W.lead(account.structureName)}</p>
${
  o.agents.length === 0
    ? html`<p>${W.none}</p>`
    : html`<table>
  <thead><tr><th scope="col">${c.name}</th><th scope="col">${c.identifier}</th><th scope="col">${c.level}</th><th scope="col">${c.lastActive}</th><th scope="col">${c.state}</th><th scope="col">${c.actions}</th></tr></thead>
  <tbody>${o.agents.map((a) => agentRow(a, csrf))}</tbody>
</table>`
}
<h2>${W.attachTitle}</h2>
<form method="post" action="${AGENT_CHANGE_PATH}" novalidate>
  <input type="hidden" name="csrf" value="${csrf}">
  <input type="hidden" name="action" value="attach">
  <label for="identifier">${W.identifierLabel}</label>
  <p class="hint" id="identifier-aide">${W.attachHint}</p>
  ${errors.identifier ? html`<p class="field-error" id="identifier-erreur">${errors.identifier}</p>` : null}
  <input type="text" id="identifier" name="identifier" maxlength="40" autocomplete="off" spellcheck="false" value="${o.typed?.identifier ?? ''}" aria-describedby="identifier-aide${errors.identifier ? ' identifier-erreur' : ''}"${errors.identifier ? html` aria-invalid="true"` : null}>
  <label for="level">${W.levelLabel}</label>
  <select id="level" name="level">${levelOptions(o.typed?.level ?? 'accueil')}</select>
  <div><button type="submit">${W.attach}</button></div>
</form>
${procurationsSection(o.procurations ?? [], csrf)}`;
  return layout(W.title, agentsChrome(account, csrf, o.notice, o.errors), body);
}
