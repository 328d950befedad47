import { computeTextStats } from '../../lambdas/text-stats/stats';

describe('computeTextStats', () => {
  it('counts words case-insensitively and ranks the most frequent, ties alphabetically', () => {
    const stats = computeTextStats('b a B c a b');
    expect(stats.words).toBe(6);
    expect(stats.distinctWords).toBe(3);
    expect(stats.topWords).toEqual([
      { word: 'b', count: 3 },
      { word: 'a', count: 2 },
      { word: 'c', count: 1 },
    ]);
  });

  it('treats punctuation as a separator, keeps apostrophes and non-ASCII letters', () => {
    const stats = computeTextStats("don't stop; Ünïcode—words, 42!");
    expect(stats.topWords.map((w) => w.word).sort()).toEqual(['42', "don't", 'stop', 'words', 'ünïcode']);
  });

  it('counts lines across \\n, \\r\\n and \\r, and characters as code points', () => {
    expect(computeTextStats('one\r\ntwo\rthree\nfour').lines).toBe(4);
    expect(computeTextStats('🙂🙂').characters).toBe(2);
    expect(computeTextStats('').lines).toBe(0);
  });

  it('hashes the UTF-8 bytes with SHA-256 (lowercase hex)', () => {
    // FIPS 180-2 test vector for "abc".
    expect(computeTextStats('abc').sha256).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
