/**
 * Camera preview and still capture. getUserMedia runs here (Chromium owns the camera); the still goes
 * to the core as JPEG bytes and nothing of it is kept in the page afterwards.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { CaptureAnalysis } from '../../../contract/schema.ts';
import { kiosk } from '../kiosk.ts';
import { t } from '../texts.ts';

export function Scan({ onRead, onCancel }: { onRead: (a: CaptureAnalysis) => void; onCancel: () => void }) {
  const video = useRef<HTMLVideoElement>(null);
  const [ready, setReady] = useState(false);
  const [busy, setBusy] = useState(false);
  const [progress, setProgress] = useState(0);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let stream: MediaStream | null = null;
    let cancelled = false;
    navigator.mediaDevices
      .getUserMedia({ video: { width: { ideal: 1920 }, height: { ideal: 1080 } }, audio: false })
      .then(async (s) => {
        if (cancelled) return s.getTracks().forEach((tr) => tr.stop());
        stream = s;
        const v = video.current;
        if (!v) return;
        v.srcObject = s;
        await v.play();
        setReady(true);
      })
      .catch(() => setError(t.scan.noCamera));
    const off = kiosk.on((e) => {
      if (e.type === 'ocr.progress') setProgress(e.progress);
    });
    return () => {
      cancelled = true;
      off();
      stream?.getTracks().forEach((tr) => tr.stop());
      if (video.current) video.current.srcObject = null;
    };
  }, []);

  async function take() {
    const v = video.current;
    if (!v || busy) return;
    setBusy(true);
    setError(null);
    setProgress(0);
    try {
      const canvas = document.createElement('canvas');
      canvas.width = v.videoWidth;
      canvas.height = v.videoHeight;
      canvas.getContext('2d')!.drawImage(v, 0, 0);
      const blob = await new Promise<Blob | null>((r) => canvas.toBlob(r, 'image/jpeg', 0.92));
      canvas.width = 0;
      if (!blob) throw new Error(t.scan.noCamera);
      const image = new Uint8Array(await blob.arrayBuffer());
      const analysis = await kiosk.call('capture.analyse', { image, mime: 'image/jpeg' });
      onRead(analysis);
    } catch (err) {
      setError(err instanceof Error ? err.message : t.error);
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="titre">
      <h1 id="titre">{t.scan.title}</h1>
      <p>{t.scan.help}</p>
      <div class="camera">
        <video ref={video} muted playsInline aria-label="Image de la caméra" />
        <div class="frame-guide" aria-hidden="true" />
      </div>
      {busy && (
        <div class="progress" role="status" aria-live="polite">
          <span>{t.scan.reading}</span>
          <progress max={1} value={progress} aria-label={t.scan.reading} />
        </div>
      )}
      {error && (
        <p class="message warning" role="alert">
          {error}
        </p>
      )}
      <div class="actions">
        <button type="button" class="button primary" onClick={() => void take()} disabled={!ready || busy}>
          {t.scan.take}
        </button>
        <button type="button" class="button secondary" onClick={onCancel} disabled={busy}>
          {t.scan.cancel}
        </button>
      </div>
    </section>
  );
}
