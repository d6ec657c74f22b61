/** An on-screen AZERTY keyboard (the tablet has no other): big keys, accents, digits. */
import { t } from '../texts.ts';

const ROWS = ['1234567890', 'azertyuiop', 'qsdfghjklm', 'wxcvbné’-'];

export function Keyboard({ onKey, onErase }: { onKey: (ch: string) => void; onErase: () => void }) {
  return (
    <div class="keyboard" role="group" aria-label={t.keyboard.label}>
      {ROWS.map((row) => (
        <div class="kb-row" key={row}>
          {[...row].map((ch) => (
            <button type="button" class="kb-key" key={ch} onClick={() => onKey(ch)}>
              {ch}
            </button>
          ))}
        </div>
      ))}
      <div class="kb-row">
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
