import { describe, expect, it } from 'vitest';
import { CameraConfigError, cameraConstraints, cameraSettings, fakeCameraSwitches } from './camera.ts';

describe('document camera settings', () => {
  it('defaults to 1080p, 15 fps, continuous focus, any camera', () => {
    expect(cameraSettings({})).toEqual({ width: 1920, height: 1080, frameRate: 15, focus: { mode: 'continuous' }, label: null });
  });

  it('reads a fixed focus and a camera label for a document camera on a stand', () => {
    const s = cameraSettings({ FAC_CAMERA_WIDTH: '3264', FAC_CAMERA_HEIGHT: '2448', FAC_CAMERA_FPS: '10', FAC_CAMERA_FOCUS: 'manual:120', FAC_CAMERA_LABEL: 'IPEVO V4K (1778:0d06)' });
    expect(s).toEqual({ width: 3264, height: 2448, frameRate: 10, focus: { mode: 'manual', distance: 120 }, label: 'IPEVO V4K (1778:0d06)' });
    expect(cameraConstraints(s)).toEqual({
      audio: false,
      video: { width: { ideal: 3264 }, height: { ideal: 2448 }, frameRate: { ideal: 10 }, advanced: [{ focusMode: 'manual', focusDistance: 120 }] },
    });
    expect(cameraConstraints(cameraSettings({ FAC_CAMERA_FOCUS: 'single-shot' })).video.advanced).toEqual([{ focusMode: 'single-shot' }]);
  });

  it('refuses bad settings in one clear error', () => {
    for (const env of [
      { FAC_CAMERA_WIDTH: '99999' },
      { FAC_CAMERA_WIDTH: 'wide' },
      { FAC_CAMERA_FPS: '0' },
      { FAC_CAMERA_FOCUS: 'auto' },
      { FAC_CAMERA_FOCUS: 'manual:' },
      { FAC_CAMERA_FOCUS: 'manual:near' },
      { FAC_CAMERA_LABEL: 'cam"; rm -rf /' },
      { FAC_CAMERA_LABEL: 'x'.repeat(200) },
    ]) {
      expect(() => cameraSettings(env), JSON.stringify(env)).toThrow(CameraConfigError);
    }
  });
});

describe('fake camera switches', () => {
  it('are given only to a test build', () => {
    const env = { FAC_FAKE_CAMERA_Y4M: '/tmp/media/rib.y4m' };
    expect(fakeCameraSwitches(false, env)).toEqual([]);
    expect(fakeCameraSwitches(false, { FAC_FAKE_CAMERA: '1' })).toEqual([]);
    expect(fakeCameraSwitches(true, env)).toEqual([['use-fake-device-for-media-stream'], ['use-file-for-fake-video-capture', '/tmp/media/rib.y4m']]);
    expect(fakeCameraSwitches(true, { FAC_FAKE_CAMERA: '1' })).toEqual([['use-fake-device-for-media-stream']]);
    expect(fakeCameraSwitches(true, {})).toEqual([]);
  });

  it('refuse a file that is not a plain absolute video path', () => {
    for (const f of ['rib.y4m', '../rib.y4m', '/tmp/rib.png', '/tmp/a,b.y4m', '/tmp/a\n--no-sandbox.y4m', '/tmp/x=y.y4m', `/${'a'.repeat(1100)}.y4m`]) {
      expect(() => fakeCameraSwitches(true, { FAC_FAKE_CAMERA_Y4M: f }), f).toThrow(CameraConfigError);
    }
  });
});
