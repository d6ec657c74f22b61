/**
 * The simulator's page ("Simulateur de boîtier"): the box (LED ring with its meaning in words, the
 * latches, the button, the USB cable), its two slots, and the cards of the folder. Plain HTML forms,
 * no JavaScript; styles carry the CSP nonce. French, for the people running the demo.
 */
import { indicatorOf, type Indicator } from '../hid/indicators.ts';
import type { LedCommand } from '../hid/protocol.ts';
import type { CardSummary } from './card-directory.ts';

export type SlotNumber = 0 | 1;

export interface PageSlot {
  slot: SlotNumber;
  reader: string;
  card: CardSummary | { serial: string; holder: string; identifier: string } | null;
  locked: boolean;
}

export interface PageBox {
  url: string;
  plugged: boolean;
  hosts: number;
  hasLatch: boolean;
  hasButton: boolean;
  led: LedCommand;
}

export const SLOT_NAME: Record<SlotNumber, string> = { 0: 'emplacement principal', 1: 'second emplacement' };
const SLOT_IN: Record<SlotNumber, string> = { 0: 'dans l’emplacement principal', 1: 'dans le second emplacement' };
const SLOT_FROM: Record<SlotNumber, string> = { 0: 'de l’emplacement principal', 1: 'du second emplacement' };
const SLOT_TITLE: Record<SlotNumber, string> = { 0: 'Emplacement principal', 1: 'Second emplacement' };

export const NOTICES: Record<string, { text: string; error: boolean }> = {
  inseree: { text: 'La carte est dans le boîtier.', error: false },
  retiree: { text: 'La carte a été retirée.', error: false },
  'retrait-force': { text: 'La carte a été arrachée du boîtier verrouillé. La tablette doit fermer la session.', error: false },
  'carte-inconnue': { text: 'Cette carte est introuvable.', error: true },
  'boitier-verrouille': {
    text: 'Le boîtier est verrouillé : il retient la carte pendant la session. Terminez la session sur la tablette, ou forcez le retrait.',
    error: true,
  },
  'emplacement-verrouille': { text: 'Cet emplacement est verrouillé : on ne peut pas y glisser de carte pour le moment.', error: true },
  bouton: { text: 'Le bouton du boîtier a été pressé.', error: false },
  'sans-bouton': { text: "Ce boîtier n'a pas de bouton.", error: true },
  'boitier-debranche': { text: 'Le boîtier est débranché : la tablette ne le voit plus.', error: false },
  'boitier-branche': { text: 'Le boîtier est rebranché.', error: false },
  'boitier-absent': { text: 'Le boîtier est débranché. Rebranchez-le d’abord.', error: true },
  'lecteur-indisponible': {
    text: 'Le lecteur ne répond pas. Vérifiez que le service des cartes à puce (pcscd) fonctionne.',
    error: true,
  },
  erreur: { text: 'Une erreur est survenue. Réessayez.', error: true },
};

const MEANING: Record<Indicator, string> = {
  off: 'éteint',
  waiting: 'en attente d’une carte',
  reading: 'lecture de la carte en cours',
  ok: 'tout va bien (session ouverte ou opération réussie)',
  error: 'erreur (carte refusée, code faux…)',
  attention: 'la personne doit agir (reprendre sa carte, répondre)',
};

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function colourName(led: LedCommand): string {
  const { r, g, b } = led;
  const max = Math.max(r, g, b);
  if (max === 0) return 'noir';
  if (r > 200 && g > 200 && b > 200) return 'blanc';
  if (b === max && b > r * 2) return 'bleu';
  if (g === max && g > r * 2 && g > b * 2) return 'vert';
  if (r === max && g < r / 4 && b < r / 4) return 'rouge';
  if (r === max && g >= r / 4 && b < r / 4) return 'orange';
  return `couleur #${[r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

/** The ring in words, e.g. "bleu, respiration lente — en attente d’une carte". */
export function ledInWords(led: LedCommand): { words: string; indicator: Indicator | null } {
  const indicator = indicatorOf(led);
  if (led.pattern === 'off') return { words: 'éteint', indicator };
  const s = (led.periodMs / 1000).toLocaleString('fr-FR', { maximumFractionDigits: 1 });
  const pattern: Record<LedCommand['pattern'], string> = {
    off: 'éteint',
    steady: 'allumé fixe',
    blink: `clignotant (${s} s)`,
    breathe: `respiration lente (${s} s)`,
    spin: `tournant (un tour en ${s} s)`,
  };
  const meaning = indicator ? MEANING[indicator] : 'état non prévu par la tablette';
  return { words: `${colourName(led)}, ${pattern[led.pattern]} — ${meaning}`, indicator };
}

function ringCss(led: LedCommand): string {
  if (led.pattern === 'off') return '.ring{border-color:#bbb;border-style:dashed}';
  const colour = `rgb(${led.r},${led.g},${led.b})`;
  const anim: Record<LedCommand['pattern'], string> = {
    off: '',
    steady: '',
    blink: `animation:blink ${led.periodMs}ms steps(1,end) infinite`,
    breathe: `animation:breathe ${led.periodMs}ms ease-in-out infinite`,
    spin: `border-top-color:transparent;animation:spin ${led.periodMs}ms linear infinite`,
  };
  return `.ring{border-color:${colour};${anim[led.pattern]}}`;
}

function form(action: string, fields: Record<string, string>, label: string, cls = ''): string {
  const inputs = Object.entries(fields)
    .map(([k, v]) => `<input type="hidden" name="${k}" value="${escapeHtml(v)}">`)
    .join('');
  return `<form method="post" action="${action}">${inputs}<button type="submit"${cls ? ` class="${cls}"` : ''}>${label}</button></form>`;
}

function holderOf(card: NonNullable<PageSlot['card']>): string {
  return escapeHtml(card.holder || `Carte ${card.serial}`);
}

export function renderPage(opts: { cards: CardSummary[]; slots: PageSlot[]; box: PageBox; notice: string | null; nonce: string }): string {
  const { cards, slots, box, notice, nonce } = opts;
  const where = new Map(slots.filter((s) => s.card).map((s) => [s.card!.serial, s.slot]));
  const summary = slots.some((s) => s.card)
    ? slots.map((s) => `${SLOT_TITLE[s.slot]} : ${s.card ? `carte de ${holderOf(s.card)} (n° ${s.card.serial})` : 'vide'}.`).join(' ')
    : 'Aucune carte dans le boîtier.';
  const n = notice ? NOTICES[notice] : undefined;
  const noticeHtml = n ? `<p class="${n.error ? 'notice error' : 'notice'}" role="${n.error ? 'alert' : 'status'}">${n.text}</p>` : '';

  const led = ledInWords(box.led);
  const latchText = !box.hasLatch
    ? 'ce boîtier n’a pas de verrou.'
    : slots.map((s) => `${SLOT_NAME[s.slot]} ${s.locked ? '<strong>verrouillé</strong>' : 'libre'}`).join(', ') + '.';
  const link = box.plugged
    ? `branché ; ${box.hosts === 0 ? 'aucune tablette connectée' : box.hosts === 1 ? 'une tablette connectée' : `${box.hosts} tablettes connectées`}`
    : '<strong>débranché</strong>';

  const boxHtml = `<section aria-labelledby="t-boitier">
<h2 id="t-boitier">Le boîtier</h2>
<div class="box">
<div class="ring" aria-hidden="true"></div>
<ul class="facts">
<li><strong>Voyant :</strong> ${led.words}.</li>
<li><strong>Verrou :</strong> ${latchText}</li>
<li><strong>Câble USB :</strong> ${link}. <span class="mono">${escapeHtml(box.url)}</span></li>
</ul>
</div>
<div class="actions">
${box.hasButton ? form('/form/button', {}, 'Bouton du boîtier') : ''}
${box.plugged ? form('/form/box', { plugged: '0' }, 'Débrancher le boîtier (câble USB)', 'secondary') : form('/form/box', { plugged: '1' }, 'Rebrancher le boîtier (câble USB)')}
</div>
</section>`;

  const slotItems = slots
    .map((s) => {
      const title = `<h3>${SLOT_TITLE[s.slot]} <span class="small">(lecteur ${escapeHtml(s.reader)})</span></h3>`;
      if (!s.card) {
        return `<li>${title}<p>Vide${s.locked ? ' — <strong>verrouillé</strong>' : ''}.</p></li>`;
      }
      const who = holderOf(s.card);
      const body = s.locked
        ? `<p class="warn" id="lock-${s.slot}">Le boîtier est verrouillé : la carte de ${who} est retenue pendant la session. Pour la reprendre, terminez la session sur la tablette.</p>
${form('/form/remove', { slot: String(s.slot), force: '1' }, `Forcer le retrait de la carte de ${who}`, 'danger')}
<p class="small">Forcer le retrait simule une carte arrachée : la tablette doit quand même fermer la session.</p>`
        : form('/form/remove', { slot: String(s.slot) }, `Retirer la carte de ${who} ${SLOT_FROM[s.slot]}`);
      return `<li class="in">${title}<p>Carte de ${who} (n° <span class="mono">${s.card.serial}</span>).</p>${body}</li>`;
    })
    .join('\n');

  const cardItems = cards
    .map((c) => {
      const who = escapeHtml(c.holder || `Carte ${c.serial}`);
      const pin =
        c.pinTriesLeft === 0
          ? '<strong>Code PIN bloqué</strong>'
          : `Code PIN : ${c.pinTriesLeft} essai${c.pinTriesLeft > 1 ? 's' : ''} restant${c.pinTriesLeft > 1 ? 's' : ''}`;
      const slot = where.get(c.serial);
      const action =
        slot !== undefined
          ? `<p><span class="badge">${SLOT_IN[slot]}</span></p>`
          : `<div class="actions">${([0, 1] as const)
              .map((n) => form('/form/insert', { serial: c.serial, slot: String(n) }, `Insérer la carte de ${who} ${SLOT_IN[n]}`, n === 1 ? 'secondary' : ''))
              .join('')}</div>`;
      return `<li${slot !== undefined ? ' class="in" aria-current="true"' : ''}><h3>${who}</h3>
<p>Identifiant : <span class="mono">${escapeHtml(c.identifier || '—')}</span><br>N° de carte : <span class="mono">${c.serial}</span><br>${pin}</p>
${action}</li>`;
    })
    .join('\n');

  return `<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Simulateur de boîtier</title>
<style nonce="${nonce}">
body{font-family:system-ui,sans-serif;margin:0;background:#f6f6f6;color:#161616;font-size:1.1rem;line-height:1.5}
main{max-width:48rem;margin:0 auto;padding:1.5rem}
h1{font-size:1.8rem;margin:.5rem 0 1rem}
h2{font-size:1.3rem;margin-top:1.5rem}
h3{font-size:1.15rem;margin:0 0 .25rem}
ul{list-style:none;padding:0}
li{background:#fff;border:2px solid #ddd;border-radius:8px;padding:1rem;margin:0 0 1rem}
li.in{border-color:#000091}
.facts li{border:0;padding:0;margin:0 0 .25rem;background:none}
.box{display:flex;gap:1.5rem;align-items:center;background:#fff;border:2px solid #ddd;border-radius:8px;padding:1rem}
.ring{flex:none;width:4.5rem;height:4.5rem;border-radius:50%;border:.8rem solid #bbb;box-sizing:border-box}
${ringCss(box.led)}
@keyframes blink{50%{opacity:.1}}
@keyframes breathe{50%{opacity:.25}}
@keyframes spin{to{transform:rotate(360deg)}}
@media (prefers-reduced-motion:reduce){.ring{animation:none}}
.badge{background:#000091;color:#fff;border-radius:4px;padding:0 .4rem;font-size:.95rem}
.mono{font-family:ui-monospace,monospace}
.small{font-size:.95rem;font-weight:normal;color:#3a3a3a}
.slot{font-size:1.2rem;font-weight:600}
.notice{padding:.75rem;border-left:6px solid #18753c;background:#fff}
.notice.error{border-color:#ce0500}
.warn{border-left:6px solid #b34000;padding:.25rem .75rem;background:#fff4ec}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;margin-top:.75rem}
form{margin:.25rem 0}
button{font:inherit;padding:.6rem 1rem;border-radius:6px;border:2px solid #000091;background:#000091;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#000091}
button.danger{background:#ce0500;border-color:#ce0500;color:#fff}
button:focus-visible,a:focus-visible{outline:3px solid #0a76f6;outline-offset:2px}
a{color:#000091}
</style>
</head>
<body>
<main>
<h1>Simulateur de boîtier</h1>
<p class="slot" role="status">${summary}</p>
${noticeHtml}
${boxHtml}
<section aria-labelledby="t-emplacements">
<h2 id="t-emplacements">Les emplacements</h2>
<ul>
${slotItems}
</ul>
</section>
<section aria-labelledby="t-cartes">
<h2 id="t-cartes">Cartes disponibles</h2>
${cards.length ? `<ul>\n${cardItems}\n</ul>` : '<p>Aucune carte. Créez les cartes de démonstration avec <code>npm run card -- seed-demo</code>.</p>'}
</section>
<p><a href="/">Actualiser la page</a> (le voyant change quand la tablette le commande)</p>
</main>
</body>
</html>
`;
}
