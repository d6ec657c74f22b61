/**
 * A missing piece: ask the institution that issues it (a message in the request's thread when it is the
 * one handling the request, otherwise a letter to print), see where to get it (a plain plan and the
 * addresses: no map tiles here), or choose another paper of the vault.
 */
import { useEffect, useState } from 'preact/hooks';
import type { ChecklistPiece, InstitutionItem, VaultItem } from '../../../../contract/schema.ts';
import { Dialog } from '../../components/dialog.tsx';
import { KeyField } from '../../components/keyboard.tsx';
import { dateFr } from '../../format.ts';
import { printedText } from './common.tsx';
import { kiosk } from '../../kiosk.ts';
import { t } from '../../texts.ts';
import { useTexts } from '../../voice.tsx';
import { errorText, ActionBar } from '../../components/screen.tsx';
import { Messages } from '../../components/messages.tsx';
import { Plan } from '../../components/plan.tsx';

/** Ask the issuer: in the thread when it handles the request, else a letter printed on the kiosk. */
export function AskIssuer({
  dossierId,
  piece,
  aidName,
  personName,
  threadOf,
  onClose,
  onSent,
}: {
  dossierId: string;
  piece: ChecklistPiece;
  aidName: string;
  personName: string;
  /** the sent application whose institution issues this paper: it is asked in that request's thread */
  threadOf: string | null;
  onClose: () => void;
  onSent: (notice: string) => void;
}) {
  const inThread = threadOf !== null;
  const [text, setText] = useState(inThread ? t.ask.message(aidName, piece.inLetter) : t.ask.letter(aidName, piece.inLetter, personName));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  async function go() {
    setBusy(true);
    setError(null);
    try {
      if (inThread) {
        await kiosk.call('applications.message', { dossierId, body: text, applicationId: threadOf });
        onSent(t.ask.sent(piece.issuerTo));
      } else {
        const r = await kiosk.call('applications.printLetter', { to: piece.issuerName, body: text });
        setDone(printedText(r));
      }
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog id="titre-demander" title={t.ask.title(piece.issuerTo)} onClose={onClose}>
      <p>{inThread ? t.ask.inThread : t.ask.letterHelp(piece.issuerTo)}</p>
      <KeyField id="texte-demande" labelClass="lead" label={t.ask.text} value={text} onChange={setText} multiline rows={4} text max={3000} />
      <Messages ok={done} warning={error} />
      <ActionBar>
        <button type="button" class="button primary" disabled={busy || text.trim() === ''} onClick={() => void go()}>
          {inThread ? t.ask.send : t.ask.print}
        </button>
        <button type="button" class="button secondary" onClick={onClose}>
          {done ? t.dossier.close : t.dossier.cancel}
        </button>
      </ActionBar>
    </Dialog>
  );
}

/** Where to get it: the institutions of that kind first, on a plain plan when their places are known. */
export function WhereToGet({ piece, onClose }: { piece: ChecklistPiece; onClose: () => void }) {
  const [list, setList] = useState<InstitutionItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    kiosk.call('institutions.list', {}).then((r) => setList(r.institutions), (e: unknown) => setError(errorText(e)));
  }, []);
  const matching = list?.filter((i) => i.kind === piece.issuerKind) ?? [];
  const others = list?.filter((i) => i.kind !== piece.issuerKind) ?? [];
  const numbered = [...matching, ...others];
  const located = numbered.filter((i) => i.lat !== undefined && i.lon !== undefined);
  return (
    <Dialog id="titre-ou" title={t.where.title} onClose={onClose}>
      {(list === null || matching.length > 0) && <p class="lead">{t.where.help(piece.issuerName)}</p>}
      {error && (
        <p class="message warning" role="alert">
          {error}
        </p>
      )}
      {list === null && !error && <p aria-busy="true">{t.aids.loading}</p>}
      {list && (
        <div class={located.length >= 2 ? 'where with-plan' : 'where'}>
          {located.length >= 2 && <Plan places={located} numbers={numbered} highlight={new Set(matching.map((m) => m.id))} />}
          <div>
            {matching.length === 0 ? <p class="lead">{t.where.none(piece.issuerName)}</p> : <p>{t.where.near}</p>}
            {located.length < 2 && <p class="muted">{t.where.noPlan}</p>}
            <ol class="places">
              {matching.map((i) => (
                <Place key={i.id} place={i} n={numbered.indexOf(i) + 1} strong />
              ))}
            </ol>
            {others.length > 0 && (
              <>
                <p>{t.where.others}</p>
                <ol class="places" start={matching.length + 1}>
                  {others.map((i) => (
                    <Place key={i.id} place={i} n={numbered.indexOf(i) + 1} />
                  ))}
                </ol>
              </>
            )}
          </div>
        </div>
      )}
      <ActionBar>
        <button type="button" class="button secondary" onClick={onClose}>
          {t.dossier.close}
        </button>
      </ActionBar>
    </Dialog>
  );
}

function Place({ place, n, strong = false }: { place: InstitutionItem; n: number; strong?: boolean }) {
  return (
    <li value={n} class={strong ? 'strong' : ''}>
      <span class="doc-title">{place.name}</span>
      <span class="doc-meta">
        {place.address}, {place.city}
      </span>
    </li>
  );
}

/** Another paper of the vault for this piece (only papers of the kinds it accepts). */
export function ChooseFromVault({ dossierId, piece, onClose, onChosen }: { dossierId: string; piece: ChecklistPiece; onClose: () => void; onChosen: () => void }) {
  const t = useTexts();
  const [items, setItems] = useState<VaultItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    kiosk.call('vault.list', {}).then(
      (r) => setItems(r.items.filter((i) => piece.docTypes.includes(i.docType))),
      (e: unknown) => setError(errorText(e)),
    );
  }, []);
  async function choose(item: VaultItem) {
    setBusy(true);
    setError(null);
    try {
      await kiosk.call('applications.choosePiece', { dossierId, itemId: piece.itemId, documentId: item.id });
      onChosen();
    } catch (e) {
      setError(errorText(e));
      setBusy(false);
    }
  }
  return (
    <Dialog id="titre-choisir" title={t.choose.title} onClose={onClose}>
      <p class="lead">{t.choose.help(piece.label)}</p>
      {error && (
        <p class="message warning" role="alert">
          {error}
        </p>
      )}
      {items === null && !error && <p aria-busy="true">{t.aids.loading}</p>}
      {items?.length === 0 && <p>{t.choose.none}</p>}
      {items && items.length > 0 && (
        <ul class="doc-list">
          {items.map((it) => (
            <li key={it.id}>
              <button type="button" class="doc-item" disabled={busy} onClick={() => void choose(it)}>
                <span class="doc-title">
                  <span class="sr-only">{t.choose.pick} </span>
                  {it.title}
                </span>
                <span class="doc-meta">{t.vault.added(dateFr(it.capturedAt))}</span>
                <span class="badges">
                  {it.pending && <span class="badge neutral">{t.vault.pending}</span>}
                  {it.expiry !== 'valid' && <span class="badge">{t.vault.expiry[it.expiry]}</span>}
                  {piece.document?.id === it.id && <span class="badge ok">{t.pieceStatus.present}</span>}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <ActionBar>
        <button type="button" class="button secondary" onClick={onClose}>
          {t.dossier.cancel}
        </button>
      </ActionBar>
    </Dialog>
  );
}
