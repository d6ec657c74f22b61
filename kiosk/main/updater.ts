/**
 * Updates through electron-updater (generic provider, `publish` in electron-builder.yml) for the AppImage
 * the appliance runs. electron-updater fetches the feed, applies the staged rollout (`stagingPercentage` in
 * the feed, compared with a random id this installation keeps) and downloads (SHA-512 checked). On top:
 * the feed must carry a valid signature before anything is downloaded (update-signature.ts); the download
 * must be one of the signed files and not a version the launcher rolled back; the install waits until
 * nobody uses the kiosk, replaces the AppImage (appimage-install.ts) and exits for systemd to restart us.
 */
import electronUpdater from 'electron-updater';
import type { UpdateDownloadedEvent, UpdateInfo } from 'electron-updater';
import { rmSync } from 'node:fs';
import type { Logger } from '../core/log.ts';
import { installAppImage, isRejected, rejectedListPath } from './appimage-install.ts';
import { verifyDownloadedFile, verifyUpdateInfo } from './update-signature.ts';
import type { SignedFile } from './update-signature.ts';

export interface UpdaterOptions {
  logger: Logger;
  /** the Ed25519 public key (PEM) the feed is signed with */
  publicKeyPem: string;
  /** the AppImage the launcher unpacks (APPIMAGE) */
  appImage: string;
  /** nobody is using the kiosk (welcome screen, no session) */
  idle: () => boolean;
  /** the new AppImage is in place: quit so that systemd restarts us */
  restart: () => void;
  checkEveryMs?: number;
}

/** Updates apply only to the appliance's AppImage (a deb is updated by apt), in a packaged app with a key. */
export function updatesEnabled(isPackaged: boolean, env: Record<string, string | undefined>, publicKeyPem: string | null): publicKeyPem is string {
  return isPackaged && Boolean(env.APPIMAGE) && Boolean(publicKeyPem);
}

export function startUpdater(opts: UpdaterOptions): () => void {
  const { autoUpdater } = electronUpdater;
  const log = opts.logger;
  let signed: { version: string; files: SignedFile[] } | null = null;
  let ready: UpdateDownloadedEvent | null = null;
  let installing = false;

  autoUpdater.logger = {
    info: (m: unknown) => log.info({ updater: String(m) }),
    warn: (m: unknown) => log.warn({ updater: String(m) }),
    error: (m: unknown) => log.error({ updater: String(m) }),
    debug: () => undefined,
  };
  autoUpdater.autoDownload = true;
  autoUpdater.autoInstallOnAppQuit = false;
  autoUpdater.allowDowngrade = false;
  autoUpdater.allowPrerelease = false;
  autoUpdater.forceDevUpdateConfig = false;
  // runs before any download: an unsigned or mis-signed feed stops here
  autoUpdater.isUpdateSupported = (info: UpdateInfo) => {
    const r = verifyUpdateInfo(info, opts.publicKeyPem);
    if (!r.ok) {
      log.error({ version: info.version, reason: r.reason }, 'update feed refused');
      signed = null;
      return false;
    }
    signed = { version: r.version, files: r.files };
    return true;
  };
  autoUpdater.on('update-downloaded', (event: UpdateDownloadedEvent) => {
    void (async () => {
      const facts = signed;
      const matches = facts !== null && facts.version === event.version && (await verifyDownloadedFile(event.downloadedFile, facts.files).catch(() => false));
      if (!matches) {
        log.error({ version: event.version }, 'downloaded update does not match the signed feed: deleted');
        rmSync(event.downloadedFile, { force: true });
        return;
      }
      if (await isRejected(event.downloadedFile, rejectedListPath(opts.appImage))) {
        log.warn({ version: event.version }, 'this version was rolled back on this kiosk before: not installed again');
        return;
      }
      log.info({ version: event.version }, 'update downloaded and verified; installs when the kiosk is idle');
      ready = event;
    })();
  });
  autoUpdater.on('error', (err: Error) => log.warn({ err: err.message }, 'update check failed'));

  const check = () => {
    if (ready || installing) return;
    autoUpdater.checkForUpdates().catch((err: unknown) => log.warn({ err: String(err) }, 'update check failed'));
  };
  const checkTimer = setInterval(check, opts.checkEveryMs ?? 4 * 3600_000);
  const installTimer = setInterval(() => {
    if (!ready || installing || !opts.idle()) return;
    installing = true;
    try {
      installAppImage(ready.downloadedFile, opts.appImage);
      log.info({ version: ready.version }, 'update installed: restarting');
      opts.restart();
    } catch (err) {
      installing = false;
      ready = null;
      log.error({ err: String(err) }, 'update install failed');
    }
  }, 30_000);
  checkTimer.unref();
  installTimer.unref();
  setTimeout(check, 60_000).unref();
  return () => {
    clearInterval(checkTimer);
    clearInterval(installTimer);
  };
}
