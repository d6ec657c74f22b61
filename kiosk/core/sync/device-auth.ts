/**
 * How the kiosk proves who it is (DESIGN.md §6): it asks the server for a one-time challenge and signs
 * it with its device key — for each socket.io connection, and to obtain a short-lived session token for
 * HTTP (tus blob uploads). Why both: a socket handshake is one request, so it carries its own signed
 * challenge; an upload is many requests (one per chunk), so one signature buys a token that the server
 * checks (and can cut off) at every request without a signature each time.
 *
 * Nothing depends on the kiosk's clock: challenges carry server time, and the token's lifetime is
 * counted here on the monotonic clock from the moment it was received.
 */
import { performance } from 'node:perf_hooks';
import {
  CHALLENGE_PATH,
  ChallengeResponse,
  kioskAuthPayload,
  TOKEN_PATH,
  TokenResponse,
} from '../../../sync-server/protocol/socket.ts';
import type { AuthPurpose, KioskAuth, KioskHandshake } from '../../../sync-server/protocol/socket.ts';
import type { DeviceIdentity } from './device.ts';

export type DeviceAuthErrorCode = 'not-enrolled' | 'offline' | 'unauthorized' | 'revoked' | 'server';

export class DeviceAuthError extends Error {
  constructor(
    readonly code: DeviceAuthErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DeviceAuthError';
  }
}

/** A token is renewed once this share of its lifetime has passed. */
const RENEW_AT = 0.8;

export class DeviceAuth {
  private cached: { auth: KioskAuth; renewAt: number } | null = null;
  private pending: Promise<KioskAuth> | null = null;

  constructor(
    private readonly device: DeviceIdentity,
    private readonly baseUrl: string,
    private readonly timeoutMs = 10_000,
  ) {}

  private kioskId(): string {
    const id = this.device.kioskId;
    if (id === null || !this.device.enrolled) throw new DeviceAuthError(this.device.revoked ? 'revoked' : 'not-enrolled', 'this kiosk is not enrolled');
    return id;
  }

  private async post(path: string, body: unknown): Promise<Response> {
    try {
      return await fetch(`${this.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new DeviceAuthError('offline', `${path}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** A fresh challenge from the server, signed for this purpose. */
  async handshake(purpose: AuthPurpose = 'socket'): Promise<KioskHandshake> {
    const kioskId = this.kioskId();
    const res = await this.post(CHALLENGE_PATH, { kioskId });
    if (!res.ok) throw new DeviceAuthError(res.status >= 500 ? 'server' : 'unauthorized', `challenge answered ${res.status}`);
    const parsed = ChallengeResponse.safeParse(await res.json().catch(() => null));
    if (!parsed.success) throw new DeviceAuthError('server', 'malformed challenge');
    const { challenge } = parsed.data;
    return { kioskId, challenge, signature: this.device.sign(kioskAuthPayload(kioskId, challenge, purpose)) };
  }

  /** HTTP credentials (`Authorization: Kiosk id:token`), renewed before they run out. */
  async token(): Promise<KioskAuth> {
    if (this.cached && performance.now() < this.cached.renewAt) return this.cached.auth;
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = null;
    });
    return this.pending;
  }

  /** The server refused the current token (expired early, kiosk re-enrolled…): get a new one next time. */
  invalidate(): void {
    this.cached = null;
  }

  private async fetchToken(): Promise<KioskAuth> {
    const handshake = await this.handshake('token');
    const res = await this.post(TOKEN_PATH, handshake);
    if (res.status === 403) throw new DeviceAuthError('revoked', 'the server says this kiosk is revoked');
    if (res.status === 401 || res.status === 400) throw new DeviceAuthError('unauthorized', `token refused (${res.status})`);
    if (!res.ok) throw new DeviceAuthError('server', `token answered ${res.status}`);
    const parsed = TokenResponse.safeParse(await res.json().catch(() => null));
    if (!parsed.success) throw new DeviceAuthError('server', 'malformed token answer');
    const auth = { kioskId: handshake.kioskId, token: parsed.data.token };
    this.cached = { auth, renewAt: performance.now() + parsed.data.expiresInS * 1000 * RENEW_AT };
    return auth;
  }
}
