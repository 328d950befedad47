/**
 * JWT bearer tokens from an OpenID Connect issuer (a Cognito user pool or any other): the signature
 * checked against the issuer's published keys (JWKS), then the issuer, audience and lifetime, and
 * whether the token is an operator's. Used by the API's authorizer function (api/jwt-authorizer.ts).
 */
import { createPublicKey, verify, type JsonWebKey, type KeyObject } from 'node:crypto';

export interface JwtSettings {
  /** The exact `iss` claim; `<issuer>/.well-known/openid-configuration` names the key set. */
  readonly issuer: string;
  /** Accepted `aud` values (or `client_id`, which a Cognito access token carries instead of `aud`). */
  readonly audience: readonly string[];
  /** The scope that makes a token an operator's. */
  readonly codecScope: string;
  /** A group whose members are operators (`cognito:groups` or `groups`). */
  readonly codecGroup?: string;
  /** Clock difference tolerated on `exp` and `nbf`. Default 60 s. */
  readonly clockSkewSeconds?: number;
}

export type JwtClaims = Record<string, unknown> & { sub?: string; exp: number };

/** A token that does not verify; the message says which check failed (never the token itself). */
export class JwtError extends Error {
  override readonly name = 'JwtError';
}

/** JWS algorithms accepted, and how node:crypto verifies each; `none` and shared-secret (HS*) tokens are refused. */
const ALGORITHMS: Record<string, { hash: string; kty: string; pss?: boolean; ieeeP1363?: boolean }> = {
  RS256: { hash: 'sha256', kty: 'RSA' },
  RS384: { hash: 'sha384', kty: 'RSA' },
  RS512: { hash: 'sha512', kty: 'RSA' },
  PS256: { hash: 'sha256', kty: 'RSA', pss: true },
  ES256: { hash: 'sha256', kty: 'EC', ieeeP1363: true },
  ES384: { hash: 'sha384', kty: 'EC', ieeeP1363: true },
  ES512: { hash: 'sha512', kty: 'EC', ieeeP1363: true },
};

interface Jwk extends JsonWebKey {
  kid?: string;
  alg?: string;
  use?: string;
}

/**
 * The issuer's signing keys, found through its discovery document and kept for `maxAgeMs`; a token
 * signed with an unknown key id refetches them (at most once per `refetchAfterMs`), so a key rotation
 * is picked up without letting unknown ids hammer the issuer.
 */
export class IssuerKeys {
  private keys = new Map<string, { jwk: Jwk; key: KeyObject }>();
  private fetchedAt = 0;
  private loading: Promise<void> | undefined;

  constructor(
    private readonly issuer: string,
    private readonly options: { maxAgeMs?: number; refetchAfterMs?: number; timeoutMs?: number } = {},
  ) {}

  async key(kid: string | undefined): Promise<{ jwk: Jwk; key: KeyObject }> {
    const age = Date.now() - this.fetchedAt;
    if (age > (this.options.maxAgeMs ?? 10 * 60_000)) await this.load();
    let found = this.pick(kid);
    if (!found && Date.now() - this.fetchedAt > (this.options.refetchAfterMs ?? 30_000)) {
      await this.load();
      found = this.pick(kid);
    }
    if (!found) throw new JwtError(`no signing key ${kid === undefined ? '(the token names no kid)' : `with kid "${kid}"`} in ${this.issuer}'s key set`);
    return found;
  }

  private pick(kid: string | undefined): { jwk: Jwk; key: KeyObject } | undefined {
    if (kid !== undefined) return this.keys.get(kid);
    // A token without kid is accepted only from an issuer with a single key.
    return this.keys.size === 1 ? [...this.keys.values()][0] : undefined;
  }

  private load(): Promise<void> {
    this.loading ??= this.fetchKeys().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async fetchKeys(): Promise<void> {
    const discovery = await this.getJson(`${this.issuer}/.well-known/openid-configuration`);
    if (discovery.issuer !== this.issuer) throw new JwtError(`the discovery document of ${this.issuer} names issuer ${JSON.stringify(discovery.issuer)}`);
    if (typeof discovery.jwks_uri !== 'string') throw new JwtError(`the discovery document of ${this.issuer} has no jwks_uri`);
    const set = await this.getJson(discovery.jwks_uri);
    const keys = new Map<string, { jwk: Jwk; key: KeyObject }>();
    for (const jwk of (Array.isArray(set.keys) ? set.keys : []) as Jwk[]) {
      if (jwk.use !== undefined && jwk.use !== 'sig') continue;
      if (jwk.kty !== 'RSA' && jwk.kty !== 'EC') continue;
      keys.set(jwk.kid ?? '', { jwk, key: createPublicKey({ key: jwk, format: 'jwk' }) });
    }
    this.keys = keys;
    this.fetchedAt = Date.now();
  }

  private async getJson(url: string): Promise<Record<string, unknown>> {
    const res = await fetch(url, { signal: AbortSignal.timeout(this.options.timeoutMs ?? 5_000) });
    if (!res.ok) throw new JwtError(`${url} answered ${res.status}`);
    return (await res.json()) as Record<string, unknown>;
  }
}

function decodePart(part: string, what: string): Record<string, unknown> {
  try {
    const value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through to the error below
  }
  throw new JwtError(`the token's ${what} is not base64url-encoded JSON`);
}

const strings = (v: unknown): string[] => (typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** Verifies a compact JWS token and returns its claims; throws JwtError naming the failed check. */
export async function verifyJwt(token: string, settings: JwtSettings, keys: IssuerKeys, now = Date.now()): Promise<JwtClaims> {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) throw new JwtError('the token is not a compact JWS (three base64url parts)');
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const header = decodePart(headerPart, 'header');
  const alg = typeof header.alg === 'string' ? ALGORITHMS[header.alg] : undefined;
  if (!alg) throw new JwtError(`the token's algorithm ${JSON.stringify(header.alg)} is not accepted (only ${Object.keys(ALGORITHMS).join(', ')})`);
  const { jwk, key } = await keys.key(typeof header.kid === 'string' ? header.kid : undefined);
  if (jwk.kty !== alg.kty || (jwk.alg !== undefined && jwk.alg !== header.alg)) throw new JwtError(`the token's algorithm ${String(header.alg)} does not match its key (${jwk.kty}${jwk.alg ? ` ${jwk.alg}` : ''})`);
  const valid = verify(alg.hash, Buffer.from(`${headerPart}.${payloadPart}`), {
    key,
    ...(alg.pss ? { padding: 6 /* RSA_PKCS1_PSS_PADDING */, saltLength: 32 } : {}),
    ...(alg.ieeeP1363 ? { dsaEncoding: 'ieee-p1363' as const } : {}),
  }, Buffer.from(signaturePart, 'base64url'));
  if (!valid) throw new JwtError('the token\'s signature does not verify');

  const claims = decodePart(payloadPart, 'payload');
  const skew = (settings.clockSkewSeconds ?? 60) * 1000;
  if (claims.iss !== settings.issuer) throw new JwtError(`the token's issuer ${JSON.stringify(claims.iss)} is not ${settings.issuer}`);
  if (typeof claims.exp !== 'number') throw new JwtError('the token has no exp claim');
  if (claims.exp * 1000 + skew < now) throw new JwtError('the token has expired');
  if (typeof claims.nbf === 'number' && claims.nbf * 1000 - skew > now) throw new JwtError('the token is not valid yet (nbf)');
  const audiences = [...strings(claims.aud), ...strings(claims.client_id)];
  if (!audiences.some((a) => settings.audience.includes(a))) throw new JwtError(`the token's audience (aud or client_id) is none of ${settings.audience.join(', ')}`);
  return claims as JwtClaims;
}

/** Whether verified claims are an operator's: the codec scope (`scope` or `scp`), or membership of the codec group. */
export function isOperator(claims: JwtClaims, settings: Pick<JwtSettings, 'codecScope' | 'codecGroup'>): boolean {
  const scopes = [...strings(claims.scope).flatMap((s) => s.split(' ')), ...strings(claims.scp).flatMap((s) => s.split(' '))];
  if (scopes.includes(settings.codecScope)) return true;
  const groups = [...strings(claims['cognito:groups']), ...strings(claims.groups)];
  return settings.codecGroup !== undefined && groups.includes(settings.codecGroup);
}
