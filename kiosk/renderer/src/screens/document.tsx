/** One paper: its picture, what was read on it, its history; replace, print, send, delete. */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { VaultDocument, VaultItem } from '../../../contract/schema.ts';
import { paperDateWords } from '../../../contract/index.ts';
import { dateFr } from '../format.ts';
import { kiosk } from '../kiosk.ts';
import { useTexts } from '../voice.tsx';
import { Messages } from '../components/messages.tsx';
import { Confirm } from '../components/dialog.tsx';
import { Problem, errorText, ActionBar, useAct } from '../components/screen.tsx';

type Panel = null | 'delete';

const ALL_ALLOWED = { replace: true, remove: true, send: true };

export function DocumentView({
  documentId,
  onBack,
  onReplace,
  onDeleted,
  onSend,
  notice: firstNotice = null,
  allowed = ALL_ALLOWED,
}: {
  documentId: string;
  onBack: () => void;
  onReplace: (documentId: string) => void;
  onDeleted: () => void;
  /** « Envoyer à un organisme »: the sending screen, this paper chosen first */
  onSend: (item: VaultItem) => void;
  /** what to say on arrival (a sending just made from here) */
  notice?: string | null;
  /** what may be done with the paper here: an agent acting on a procuration never deletes, and replaces or sends only if the person allowed it */
  allowed?: { replace: boolean; remove: boolean; send: boolean };
}) {
  const t = useTexts();
  const [doc, setDoc] = useState<VaultDocument | null>(null);
  const [image, setImage] = useState<string | null>(null);
  const { busy, error, notice, setError, setNotice, act } = useAct(firstNotice);
  const [panel, setPanel] = useState<Panel>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    let url: string | null = null;
    let gone = false;
    kiosk.call('vault.open', { documentId }).then(
      (d) => {
        if (gone) return;
        setDoc(d);
        heading.current?.focus();
        if (d.versions[0]?.mime.startsWith('image/') || d.item.hasPreview) {
          kiosk.call('vault.image', { documentId, preview: false }).then(
            (img) => {
              if (gone) return;
              url = URL.createObjectURL(new Blob([img.bytes], { type: img.mime }));
              setImage(url);
            },
            () => undefined,
          );
        }
      },
      (e: unknown) => setError(errorText(e)),
    );
    return () => {
      gone = true;
      if (url) URL.revokeObjectURL(url);
    };
  }, [documentId]);


  const print = () =>
    act(async () => {
      const r = await kiosk.call('vault.print', { documentId });
      setNotice(r.printed ? t.doc.printed(r.pages) : t.doc.noPrinter(r.pages));
    });

  const remove = () =>
    act(async () => {
      await kiosk.call('vault.delete', { documentId });
      onDeleted();
    });

  // what was just done from here (a sending) is said even while the paper cannot be shown again (no server)
  const said = notice && (
    <p class="message ok" role="status">
      {notice}
    </p>
  );
  if (error && !doc) {
    return (
      <section aria-labelledby="titre">
        <h1 id="titre">{t.vault.title}</h1>
        {said}
        <Problem message={error} onBack={onBack} backLabel={t.vault.back} />
      </section>
    );
  }
  if (!doc) {
    return (
      <>
        {said}
        <p aria-busy="true">{t.vault.loading}</p>
      </>
    );
  }
  const current = doc.versions[0];
  const personal = doc.item.vault === 'personal';

  return (
    <section aria-labelledby="titre" class="document">
      <div inert={panel !== null}>
        <p class="lead">{doc.item.issuerTitle}</p>
        <h1 id="titre" ref={heading} tabIndex={-1}>
          {doc.item.title}
        </h1>
        {paperDateWords(doc.item.docType, doc.item.issuedOn) && <p class="paper-date">{t.vault.paperDate(paperDateWords(doc.item.docType, doc.item.issuedOn)!)}</p>}
        {doc.item.expiry !== 'valid' && (
          <p class="message warning">
            <span class="badge">{t.vault.expiry[doc.item.expiry]}</span> {t.vault.expiryHelp[doc.item.expiry]}
          </p>
        )}
        <Messages ok={notice} warning={error} />
        <div class="doc-body">
          <div class="doc-image">{image ? <img src={image} alt={t.doc.imageAlt(doc.item.title)} /> : <p class="muted">{t.doc.noImage}</p>}</div>
          <div>
            {current && current.fields.length > 0 && (
              <>
                <h2>{t.doc.read}</h2>
                <dl class="fields compact">
                  {current.fields.map((f) => (
                    <div class="field" key={f.name}>
                      <dt>{f.label}</dt>
                      <dd>
                        <span class="value">{f.value}</span>
                      </dd>
                    </div>
                  ))}
                </dl>
              </>
            )}
            <h2>{t.doc.versions}</h2>
            <ul class="versions">
              {doc.versions.map((v, i) => (
                <li key={v.version}>
                  {t.doc.version(v.version, dateFr(v.capturedAt))}
                  {i === 0 ? ` (${t.doc.current})` : ''}
                  {v.depositedBy && <span class="doc-meta"> {t.doc.depositedBy(v.depositedBy.name, v.depositedBy.structure)}</span>}
                </li>
              ))}
            </ul>
          </div>
        </div>
        {personal && (allowed.replace || allowed.remove) && (
          // changing or removing the paper: with the paper, not in the bar of what one does with it
          <div class="actions left">
            {allowed.replace && (
              <button type="button" class="button secondary" disabled={busy} onClick={() => onReplace(documentId)}>
                {t.doc.replace}
              </button>
            )}
            {allowed.remove && (
              <button type="button" class="button danger" disabled={busy} onClick={() => setPanel('delete')}>
                {t.doc.delete}
              </button>
            )}
          </div>
        )}
        <ActionBar>
          <button type="button" class="button secondary" disabled={busy} onClick={() => void print()}>
            {t.doc.print}
          </button>
          {allowed.send && (
            <button type="button" class="button secondary" disabled={busy} onClick={() => onSend(doc.item)}>
              {t.doc.send}
            </button>
          )}
          <button type="button" class="button secondary" onClick={onBack}>
            {t.vault.back}
          </button>
        </ActionBar>
      </div>
      {panel === 'delete' && (
        <Confirm
          titleId="titre-suppr"
          helpId="aide-suppr"
          title={t.doc.deleteTitle}
          help={t.doc.deleteHelp}
          yes={t.doc.deleteYes}
          no={t.doc.deleteNo}
          busy={busy}
          onYes={() => void remove()}
          onNo={() => setPanel(null)}
        />
      )}
    </section>
  );
}
