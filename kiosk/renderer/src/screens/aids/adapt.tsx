/**
 * An agent adapts the request's list of papers to the person's case: a piece marked not needed, or one
 * added, each with the reason the service and the person will read. The server checks who may do it.
 */
import { useState } from 'preact/hooks';
import type { ChecklistPiece } from '../../../../contract/schema.ts';
import { DOC_TYPE_TITLE } from '../../../../contract/index.ts';
import { Dialog } from '../../components/dialog.tsx';
import { KeyField } from '../../components/keyboard.tsx';
import { Messages } from '../../components/messages.tsx';
import { ActionBar, useAct } from '../../components/screen.tsx';
import { kiosk } from '../../kiosk.ts';
import { t } from '../../texts.ts';

/** The kinds of paper an added piece may be (« other »: anything the list does not name). */
const KINDS = ['proof-of-address', 'payslip', 'tax-notice', 'caf-certificate', 'identity-card', 'residence-permit', 'rib', 'health-insurance', 'other'] as const;
type Kind = (typeof KINDS)[number];

const MIN_REASON = 5;

/** Why, in a few words: the service and the person read it. */
function Reason({ value, onChange, open, onOpen }: { value: string; onChange: (v: string) => void; open?: boolean; onOpen?: () => void }) {
  return (
    <KeyField id="raison" labelClass="lead" label={t.adapt.reason} value={value} onChange={onChange} multiline rows={3} text max={300} {...(open !== undefined ? { open } : {})} {...(onOpen ? { onOpen } : {})} />
  );
}

/** « C'est fait » once the form is complete, « Annuler » always. */
function Answer({ ready, busy, onConfirm, onClose }: { ready: boolean; busy: boolean; onConfirm: () => void; onClose: () => void }) {
  return (
    <ActionBar>
      <button type="button" class="button primary" disabled={busy || !ready} onClick={onConfirm}>
        {t.adapt.confirm}
      </button>
      <button type="button" class="button secondary" onClick={onClose}>
        {t.adapt.cancel}
      </button>
    </ActionBar>
  );
}

export function NotNeeded({ dossierId, piece, onClose, onDone }: { dossierId: string; piece: ChecklistPiece; onClose: () => void; onDone: (said: string) => void }) {
  const [reason, setReason] = useState('');
  const { busy, error, act } = useAct();
  return (
    <Dialog id="titre-pas-necessaire" title={t.adapt.notNeededTitle(piece.label)} onClose={onClose}>
      <p>{t.adapt.notNeededHelp}</p>
      <Reason value={reason} onChange={setReason} />
      <Messages ok={null} warning={error} />
      <Answer
        ready={reason.trim().length >= MIN_REASON}
        busy={busy}
        onClose={onClose}
        onConfirm={() =>
          void act(async () => {
            await kiosk.call('applications.adapt', { dossierId, change: { kind: 'not-needed', itemId: piece.itemId, reason } });
            onDone(t.adapt.done['not-needed']);
          })
        }
      />
      {reason.trim().length > 0 && reason.trim().length < MIN_REASON && <p class="muted">{t.adapt.reasonShort}</p>}
    </Dialog>
  );
}

export function AddPiece({ dossierId, onClose, onDone }: { dossierId: string; onClose: () => void; onDone: (said: string) => void }) {
  const [label, setLabel] = useState('');
  const [kind, setKind] = useState<Kind | null>(null);
  const [reason, setReason] = useState('');
  /** one keyboard at a time: the field being typed */
  const [typing, setTyping] = useState<'label' | 'reason'>('label');
  const { busy, error, act } = useAct();
  const ready = label.trim().length >= 3 && kind !== null && reason.trim().length >= MIN_REASON;
  return (
    <Dialog id="titre-ajouter" title={t.adapt.addTitle} onClose={onClose}>
      <KeyField id="papier" labelClass="lead" label={t.adapt.label} value={label} onChange={setLabel} text max={120} open={typing === 'label'} onOpen={() => setTyping('label')} />
      <fieldset class="kinds">
        <legend class="lead">{t.adapt.kind}</legend>
        <div class="holder-choices">
          {KINDS.map((k) => (
            <button type="button" key={k} class="button secondary" aria-pressed={kind === k ? 'true' : 'false'} onClick={() => setKind(k)}>
              {kind === k ? '✓ ' : ''}
              {DOC_TYPE_TITLE[k]}
            </button>
          ))}
        </div>
      </fieldset>
      <Reason value={reason} onChange={setReason} open={typing === 'reason'} onOpen={() => setTyping('reason')} />
      <Messages ok={null} warning={error} />
      <Answer
        ready={ready}
        busy={busy}
        onClose={onClose}
        onConfirm={() =>
          void act(async () => {
            if (!kind) return;
            await kiosk.call('applications.adapt', { dossierId, change: { kind: 'add', label, docTypes: [kind], reason } });
            onDone(t.adapt.done.add);
          })
        }
      />
    </Dialog>
  );
}
