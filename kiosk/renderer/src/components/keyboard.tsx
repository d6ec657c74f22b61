/** An on-screen AZERTY keyboard (the tablet has no other): big keys, accents, digits. */
import { t } from '../texts.ts';

const ROWS = ['1234567890', 'azertyuiop', 'qsdfghjklm', 'wxcvbné’-'];
/** for writing sentences (messages, letters): punctuation and the other accents */
const TEXT_ROW = '.,?!:èàçù@';

export function Keyboard({ onKey, onErase, text = false, label }: { onKey: (ch: string) => void; onErase: () => void; text?: boolean; label?: string }) {
  const rows = text ? [...ROWS, TEXT_ROW] : ROWS;
  return (
    <div class="keyboard" role="group" aria-label={label ?? t.keyboard.label}>
      {rows.map((row) => (
        <div class="kb-row" key={row}>
          {[...row].map((ch) => (
            <button type="button" class="kb-key" key={ch} onClick={() => onKey(ch)}>
              {ch}
            </button>
          ))}
        </div>
      ))}
      <div class="kb-row">
        {text && (
          <button type="button" class="kb-key wide" onClick={() => onKey('\n')}>
            {t.keyboard.newLine}
          </button>
        )}
        <button type="button" class="kb-key wide" onClick={() => onKey(' ')}>
          {t.keyboard.space}
        </button>
        <button type="button" class="kb-key wide" onClick={onErase}>
          {t.keyboard.erase}
        </button>
      </div>
    </div>
  );
}
