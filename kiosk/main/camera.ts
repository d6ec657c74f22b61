/**
 * The document camera: its settings (resolution, frame rate, focus, which device) from the environment,
 * validated, as the `getUserMedia` constraints the renderer should use; and, in test builds only,
 * Chromium's fake-camera switches fed with a y4m/mjpeg file (DESIGN.md §7).
 */
import { isAbsolute } from 'node:path';
import { z } from 'zod';

type Env = Record<string, string | undefined>;

const Focus = z.union([
  z.literal('continuous'),
  z.literal('single-shot'),
  // a fixed focus for a document camera on a stand: manual:<distance in the camera's units>
  z.templateLiteral(['manual:', z.number()]),
]);

export const CameraEnv = z.object({
  FAC_CAMERA_WIDTH: z.coerce.number().int().min(320).max(7680).default(1920),
  FAC_CAMERA_HEIGHT: z.coerce.number().int().min(240).max(4320).default(1080),
  FAC_CAMERA_FPS: z.coerce.number().int().min(1).max(60).default(15),
  FAC_CAMERA_FOCUS: Focus.default('continuous'),
  /** a substring of the document camera's label, when the tablet has another camera (the selfie one) */
  FAC_CAMERA_LABEL: z.string().max(128).regex(/^[\w .:()-]*$/).optional(),
});

export interface CameraSettings {
  width: number;
  height: number;
  frameRate: number;
  focus: { mode: 'continuous' | 'single-shot' } | { mode: 'manual'; distance: number };
  label: string | null;
}

export class CameraConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid camera configuration: ${problems.join('; ')}`);
    this.name = 'CameraConfigError';
  }
}

export function cameraSettings(env: Env): CameraSettings {
  const picked = Object.fromEntries(Object.keys(CameraEnv.shape).map((k) => [k, env[k] === '' ? undefined : env[k]]));
  const r = CameraEnv.safeParse(picked);
  if (!r.success) throw new CameraConfigError(r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  const c = r.data;
  const focus: CameraSettings['focus'] = c.FAC_CAMERA_FOCUS.startsWith('manual:')
    ? { mode: 'manual', distance: Number(c.FAC_CAMERA_FOCUS.slice('manual:'.length)) }
    : { mode: c.FAC_CAMERA_FOCUS as 'continuous' | 'single-shot' };
  return { width: c.FAC_CAMERA_WIDTH, height: c.FAC_CAMERA_HEIGHT, frameRate: c.FAC_CAMERA_FPS, focus, label: c.FAC_CAMERA_LABEL ?? null };
}

/** Plain-data MediaStreamConstraints for `getUserMedia` (focus goes in `advanced`: not every camera has it). */
export function cameraConstraints(s: CameraSettings) {
  const focus = s.focus.mode === 'manual' ? { focusMode: 'manual', focusDistance: s.focus.distance } : { focusMode: s.focus.mode };
  return {
    audio: false,
    video: {
      width: { ideal: s.width },
      height: { ideal: s.height },
      frameRate: { ideal: s.frameRate },
      advanced: [focus],
    },
  } as const;
}

/** A fake-camera file Chromium can play: absolute, .y4m or .mjpeg, nothing that could split a switch. */
const FakeVideo = z
  .string()
  .max(1024)
  .refine((p) => isAbsolute(p), 'absolute path expected')
  .refine((p) => /\.(y4m|mjpeg)$/i.test(p), '.y4m or .mjpeg expected')
  .refine((p) => !/[\0\n\r,=]/.test(p), 'forbidden character');

/**
 * Command-line switches for Chromium. Fake camera only in a test build: a production kiosk ignores
 * FAC_FAKE_CAMERA_Y4M even if someone sets it.
 */
export function fakeCameraSwitches(testBuild: boolean, env: Env): Array<[string] | [string, string]> {
  const switches: Array<[string] | [string, string]> = [];
  if (!testBuild) return switches;
  const file = env.FAC_FAKE_CAMERA_Y4M;
  if (file !== undefined && file !== '') {
    const r = FakeVideo.safeParse(file);
    if (!r.success) throw new CameraConfigError([`FAC_FAKE_CAMERA_Y4M: ${r.error.issues[0]?.message ?? 'invalid'}`]);
    switches.push(['use-fake-device-for-media-stream'], ['use-file-for-fake-video-capture', r.data]);
  } else if (env.FAC_FAKE_CAMERA === '1') {
    switches.push(['use-fake-device-for-media-stream']);
  }
  return switches;
}
