/**
 * Serving the renderer: GET and HEAD only, paths resolved inside the root and checked (no `..`, no
 * dotfiles, no symlink escape), a strict CSP. The Electron app serves the same files through its
 * custom protocol with the same rules.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
};

export type Resolved = { status: 200; file: string; type: string } | { status: 400 | 403 | 404 | 405 };

/** Maps a request to a file of `root`, or says why not. */
export async function resolveStatic(root: string, method: string, rawPath: string): Promise<Resolved> {
  if (method !== 'GET' && method !== 'HEAD') return { status: 405 };
  let path: string;
  try {
    path = decodeURIComponent(rawPath.split('?')[0]!.split('#')[0]!);
  } catch {
    return { status: 400 };
  }
  if (path.includes('\0') || path.includes('\\')) return { status: 400 };
  if (path === '/' || path === '') path = '/index.html';
  const parts = path.split('/').filter(Boolean);
  if (parts.some((p) => p === '..' || p === '.' || p.startsWith('.'))) return { status: 403 };
  const type = TYPES[extname(path).toLowerCase()];
  if (!type) return { status: 404 };
  const rootReal = await realpath(root).catch(() => null);
  if (!rootReal) return { status: 404 };
  const candidate = join(rootReal, ...parts);
  const real = await realpath(candidate).catch(() => null);
  if (!real || !(real === rootReal || real.startsWith(rootReal + sep))) return { status: real ? 403 : 404 };
  const st = await stat(real).catch(() => null);
  if (!st?.isFile()) return { status: 404 };
  return { status: 200, file: real, type };
}

export function contentSecurityPolicy(connectSrc: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' blob: data:",
    "font-src 'self'",
    "media-src 'self' blob: mediastream:",
    `connect-src ${connectSrc}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

export async function readStatic(file: string): Promise<Buffer> {
  return readFile(file);
}
