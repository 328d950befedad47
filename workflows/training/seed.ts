/**
 * FNV-1a, 32-bit, over the UTF-8 bytes of a string: the default seed of a training, from its
 * workflow id. Pure arithmetic, so workflow code can call it.
 */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  const add = (byte: number) => {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  };
  for (const ch of text) {
    const cp = ch.codePointAt(0) as number;
    if (cp < 0x80) add(cp);
    else if (cp < 0x800) [0xc0 | (cp >> 6), 0x80 | (cp & 63)].forEach(add);
    else if (cp < 0x10000) [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)].forEach(add);
    else [0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)].forEach(add);
  }
  return h >>> 0;
}
