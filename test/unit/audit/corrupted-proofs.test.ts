/**
 * Corrupted proofs as data:
 * - test/testdata/corrupted-proofs.json: mutations of the published vectors, each with the
 *   ProofError code it must raise (hand-derived from RFC 9162).
 * - test/testdata/transparency-dev-probes.json: transparency-dev/merkle's own published
 *   probes, with that project's verdict (wantErr); here also checked for the right code.
 */
import { fromHex, isValidConsistency, isValidInclusion, verifyConsistency, verifyInclusion } from '../../../runtime/audit';
import corrupted from '../../testdata/corrupted-proofs.json';
import probes from '../../testdata/transparency-dev-probes.json';
import { expectProofCode } from './expect-error';

const hex = (text: string): Uint8Array => fromHex(text);
const b64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));

describe('corrupted inclusion proofs (hand-derived codes)', () => {
  it.each(corrupted.inclusion)('$name -> $wantCode', (probe) => {
    const run = (): void => verifyInclusion(hex(probe.leafHash), probe.index, probe.treeSize, probe.proof.map(hex), hex(probe.root));
    expectProofCode(run, probe.wantCode, 'wantMessage' in probe ? probe.wantMessage : undefined);
    expect(isValidInclusion(hex(probe.leafHash), probe.index, probe.treeSize, probe.proof.map(hex), hex(probe.root))).toBe(probe.wantCode === null);
  });
});

describe('corrupted consistency proofs (hand-derived codes)', () => {
  it.each(corrupted.consistency)('$name -> $wantCode', (probe) => {
    const run = (): void => verifyConsistency(probe.oldSize, probe.newSize, hex(probe.oldRoot), hex(probe.newRoot), probe.proof.map(hex));
    expectProofCode(run, probe.wantCode, 'wantMessage' in probe ? probe.wantMessage : undefined);
    expect(isValidConsistency(probe.oldSize, probe.newSize, hex(probe.oldRoot), hex(probe.newRoot), probe.proof.map(hex))).toBe(probe.wantCode === null);
  });
});

/**
 * Where stepless deliberately disagrees with transparency-dev's verdict. Upstream compares
 * roots of any length when sizes are equal; stepless requires every root to be a 32-byte
 * SHA-256 hash, so a 12-byte placeholder "root" is refused.
 */
const DEVIATIONS: Record<string, string> = {
  'consistency/additional/sizes-are-equal-one-and-proof-is-empty.json': 'WRONG_HASH_SIZE',
};

/** The code each kind of upstream probe must raise, by file name (sans directory). */
const CODE_BY_KIND: Record<string, string | null> = {
  'happy-path': null,
  'matching-root-and-leaf': null,
  'empty-root': 'ROOT_MISMATCH', // the empty-tree hash: 32 bytes, but not this tree's root
  'random-root': 'ROOT_MISMATCH',
  'swapped-roots': 'ROOT_MISMATCH',
  'wrong-leaf': 'WRONG_HASH_SIZE', // "WrongLeaf", 9 bytes
  'wrong-root1': 'WRONG_HASH_SIZE', // "WrongRoot", 9 bytes
  'wrong-root2': 'WRONG_HASH_SIZE',
  'empty-proof': 'WRONG_PROOF_SIZE',
  'truncated-proof': 'WRONG_PROOF_SIZE',
  'removed-component': 'WRONG_PROOF_SIZE',
  'inserted-component': 'WRONG_PROOF_SIZE',
  'trailing-garbage': 'WRONG_PROOF_SIZE',
  'trailing-root': 'WRONG_PROOF_SIZE',
  'trailing-root1': 'WRONG_PROOF_SIZE',
  'trailing-root2': 'WRONG_PROOF_SIZE',
  'preceding-garbage': 'WRONG_PROOF_SIZE',
  'preceding-root': 'WRONG_PROOF_SIZE',
  'preceding-root1': 'WRONG_PROOF_SIZE',
  'preceding-root2': 'WRONG_PROOF_SIZE',
  'preceding-proof-@0': 'WRONG_PROOF_SIZE',
};

/** Upstream probes with hand-picked codes: the edge cases of tests' "additional" sets. */
const CODE_BY_FILE: Record<string, string> = {
  'inclusion/additional/0/empty-root-and-random-leaf.json': 'EMPTY_TREE',
  'inclusion/additional/0/empty-root.json': 'EMPTY_TREE',
  'inclusion/additional/0/random-leaf.json': 'EMPTY_TREE',
  'inclusion/additional/1/empty-root-and-random-leaf.json': 'ROOT_MISMATCH',
  'inclusion/additional/1/empty-root.json': 'WRONG_HASH_SIZE', // leaf hash is empty
  'inclusion/additional/1/random-leaf.json': 'WRONG_HASH_SIZE', // root is empty
  'inclusion/additional/2/empty-root-and-random-leaf.json': 'EMPTY_TREE',
  'inclusion/additional/2/empty-root.json': 'EMPTY_TREE',
  'inclusion/additional/2/random-leaf.json': 'EMPTY_TREE',
  'inclusion/additional/3/empty-root-and-random-leaf.json': 'INDEX_OUT_OF_RANGE',
  'inclusion/additional/3/empty-root.json': 'INDEX_OUT_OF_RANGE',
  'inclusion/additional/3/random-leaf.json': 'INDEX_OUT_OF_RANGE',
  'inclusion/single-entry/empty-leaf.json': 'WRONG_HASH_SIZE',
  'inclusion/single-entry/empty-root-and-leaf.json': 'WRONG_HASH_SIZE',
  'inclusion/single-entry/empty-root.json': 'WRONG_HASH_SIZE',
  'consistency/additional/consistency-check-on-empty-tree-size1-is-zero-is-useless.json': 'WRONG_PROOF_SIZE',
  'consistency/additional/roots-do-not-match-and-sizes-are-zero.json': 'WRONG_HASH_SIZE',
  'consistency/additional/roots-do-not-not-match-and-sizes-are-one.json': 'WRONG_HASH_SIZE',
  'consistency/additional/size1-is-greater-than-size2-again.json': 'SIZE_DECREASE',
  'consistency/additional/size1-is-greater-than-size2.json': 'SIZE_DECREASE',
  'consistency/additional/size1-is-zero-and-does-not-equal-size2.json': 'WRONG_HASH_SIZE',
  'consistency/additional/size1-is-zero-and-size2-is-not-zero.json': 'WRONG_HASH_SIZE',
  'consistency/additional/sizes-are-equal-one-but-roots-are-not.json': 'WRONG_HASH_SIZE',
  'consistency/additional/sizes-are-equal-zero-and-proof-is-empty.json': 'WRONG_HASH_SIZE',
  'consistency/additional/sizes-are-equal-zero-but-roots-are-not.json': 'WRONG_HASH_SIZE',
  'consistency/additional/sizes-do-not-watch-and-proof-is-empty.json': 'WRONG_HASH_SIZE',
  'consistency/additional/sizes-match-but-proof-is-not-empty-and-sizes-are-one.json': 'WRONG_PROOF_SIZE',
  'consistency/additional/sizes-match-but-proof-is-not-empty-and-sizes-are-zero.json': 'WRONG_PROOF_SIZE',
};

/**
 * Probes that move an index or size (leafIdx +-1, size2 * 2, ...) fail in different ways
 * depending on the case: out of range, a different proof length, or a different root.
 */
const POSITION_CODES = ['INVALID_ARGUMENT', 'EMPTY_TREE', 'INDEX_OUT_OF_RANGE', 'SIZE_DECREASE', 'WRONG_PROOF_SIZE', 'ROOT_MISMATCH'];

function expectedCodes(file: string): (string | null)[] {
  const pinned = DEVIATIONS[file] ?? CODE_BY_FILE[file];
  if (pinned !== undefined) return [pinned];
  const kind = (file.split('/').pop() as string).replace(/\.json$/, '');
  if (kind in CODE_BY_KIND) return [CODE_BY_KIND[kind] as string | null];
  if (kind.startsWith('modified-proof')) return ['ROOT_MISMATCH'];
  if (/^(leafIdx|treeSize|size1|size2)-/.test(kind)) return POSITION_CODES;
  throw new Error(`no expectation for upstream probe ${file}`);
}

/** Upstream writes uint64 values past 2^53 as strings here; as numbers they are not safe integers. */
const num = (value: number | string): number => Number(value);

function codeOf(run: () => void): string | null {
  try {
    run();
    return null;
  } catch (err) {
    return (err as { code?: string }).code ?? `not a ProofError: ${String(err)}`;
  }
}

describe('transparency-dev/merkle published inclusion probes', () => {
  it.each(probes.inclusion.map((probe) => [probe.file, probe] as const))('%s', (file, probe) => {
    const code = codeOf(() => verifyInclusion(b64(probe.leafHash), num(probe.leafIdx), num(probe.treeSize), (probe.proof ?? []).map(b64), b64(probe.root)));
    expect(expectedCodes(file)).toContain(code);
    expect(code !== null).toBe(probe.wantErr);
  });
});

describe('transparency-dev/merkle published consistency probes', () => {
  it.each(probes.consistency.map((probe) => [probe.file, probe] as const))('%s', (file, probe) => {
    const code = codeOf(() => verifyConsistency(num(probe.size1), num(probe.size2), b64(probe.root1), b64(probe.root2), (probe.proof ?? []).map(b64)));
    expect(expectedCodes(file)).toContain(code);
    expect(code !== null).toBe(file in DEVIATIONS ? !probe.wantErr : probe.wantErr);
  });

  it('disagrees with upstream only where listed in DEVIATIONS', () => {
    const files = new Set(probes.consistency.map((probe) => probe.file));
    for (const file of Object.keys(DEVIATIONS)) expect(files).toContain(file);
  });
});
