/** The kiosk's overlays: a dialog with its focused title, and the yes/no confirmation of an act that cannot be undone. */
import { useEffect, useRef } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import { ActionBar } from './screen.tsx';

export function Dialog({ id, title, children, onClose }: { id: string; title: string; children: ComponentChildren; onClose: () => void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  return (
    <div class="overlay">
      <div class="dialog wide" role="dialog" aria-modal="true" aria-labelledby={id}>
        <h2 id={id} class="h1" ref={heading} tabIndex={-1}>
          {title}
        </h2>
        {children}
      </div>
    </div>
  );
}

/** "Voulez-vous vraiment … ?": the safe answer has the focus, the other one is the danger button. */
export function Confirm({
  titleId,
  helpId,
  title,
  help,
  yes,
  no,
  busy,
  onYes,
  onNo,
}: {
  titleId: string;
  helpId: string;
  title: string;
  help: string;
  yes: string;
  no: string;
  busy: boolean;
  onYes: () => void;
  onNo: () => void;
}) {
  return (
    <div class="overlay">
      <div class="dialog center" role="alertdialog" aria-modal="true" aria-labelledby={titleId} aria-describedby={helpId}>
        <h2 id={titleId} class="h1">
          {title}
        </h2>
        <p id={helpId}>{help}</p>
        <ActionBar>
          <button type="button" class="button danger" disabled={busy} onClick={onYes}>
            {yes}
          </button>
          <button type="button" class="button secondary" autoFocus onClick={onNo}>
            {no}
          </button>
        </ActionBar>
      </div>
    </div>
  );
}
