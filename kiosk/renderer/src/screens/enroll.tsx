/**
 * First start (staff only): this tablet is not linked to the server yet. Staff type the one-time code
 * the server's staff tooling printed (`npm run staff -- kiosk enroll`). A revoked tablet says so and
 * stays out of service.
 */
import { useState } from 'preact/hooks';
import type { DeviceStatus } from '../../../contract/schema.ts';
import { KeyField } from '../components/keyboard.tsx';
import { kiosk } from '../kiosk.ts';
import { t } from '../texts.ts';
import { errorText } from '../components/screen.tsx';

export function EnrollScreen({ device }: { device: DeviceStatus }) {
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  if (device.state === 'revoked') {
    return (
      <section class="center" aria-labelledby="titre">
        <h1 id="titre" class="warning">
          {t.enroll.revokedTitle}
        </h1>
        <p role="alert">{t.enroll.revokedHelp}</p>
      </section>
    );
  }

  async function submit(): Promise<void> {
    setBusy(true);
    setProblem(null);
    try {
      await kiosk.call('device.enroll', { code });
    } catch (e) {
      setProblem(errorText(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="titre">
      <h1 id="titre">{t.enroll.title}</h1>
      <p class="lead">{t.enroll.help}</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <KeyField
          id="code-enregistrement"
          label={t.enroll.label}
          inputClass="code-input"
          value={code}
          onChange={setCode}
          max={40}
          {...(problem ? { describedBy: 'probleme-enregistrement' } : {})}
        />
        <div class="search-row">
          <button type="submit" class="button primary" disabled={busy || code.trim() === ''}>
            {t.enroll.submit}
          </button>
        </div>
      </form>
      {problem && (
        <p id="probleme-enregistrement" class="message warning" role="alert">
          {problem}
        </p>
      )}
      {busy && <p role="status">{t.enroll.busy}</p>}
    </section>
  );
}
