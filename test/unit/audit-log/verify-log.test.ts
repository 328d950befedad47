import { canonicalJson } from '../../../runtime/audit/canonical-json';
import { text } from '../../../runtime/audit/log/items';
import { signTreeHead } from '../../../runtime/audit/log/sth';
import { verifyLogData, type ProblemCode, type VerifyReport } from '../../../runtime/audit/log/verify-log';
import type { SignedTreeHead } from '../../../runtime/audit/log/types';
import { Ed25519Signer, PublicKeyRing } from '../../../runtime/audit/signing';
import { anchorOf, buildLog, entrySkOf, find, sthSkOf } from './build-log';

/**
 * The verifier over hand-tampered copies of a log built exactly as the writer builds it. Each test
 * makes one kind of damage and expects the verifier to name it (code and position), and nothing
 * unrelated to be reported.
 */
const signer = Ed25519Signer.generate();
const logId = 'text-stats-unit';
const events = Array.from({ length: 9 }, (_, i) => ({ type: 'step', n: i, note: `event ${i}` }));
let keys: PublicKeyRing;

beforeAll(async () => {
  keys = await PublicKeyRing.of(signer);
});

async function fresh() {
  return buildLog(logId, events, signer);
}

const codes = (r: VerifyReport): ProblemCode[] => [...new Set(r.problems.map((p) => p.code))].sort();
const only = (r: VerifyReport, code: ProblemCode) => r.problems.filter((p) => p.code === code);

describe('verifyLogData', () => {
  it('passes an intact log, checking every entry, signature, root and consistency proof', async () => {
    const { items, anchors } = await fresh();
    const report = verifyLogData(logId, items, anchors, keys);
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.treeSize).toBe(9);
    expect(report.checked).toEqual({ entries: 9, signedTreeHeads: 9, signatures: 18, rootsRecomputed: 9, consistencyProofs: 9, anchors: 9, checkpoints: 0 });
  });

  it('names an entry whose event was changed', async () => {
    const { items, anchors } = await fresh();
    find(items, entrySkOf(4)).event = canonicalJson({ ...events[4], note: 'forged' });
    const report = verifyLogData(logId, items, anchors, keys);
    expect(codes(report)).toEqual(['ENTRY_ALTERED']);
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0]).toMatchObject({ index: 4, message: expect.stringContaining('entry 4 altered: its event hashes to') });
  });

  it('names an entry whose event and leaf hash were changed together, and still checks the rest', async () => {
    const { items, anchors } = await fresh();
    const forged = buildLog(logId, [...events.slice(0, 4), { ...events[4], note: 'forged' }], signer);
    const entry = find((await forged).items, entrySkOf(4));
    Object.assign(find(items, entrySkOf(4)), { event: entry.event, leafHash: entry.leafHash });
    const report = verifyLogData(logId, items, anchors, keys);
    expect(report.problems).toEqual([expect.objectContaining({ code: 'ENTRY_ALTERED', index: 4, message: expect.stringContaining('but the signed root is') })]);
  });

  it('names a deleted entry as a gap', async () => {
    const { items, anchors } = await fresh();
    const without = items.filter((i) => i.sk !== entrySkOf(6));
    const report = verifyLogData(logId, without, anchors, keys);
    expect(only(report, 'ENTRY_MISSING')).toEqual([expect.objectContaining({ index: 6, message: 'entry 6 is missing (deleted): the log has a gap at index 6' })]);
    expect(codes(report)).toEqual(['ENTRY_MISSING']);
  });

  it('names two swapped entries', async () => {
    const { items, anchors } = await fresh();
    const a = find(items, entrySkOf(2));
    const b = find(items, entrySkOf(7));
    [a.event, b.event] = [b.event as string, a.event as string];
    [a.leafHash, b.leafHash] = [b.leafHash as string, a.leafHash as string];
    const report = verifyLogData(logId, items, anchors, keys);
    expect(only(report, 'ENTRY_REORDERED')).toEqual([
      expect.objectContaining({ index: 2, message: "entries 2 and 7 were swapped: each holds the event that was signed at the other's index" }),
    ]);
    expect(codes(report)).toEqual(['ENTRY_REORDERED']);
  });

  it('names a changed stored root: the STH signature no longer verifies and the anchor disagrees', async () => {
    const { items, anchors } = await fresh();
    find(items, sthSkOf(5)).rootHash = 'cd'.repeat(32);
    const report = verifyLogData(logId, items, anchors, keys);
    expect(only(report, 'STH_SIGNATURE_INVALID')).toEqual([expect.objectContaining({ size: 5, message: expect.stringContaining('table STH item for size 5: signature does not verify') })]);
    expect(only(report, 'ANCHOR_MISMATCH')).toEqual([expect.objectContaining({ size: 5, message: expect.stringContaining('rootHash') })]);
    expect(codes(report)).toEqual(['ANCHOR_MISMATCH', 'STH_MALFORMED', 'STH_SIGNATURE_INVALID']);
  });

  it("names a changed head root", async () => {
    const { items, anchors } = await fresh();
    find(items, 'head').rootHash = 'cd'.repeat(32);
    const report = verifyLogData(logId, items, anchors, keys);
    expect(codes(report)).toEqual(['HEAD_INCONSISTENT']);
  });

  it('names a forged signature, and a head signed by an untrusted key', async () => {
    const { items, anchors } = await fresh();
    const sth = find(items, sthSkOf(3));
    const sig = Buffer.from(text(sth.signature), 'base64');
    sig[10] = (sig[10] as number) ^ 1;
    sth.signature = sig.toString('base64');
    let report = verifyLogData(logId, items, anchors, keys);
    expect(only(report, 'STH_SIGNATURE_INVALID')).toEqual([expect.objectContaining({ size: 3 })]);
    expect(only(report, 'ANCHOR_MISMATCH')).toEqual([expect.objectContaining({ size: 3, message: expect.stringContaining('signature') })]);

    const rogue = await signTreeHead(Ed25519Signer.generate(), { logId, treeSize: 3, rootHash: text(sth.rootHash), timestamp: 1002 });
    Object.assign(sth, rogue);
    report = verifyLogData(logId, items, anchors, keys);
    expect(only(report, 'STH_UNKNOWN_KEY')).toEqual([expect.objectContaining({ size: 3, message: expect.stringContaining('not one of the 1 trusted key(s)') })]);
  });

  it('names a missing anchor, an overwritten one and a deleted one', async () => {
    const { items, anchors, sths } = await fresh();
    const dropped = anchors.filter((a) => a.size !== 8);
    let report = verifyLogData(logId, items, dropped, keys);
    expect(report.problems).toEqual([expect.objectContaining({ code: 'ANCHOR_MISSING', size: 8 })]);

    const overwritten = anchors.map((a) => (a.size === 2 ? { ...a, versions: [...a.versions, ...anchorOf({ ...(sths[1] as SignedTreeHead), timestamp: 1 }).versions] } : a));
    report = verifyLogData(logId, items, overwritten, keys);
    expect(codes(report)).toEqual(['ANCHOR_OVERWRITTEN']);

    const hidden = anchors.map((a) => (a.size === 2 ? { ...a, deleted: true } : a));
    report = verifyLogData(logId, items, hidden, keys);
    expect(codes(report)).toEqual(['ANCHOR_DELETED']);
  });

  it('names a rollback: the last entry, its STH and the head rewound, but the anchor remembers', async () => {
    const { items, anchors } = await fresh();
    const previous = find(items, sthSkOf(8));
    const rolled = items.filter((i) => i.sk !== entrySkOf(8) && i.sk !== sthSkOf(9) && i.sk !== 'head' && !(text(i.sk).startsWith('k#') && i.index === 8));
    const { sk: _sk, kind: _kind, peaks, ...sth } = previous;
    rolled.push({ logId, sk: 'head', kind: 'head', treeSize: 8, rootHash: text(previous.rootHash), peaks: peaks ?? null, sth, updatedAt: 'x' });
    const report = verifyLogData(logId, rolled, anchors, keys);
    expect(only(report, 'HEAD_ROLLED_BACK')).toEqual([
      expect.objectContaining({ size: 9, message: 'the head says size 8, but a head for size 9 was signed (S3 anchor): the log was rolled back' }),
    ]);
    expect(only(report, 'ENTRY_MISSING')).toEqual([expect.objectContaining({ index: 8 })]);
    // Without the anchors, the rollback is invisible to the table alone: that is what anchoring is for.
    expect(verifyLogData(logId, rolled, undefined, keys).ok).toBe(true);
  });

  it('names a fork: a rewritten, re-signed history disagrees with the anchors', async () => {
    const { anchors } = await fresh();
    const rewritten = await buildLog(logId, [...events.slice(0, 5), { type: 'step', n: 99 }, ...events.slice(6)], signer);
    const report = verifyLogData(logId, rewritten.items, anchors, keys);
    expect(only(report, 'STH_FORK').map((p) => p.size)).toEqual([6, 7, 8, 9]);
    expect(only(report, 'ENTRY_ALTERED')).toEqual([expect.objectContaining({ index: 5 })]);
  });

  it('names an entry added past the head', async () => {
    const { items, anchors } = await fresh();
    items.push({ ...find(items, entrySkOf(8)), sk: entrySkOf(9), index: 9 });
    expect(codes(verifyLogData(logId, items, anchors, keys))).toEqual(['ENTRY_UNEXPECTED']);
  });

  it('names a timestamp going backwards', async () => {
    const built = await fresh();
    const sth = await signTreeHead(signer, { logId, treeSize: 4, rootHash: text(find(built.items, sthSkOf(4)).rootHash), timestamp: 10 });
    Object.assign(find(built.items, sthSkOf(4)), sth);
    const anchors = built.anchors.map((a) => (a.size === 4 ? anchorOf(sth) : a));
    expect(codes(verifyLogData(logId, built.items, anchors, keys))).toEqual(['STH_TIMESTAMP_DECREASE']);
  });

  it('says when there is no such log', () => {
    expect(verifyLogData('nope', [], [], keys).problems).toEqual([{ code: 'LOG_NOT_FOUND', message: 'no audit log "nope": no items in the table and no anchors' }]);
  });
});
