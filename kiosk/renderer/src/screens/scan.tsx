/**
 * Camera preview and still capture. getUserMedia runs here (Chromium owns the camera); the still goes
 * to the core as JPEG bytes and nothing of it is kept in the page afterwards.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { CaptureAnalysis } from '../../../contract/schema.ts';
import { kiosk } from '../kiosk.ts';
import { t } from '../texts.ts';
import { errorText, ActionBar } from '../components/screen.tsx';

/** Automatic capture can be switched off with `#…&auto=0` in the address (tests that press the button). */
const AUTO = !/[#&]auto=0(&|$)/.test(location.hash);
const STEADY_CHECKS = 5;

export function Scan({ onRead, onCancel, addTo, otherSide }: { onRead: (a: CaptureAnalysis) => void; onCancel: () => void; addTo?: string; otherSide?: boolean }) {
  const video = useRef<HTMLVideoElement>(null);
  const [ready, setReady] = useState(false);
  const [busy, setBusy] = useState(false);
  const [progress, setProgress] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [steady, setSteady] = useState(0);
  const [lost, setLost] = useState(false);
  /** each attempt at opening the camera (again, after it was lost) */
  const [attempt, setAttempt] = useState(0);
  const busyRef = useRef(false);

  useEffect(() => {
    let stream: MediaStream | null = null;
    let cancelled = false;
    navigator.mediaDevices
      .getUserMedia({ video: { width: { ideal: 1920 }, height: { ideal: 1080 } }, audio: false })
      .then(async (s) => {
        if (cancelled) return s.getTracks().forEach((tr) => tr.stop());
        stream = s;
        // unplugged, or taken by the system: say so, offer to try again; nothing half-read is kept
        for (const track of s.getVideoTracks()) {
          track.addEventListener('ended', () => {
            if (cancelled) return;
            setReady(false);
            setLost(true);
            setError(t.scan.cameraLost);
          });
        }
        const v = video.current;
        if (!v) return;
        v.srcObject = s;
        await v.play();
        setLost(false);
        setError(null);
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
  }, [attempt]);

  // automatic capture: a still frame (the document lies flat, nobody moves), sharp and lit, for ~1.5 s
  useEffect(() => {
    if (!AUTO || !ready) return;
    const probe = document.createElement('canvas');
    probe.width = 160;
    probe.height = 90;
    const ctx = probe.getContext('2d', { willReadFrequently: true });
    let previous: Uint8ClampedArray | null = null;
    let count = 0;
    let fired = false;
    const timer = setInterval(() => {
      const v = video.current;
      if (!v || !ctx || busyRef.current || fired) return;
      ctx.drawImage(v, 0, 0, 160, 90);
      const rgba = ctx.getImageData(0, 0, 160, 90).data;
      const grey = new Uint8ClampedArray(160 * 90);
      for (let i = 0; i < grey.length; i++) grey[i] = (rgba[i * 4]! * 3 + rgba[i * 4 + 1]! * 6 + rgba[i * 4 + 2]!) / 10;
      const q = frameQuality(grey, previous);
      previous = grey;
      count = q.still && q.sharp && q.lit ? count + 1 : 0;
      setSteady(count);
      if (count >= STEADY_CHECKS) {
        fired = true;
        void take();
      }
    }, 300);
    return () => clearInterval(timer);
  }, [ready]);

  async function take() {
    const v = video.current;
    if (!v || busyRef.current) return;
    busyRef.current = true;
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
      const analysis = addTo
        ? await kiosk.call('capture.addPage', { captureId: addTo, image, mime: 'image/jpeg' })
        : await kiosk.call('capture.analyse', { image, mime: 'image/jpeg' });
      onRead(analysis);
    } catch (err) {
      setError(errorText(err));
      busyRef.current = false;
      setBusy(false);
      setSteady(0);
    }
  }

  return (
    <section aria-labelledby="titre">
      <h1 id="titre">{addTo ? (otherSide ? t.scan.otherSide : t.scan.nextPage) : t.scan.title}</h1>
      <p>{t.scan.help}</p>
      {AUTO && ready && !busy && (
        <p class="muted" role="status" aria-live="polite">
          {steady > 0 ? t.scan.holdStill : t.scan.auto}
        </p>
      )}
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
      <ActionBar>
        {lost ? (
          <button type="button" class="button primary" onClick={() => setAttempt((a) => a + 1)}>
            {t.scan.retry}
          </button>
        ) : (
          <button type="button" class="button primary" onClick={() => void take()} disabled={!ready || busy}>
            {t.scan.take}
          </button>
        )}
        <button type="button" class="button secondary" onClick={onCancel} disabled={busy}>
          {t.scan.cancel}
        </button>
      </ActionBar>
    </section>
  );
}

/** Between two small grey frames: nobody moves, the picture is sharp, there is light. */
function frameQuality(grey: Uint8ClampedArray, previous: Uint8ClampedArray | null): { still: boolean; sharp: boolean; lit: boolean } {
  let diff = 0;
  let lap = 0;
  let sum = 0;
  const w = 160;
  for (let i = 0; i < grey.length; i++) {
    sum += grey[i]!;
    if (previous) diff += Math.abs(grey[i]! - previous[i]!);
    const x = i % w;
    if (x > 0 && x < w - 1 && i > w && i < grey.length - w) lap += Math.abs(4 * grey[i]! - grey[i - 1]! - grey[i + 1]! - grey[i - w]! - grey[i + w]!);
  }
  const n = grey.length;
  return { still: previous !== null && diff / n < 3, sharp: lap / n > 6, lit: sum / n > 50 };
}
