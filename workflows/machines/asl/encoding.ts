import { md5, sha1 } from '@noble/hashes/legacy';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';

/**
 * Base64 and hashing for the intrinsics, in pure JavaScript: the workflow sandbox has no Buffer and
 * no node:crypto. Hashes come from @noble/hashes (audited, dependency-free).
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard base64 (with padding) of the UTF-8 bytes of `text`. */
export function base64Encode(text: string): string {
  const bytes = utf8ToBytes(text);
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const [a, b, c] = [bytes[i]!, bytes[i + 1], bytes[i + 2]];
    const n = (a << 16) | ((b ?? 0) << 8) | (c ?? 0);
    out += ALPHABET[(n >> 18) & 63]! + ALPHABET[(n >> 12) & 63]!;
    out += b === undefined ? '=' : ALPHABET[(n >> 6) & 63]!;
    out += c === undefined ? '=' : ALPHABET[n & 63]!;
  }
  return out;
}

/** The UTF-8 text encoded by standard base64 `encoded`; throws on anything that is not base64 of UTF-8. */
export function base64Decode(encoded: string): string {
  if (encoded.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(encoded)) throw new Error('not a base64 string');
  const padding = encoded.endsWith('==') ? 2 : encoded.endsWith('=') ? 1 : 0;
  const bytes = new Uint8Array((encoded.length / 4) * 3 - padding);
  let j = 0;
  for (let i = 0; i < encoded.length; i += 4) {
    const n = [0, 1, 2, 3].reduce((acc, k) => (acc << 6) | Math.max(0, ALPHABET.indexOf(encoded[i + k]!)), 0);
    for (const shift of [16, 8, 0]) if (j < bytes.length) bytes[j++] = (n >> shift) & 255;
  }
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

const HASHES: Record<string, (data: Uint8Array) => Uint8Array> = {
  MD5: md5,
  'SHA-1': sha1,
  'SHA-256': sha256,
  'SHA-384': sha384,
  'SHA-512': sha512,
};

/** The algorithms States.Hash accepts. */
export const HASH_ALGORITHMS: readonly string[] = Object.keys(HASHES);

/** Lowercase hex digest of the UTF-8 bytes of `text`. */
export function hashHex(text: string, algorithm: string): string {
  const hash = HASHES[algorithm];
  if (hash === undefined) throw new Error(`unknown hash algorithm '${algorithm}' (one of ${HASH_ALGORITHMS.join(', ')})`);
  return bytesToHex(hash(utf8ToBytes(text)));
}
