/**
 * Integer helpers for tree shapes. Sizes can exceed 2^31, where JavaScript's bitwise
 * operators (32-bit) would silently wrap, so everything here is plain arithmetic that is
 * exact for all safe integers.
 */

/** True if `n` is odd. Requires n to be a non-negative safe integer. */
export function isOdd(n: number): boolean {
  return n % 2 === 1;
}

/** `n >> 1` without the 32-bit limit. Requires n to be a non-negative safe integer. */
export function half(n: number): number {
  return Math.floor(n / 2);
}

/** True if `n` is 1, 2, 4, 8, ... Requires n to be a non-negative safe integer. */
export function isPowerOfTwo(n: number): boolean {
  if (n < 1) return false;
  while (n % 2 === 0) n /= 2;
  return n === 1;
}

/**
 * The largest power of two strictly less than `n`: RFC 6962's split point k, with
 * k < n <= 2k. Requires n >= 2.
 */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** log2 of a power of two. Requires n to be a power of two. */
export function log2Exact(n: number): number {
  let level = 0;
  while (n > 1) {
    n /= 2;
    level++;
  }
  return level;
}
