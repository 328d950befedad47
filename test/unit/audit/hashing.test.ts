/** RFC 6962 domain-separated hashing and the hex codec. */
import { EMPTY_ROOT_HEX, compareHashes, emptyRoot, fromHex, hashEquals, leafHash, nodeHash, toHex } from '../../../runtime/audit';
import { expectProofCode } from './expect-error';

describe('hashing', () => {
  it('separates leaves from nodes: a leaf over the bytes of two hashes is not their node', () => {
    const a = leafHash(Buffer.from('Hello'));
    const b = leafHash(Buffer.from('World'));
    expect(hashEquals(a, b)).toBe(false);
    const joined = new Uint8Array([...a, ...b]);
    expect(hashEquals(nodeHash(a, b), leafHash(joined))).toBe(false);
    expect(hashEquals(nodeHash(a, b), nodeHash(b, a))).toBe(false);
  });

  it('returns plain 32-byte Uint8Arrays, fresh each call', () => {
    const root = emptyRoot();
    expect(root.constructor).toBe(Uint8Array);
    expect(root).toHaveLength(32);
    expect(toHex(root)).toBe(EMPTY_ROOT_HEX);
    root[0] = 0;
    expect(toHex(emptyRoot())).toBe(EMPTY_ROOT_HEX);
    expect(leafHash(new Uint8Array(0)).constructor).toBe(Uint8Array);
  });

  it('orders hashes as unsigned bytes', () => {
    expect(compareHashes(Uint8Array.of(0x7f), Uint8Array.of(0x80))).toBeLessThan(0);
    expect(compareHashes(Uint8Array.of(1, 2), Uint8Array.of(1, 2))).toBe(0);
    expect(compareHashes(Uint8Array.of(1), Uint8Array.of(1, 0))).toBeLessThan(0);
  });
});

describe('hex', () => {
  it('round-trips lowercase hex, including views into larger buffers', () => {
    const backing = Uint8Array.of(0xff, 0x00, 0xab, 0x10, 0xff);
    expect(toHex(backing.subarray(1, 4))).toBe('00ab10');
    expect(fromHex('00ab10')).toEqual(Uint8Array.of(0x00, 0xab, 0x10));
    expect(fromHex('')).toEqual(new Uint8Array(0));
  });

  it.each([
    ['uppercase', 'AB', undefined, 'want an even number of lowercase hex digits, found "AB"'],
    ['odd length', 'abc', undefined, 'want an even number of lowercase hex digits, found "abc"'],
    ['non-hex', 'zz', undefined, 'want an even number of lowercase hex digits, found "zz"'],
    ['wrong length', 'abcd', 32, 'wrong length 2 bytes, want 32'],
  ])('refuses %s', (_name, text, byteLength, message) => {
    expectProofCode(() => fromHex(text, 'root', byteLength), 'INVALID_HEX', `root: ${message}`);
  });

  it('refuses non-strings', () => {
    expectProofCode(() => fromHex(7 as unknown as string), 'INVALID_HEX', 'hex string: want a lowercase hex string, found number');
  });
});
