/**
 * The verifier: re-reads a log from the table and its anchors from S3, and checks everything that
 * can be checked without trusting either store — only the public keys. `verifyLogData` runs one
 * function per phase, in this order:
 *
 * 1. sortItems: the items parse, each as the kind its sort key says.
 * 2. collectSignedHeads: every signed tree head (table item, the head's copy, S3 anchor) is about
 *    this log and its signature verifies with a trusted key. An anchor overwritten or hidden by a
 *    delete marker (on a versioned, Object-Locked bucket) is reported; its first version counts.
 * 3. pickAuthority: one signed root per size; two validly signed heads for one size with different
 *    roots are a fork.
 * 4. checkHead: the head agrees with its own STH and peaks and is the latest signed head (nothing
 *    signed or anchored beyond it: no rollback).
 * 5. checkEntries: every entry's event is canonical JSON and hashes to its stored leafHash; indices
 *    run 0..n-1 with no gap and nothing past the last signed size.
 * 6. checkRoots: entry by entry, the root recomputed from the events equals the signed root at
 *    every size. A mismatch at size k+1 pins the fault on entry k; if another entry's event fits
 *    there, the entries were reordered. Each STH item also stores the CompactTree peaks at its size
 *    (bound to the signed root), so checking resumes after a damaged entry instead of stopping there.
 * 7. checkConsistency, checkTimestamps: successive signed heads are consistent (an RFC 6962
 *    consistency proof computed from the entries verifies between them); timestamps never decrease.
 * 8. checkStoredHeads, checkHeadAgainstTable: every table STH is anchored, byte for byte, every
 *    anchor up to the head is in the table, and the head's STH is the table's.
 * 9. checkRecordedCheckpoints: in the global log, each recorded checkpoint is validly signed.
 * 10. checkIdempotency: idempotency records point at the entry they claim.
 */
import { canonicalJson } from '../canonical-json';
import { CompactTree } from '../compact-tree';
import { hashEquals, leafHash } from '../hashing';
import { fromHex, toHex } from '../hex';
import { MerkleTree } from '../merkle-tree';
import { verifyConsistency, verifyInclusion } from '../verify';
import type { PublicKeyRing } from '../signing/signer';
import { AnchorStore, type AnchorRecord } from './anchors';
import { checkpointEvent } from './audit-log';
import { HEAD_SK, numberOfSk, sthSk, text, type Plain } from './items';
import { inclusionProof } from './reader';
import { checkTreeHeadSignature } from './sth';
import { parseEntry, parseHead, parseStoredSth, type AuditLogStore, type StoredSth } from './store';
import { GLOBAL_CHECKPOINT_LOG_ID, type AuditEntry, type LogHead, type SignedTreeHead } from './types';

export type ProblemCode =
  | 'LOG_NOT_FOUND'
  | 'ENTRY_MISSING'
  | 'ENTRY_ALTERED'
  | 'ENTRY_REORDERED'
  | 'ENTRY_UNEXPECTED'
  | 'ENTRY_MALFORMED'
  | 'STH_SIGNATURE_INVALID'
  | 'STH_UNKNOWN_KEY'
  | 'STH_MALFORMED'
  | 'STH_MISSING'
  | 'STH_ROOT_MISMATCH'
  | 'STH_FORK'
  | 'STH_INCONSISTENT'
  | 'STH_TIMESTAMP_DECREASE'
  | 'HEAD_MISSING'
  | 'HEAD_ROLLED_BACK'
  | 'HEAD_INCONSISTENT'
  | 'ANCHOR_MISSING'
  | 'ANCHOR_MISMATCH'
  | 'ANCHOR_OVERWRITTEN'
  | 'ANCHOR_DELETED'
  | 'ANCHOR_MALFORMED'
  | 'IDEMPOTENCY_MISMATCH'
  | 'CHECKPOINT_MISMATCH'
  | 'UNKNOWN_ITEM';

export interface Problem {
  code: ProblemCode;
  message: string;
  /** The entry concerned, when there is one. */
  index?: number;
  /** The tree size concerned, when there is one. */
  size?: number;
}

export interface VerifyReport {
  logId: string;
  ok: boolean;
  /** The head's size (0 if there is none). */
  treeSize: number;
  rootHash: string | null;
  checked: {
    entries: number;
    signedTreeHeads: number;
    signatures: number;
    rootsRecomputed: number;
    consistencyProofs: number;
    anchors: number | null;
    checkpoints: number;
  };
  trustedKeys: Array<{ keyId: string; algorithm: string; source: string }>;
  problems: Problem[];
}

type Obj = { [key: string]: Plain };

interface Claim {
  source: 'table' | 'head' | 'anchor';
  sth: SignedTreeHead;
  peaks?: string[];
  valid: boolean;
}

const where = { table: 'table STH item', head: 'head item', anchor: 'S3 anchor' } as const;

/** What a phase found wrong, in the order it found it, with whatever later phases need from it. */
type Phase<T = unknown> = T & { problems: Problem[] };

/** The table items sorted by kind. */
interface LogItems {
  entries: Map<number, AuditEntry>;
  tableSths: Map<number, StoredSth>;
  keyItems: Obj[];
  head: LogHead | undefined;
}

/**
 * Checks a log given its raw table items and (optionally) its anchors. Pure: no I/O. Runs the
 * phases below in order; each returns its problems, which are then ordered by entry or size.
 */
export function verifyLogData(logId: string, items: Obj[], anchorRecords: AnchorRecord[] | undefined, keys: PublicKeyRing): VerifyReport {
  const log = sortItems(logId, items);
  if (items.length === 0 && (anchorRecords ?? []).length === 0) {
    const notFound: Problem = { code: 'LOG_NOT_FOUND', message: `no audit log ${JSON.stringify(logId)}: no items in the table and no anchors` };
    return finish(logId, keys, log.head, [...log.problems, notFound], {
      entries: 0,
      signedTreeHeads: 0,
      signatures: 0,
      rootsRecomputed: 0,
      consistencyProofs: 0,
      anchors: anchorRecords ? 0 : null,
      checkpoints: 0,
    });
  }
  const heads = collectSignedHeads(logId, log, anchorRecords, keys);
  const authority = pickAuthority(heads.claims);
  const head = checkHead(log.head, heads.claims, authority.signedSizes.at(-1) ?? 0);
  const entries = checkEntries(log.entries, head.expectedSize);
  const roots = checkRoots(entries.computed, authority.bySize, head.expectedSize, entries.reported);
  const consistency = checkConsistency(entries.computed, roots.verifiedSizes, authority.bySize);
  const timestamps = checkTimestamps(authority.signedSizes, authority.bySize);
  const anchoring = checkStoredHeads(logId, log, heads.anchorsBySize, anchorRecords !== undefined);
  const headCopy = checkHeadAgainstTable(log);
  const checkpoints = checkRecordedCheckpoints(logId, log.entries, keys);
  const idempotency = checkIdempotency(log.keyItems, entries.computed, head.expectedSize, roots.reported);
  const phases: Phase[] = [log, heads, authority, head, entries, roots, consistency, timestamps, anchoring, headCopy, checkpoints, idempotency];
  return finish(
    logId,
    keys,
    log.head,
    phases.flatMap((p) => p.problems),
    {
      entries: entries.count,
      signedTreeHeads: heads.claims.size,
      signatures: heads.signatures,
      rootsRecomputed: roots.recomputed,
      consistencyProofs: consistency.verified,
      anchors: heads.anchors,
      checkpoints: checkpoints.verified,
    },
  );
}

/** The report: problems ordered by the entry or size they concern (stable, so phase order breaks ties). */
function finish(logId: string, keys: PublicKeyRing, head: LogHead | undefined, problems: Problem[], checked: VerifyReport['checked']): VerifyReport {
  problems.sort((a, b) => (a.index ?? a.size ?? -1) - (b.index ?? b.size ?? -1));
  return {
    logId,
    ok: problems.length === 0,
    treeSize: head?.treeSize ?? 0,
    rootHash: head?.rootHash ?? null,
    checked,
    trustedKeys: keys.list().map((k) => ({ keyId: k.keyId, algorithm: k.algorithm, source: k.source })),
    problems,
  };
}

/** Parses the items by kind: entries, STH items, idempotency records and the head; unparseable or unknown items are problems. */
function sortItems(logId: string, items: Obj[]): Phase<LogItems> {
  const problems: Problem[] = [];
  const entries = new Map<number, AuditEntry>();
  const tableSths = new Map<number, StoredSth>();
  const keyItems: Obj[] = [];
  let head: LogHead | undefined;
  for (const item of items) {
    const sk = text(item.sk);
    try {
      if (sk === HEAD_SK) head = parseHead(item, logId);
      else if (numberOfSk(sk, 'e#') !== undefined) {
        const index = numberOfSk(sk, 'e#') as number;
        const entry = parseEntry(item, `entry ${index}`);
        if (entry.index !== index) problems.push({ code: 'ENTRY_MALFORMED', index, message: `entry ${index}: its index attribute says ${entry.index}` });
        entries.set(index, { ...entry, index });
      } else if (numberOfSk(sk, 's#') !== undefined) {
        const size = numberOfSk(sk, 's#') as number;
        const stored = parseStoredSth(item, `STH item for size ${size}`);
        if (stored.sth.treeSize !== size) {
          problems.push({ code: 'STH_MALFORMED', size, message: `STH item stored under size ${size} is for size ${stored.sth.treeSize}` });
          continue;
        }
        tableSths.set(size, stored);
      } else if (sk.startsWith('k#')) keyItems.push(item);
      else if (numberOfSk(sk, 'c#') !== undefined) continue;
      else problems.push({ code: 'UNKNOWN_ITEM', message: `unexpected item with sort key ${JSON.stringify(sk)}` });
    } catch (err) {
      const index = numberOfSk(sk, 'e#');
      const size = numberOfSk(sk, 's#');
      problems.push({
        code: sk === HEAD_SK ? 'HEAD_INCONSISTENT' : index !== undefined ? 'ENTRY_MALFORMED' : 'STH_MALFORMED',
        ...(index !== undefined ? { index } : {}),
        ...(size !== undefined ? { size } : {}),
        message: (err as Error).message,
      });
    }
  }
  return { problems, entries, tableSths, keyItems, head };
}

/**
 * Every signed head from every source (table STH items, the head item when it differs from its
 * table copy, the first version of each S3 anchor), each with its signature checked.
 */
function collectSignedHeads(
  logId: string,
  log: LogItems,
  anchorRecords: AnchorRecord[] | undefined,
  keys: PublicKeyRing,
): Phase<{ claims: Map<number, Claim[]>; anchorsBySize: Map<number, AnchorRecord>; signatures: number; anchors: number | null }> {
  const problems: Problem[] = [];
  const claims = new Map<number, Claim[]>();
  let signatures = 0;
  const addClaim = (size: number, claim: Omit<Claim, 'valid'>): void => {
    signatures++;
    const problem = checkSignature(logId, keys, claim.sth, claim.source, size);
    if (problem) problems.push(problem);
    const list = claims.get(size) ?? [];
    list.push({ ...claim, valid: problem === undefined });
    claims.set(size, list);
  };

  for (const [size, stored] of [...log.tableSths].sort((a, b) => a[0] - b[0])) {
    addClaim(size, { source: 'table', sth: stored.sth, ...(stored.peaks ? { peaks: stored.peaks } : {}) });
  }
  if (log.head) {
    const h = log.head.signedTreeHead;
    const tableCopy = log.tableSths.get(h.treeSize);
    // The head's STH is usually the table's latest STH item: check its signature only if it differs.
    if (!tableCopy || canonicalJson(tableCopy.sth) !== canonicalJson(h)) addClaim(h.treeSize, { source: 'head', sth: h, peaks: log.head.peaks });
  }
  const anchorsBySize = new Map<number, AnchorRecord>();
  for (const record of anchorRecords ?? []) {
    anchorsBySize.set(record.size, record);
    const anchored = anchoredHead(record);
    problems.push(...anchored.problems);
    if (anchored.sth) addClaim(record.size, { source: 'anchor', sth: anchored.sth });
  }
  return { problems, claims, anchorsBySize, signatures, anchors: anchorRecords ? anchorRecords.length : null };
}

/** The signed head an anchor holds (its first version, which is the one that counts), unless it has none in the right form. */
function anchoredHead(record: AnchorRecord): Phase<{ sth?: SignedTreeHead }> {
  const problems: Problem[] = [];
  const first = record.versions[0];
  if (record.versions.length === 0) {
    problems.push({ code: 'ANCHOR_DELETED', size: record.size, message: `anchor ${record.key} was deleted (only a delete marker is left)` });
    return { problems };
  }
  if (record.deleted) {
    problems.push({ code: 'ANCHOR_DELETED', size: record.size, message: `anchor ${record.key} is hidden by a delete marker; its first version is still retained and is checked` });
  }
  if (record.versions.length > 1) {
    const changed = record.versions.slice(1).some((v) => v.body !== first?.body);
    if (changed) problems.push({ code: 'ANCHOR_OVERWRITTEN', size: record.size, message: `anchor ${record.key} was overwritten (${record.versions.length} versions); its first version is the one checked` });
  }
  if (!first?.sth) {
    problems.push({ code: 'ANCHOR_MALFORMED', size: record.size, message: `anchor ${record.key} is not a signed tree head: ${first?.error ?? 'unreadable'}` });
    return { problems };
  }
  if (first.sth.treeSize !== record.size) {
    problems.push({ code: 'ANCHOR_MALFORMED', size: record.size, message: `anchor ${record.key} holds the head for size ${first.sth.treeSize}` });
    return { problems };
  }
  if (first.body !== AnchorStore.body(first.sth)) {
    problems.push({ code: 'ANCHOR_MALFORMED', size: record.size, message: `anchor ${record.key} is not in canonical form (it was rewritten)` });
  }
  return { problems, sth: first.sth };
}

/** Why a signed head from `source` for `size` cannot be trusted, or undefined if it is about this log and its signature verifies. */
function checkSignature(logId: string, keys: PublicKeyRing, sth: SignedTreeHead, source: Claim['source'], size: number): Problem | undefined {
  if (sth.logId !== logId) {
    return { code: 'STH_MALFORMED', size, message: `${where[source]} for size ${size} is about log ${JSON.stringify(sth.logId)}, not this one` };
  }
  const res = checkTreeHeadSignature(sth, keys);
  if (res.ok) return undefined;
  return {
    code: res.reason === 'UNKNOWN_KEY' ? 'STH_UNKNOWN_KEY' : res.reason === 'MALFORMED' ? 'STH_MALFORMED' : 'STH_SIGNATURE_INVALID',
    size,
    message: `${where[source]} for size ${size}: ${res.message}${res.reason === 'BAD_SIGNATURE' ? ' (its content was changed after signing, or the signature is forged)' : ''}`,
  };
}

/** One authoritative signed root per size (anchor first, then table); validly signed heads that disagree are a fork. */
function pickAuthority(claims: Map<number, Claim[]>): Phase<{ bySize: Map<number, Claim>; signedSizes: number[] }> {
  const problems: Problem[] = [];
  const bySize = new Map<number, Claim>();
  for (const [size, list] of claims) {
    const valid = list.filter((c) => c.valid);
    const roots = new Set(valid.map((c) => c.sth.rootHash));
    if (roots.size > 1) {
      problems.push({
        code: 'STH_FORK',
        size,
        message: `validly signed tree heads for size ${size} disagree: ${valid.map((c) => `${where[c.source]} says ${c.sth.rootHash}`).join(', ')} — the log was forked or rewritten and re-signed`,
      });
    }
    const pick = valid.find((c) => c.source === 'anchor') ?? valid.find((c) => c.source === 'table') ?? valid[0];
    if (pick) {
      // Peaks live only in table items; borrow them if that item agrees on the root.
      const withPeaks = pick.peaks ? pick : valid.find((c) => c.peaks && c.sth.rootHash === pick.sth.rootHash);
      bySize.set(size, withPeaks?.peaks ? { ...pick, peaks: withPeaks.peaks } : pick);
    }
  }
  return { problems, bySize, signedSizes: [...bySize.keys()].sort((a, b) => a - b) };
}

/**
 * The head: present, agreeing with its own STH and peaks, and the latest signed head (nothing
 * signed beyond it: no rollback). The log should hold an entry for every index below `expectedSize`.
 */
function checkHead(head: LogHead | undefined, claims: Map<number, Claim[]>, maxSigned: number): Phase<{ expectedSize: number }> {
  const problems: Problem[] = [];
  const headSize = head?.treeSize ?? 0;
  if (!head) {
    problems.push({ code: 'HEAD_MISSING', message: `the log has no head item${maxSigned > 0 ? `, but heads up to size ${maxSigned} were signed` : ''}` });
  } else {
    if (head.signedTreeHead.treeSize !== head.treeSize || head.signedTreeHead.rootHash !== head.rootHash) {
      problems.push({
        code: 'HEAD_INCONSISTENT',
        size: head.treeSize,
        message: `head says size ${head.treeSize} root ${head.rootHash}, but its signed tree head says size ${head.signedTreeHead.treeSize} root ${head.signedTreeHead.rootHash}`,
      });
    }
    const peaksRoot = foldPeaks(head.treeSize, head.peaks);
    if (peaksRoot !== head.rootHash) {
      problems.push({ code: 'HEAD_INCONSISTENT', size: head.treeSize, message: `head's CompactTree peaks give root ${peaksRoot ?? '(invalid peaks)'}, not its rootHash ${head.rootHash}` });
    }
  }
  if (maxSigned > headSize) {
    const by = (claims.get(maxSigned) ?? []).filter((c) => c.valid).map((c) => where[c.source]);
    problems.push({
      code: 'HEAD_ROLLED_BACK',
      size: maxSigned,
      message: `the head says size ${headSize}, but a head for size ${maxSigned} was signed (${by.join(', ')}): the log was rolled back`,
    });
  }
  return { problems, expectedSize: Math.max(headSize, maxSigned) };
}

/**
 * Entries: present for every index below `expectedSize` and none beyond, canonical, hashing to
 * their stored leaf hash. Gives each entry's leaf hash recomputed from its event (undefined where
 * it is missing) and the indices already reported, which later phases do not report again.
 */
function checkEntries(entries: Map<number, AuditEntry>, expectedSize: number): Phase<{ computed: Array<Uint8Array | undefined>; reported: Set<number>; count: number }> {
  const problems: Problem[] = [];
  const computed: Array<Uint8Array | undefined> = [];
  const reported = new Set<number>();
  let count = 0;
  for (let i = 0; i < expectedSize; i++) {
    const entry = entries.get(i);
    if (!entry) {
      problems.push({ code: 'ENTRY_MISSING', index: i, message: `entry ${i} is missing (deleted): the log has a gap at index ${i}` });
      reported.add(i);
      computed.push(undefined);
      continue;
    }
    count++;
    const leaf = leafHash(Buffer.from(entry.event, 'utf8'));
    computed.push(leaf);
    let canonical: string | undefined;
    try {
      canonical = canonicalJson(JSON.parse(entry.event));
    } catch {
      canonical = undefined;
    }
    if (canonical !== entry.event) {
      problems.push({ code: 'ENTRY_ALTERED', index: i, message: `entry ${i} altered: its event is not the canonical JSON the writer stores` });
      reported.add(i);
    } else if (toHex(leaf) !== entry.leafHash) {
      problems.push({ code: 'ENTRY_ALTERED', index: i, message: `entry ${i} altered: its event hashes to ${toHex(leaf)}, but its stored leafHash is ${entry.leafHash}` });
      reported.add(i);
    }
  }
  for (const index of [...entries.keys()].filter((i) => i >= expectedSize).sort((a, b) => a - b)) {
    problems.push({ code: 'ENTRY_UNEXPECTED', index, message: `entry ${index} lies beyond every signed head (size ${expectedSize}): it was added outside the log` });
  }
  return { problems, computed, reported, count };
}

/**
 * Entry by entry, the root recomputed from the leaves equals the signed root at every signed size.
 * A mismatch at size k+1 right after a match pins the fault on entry k, or on a reorder if another
 * entry fits there. Checking resumes from the signed peaks at a size, where they are stored and give
 * its root. Gives the sizes whose root matched with every entry before them intact, and the indices
 * reported so far (`reportedBefore` and this phase's).
 */
function checkRoots(
  computed: Array<Uint8Array | undefined>,
  authority: Map<number, Claim>,
  expectedSize: number,
  reportedBefore: ReadonlySet<number>,
): Phase<{ verifiedSizes: number[]; reported: Set<number>; recomputed: number }> {
  const problems: Problem[] = [];
  const reported = new Set(reportedBefore);
  const reorders: Reorder[] = [];
  let state: CompactTree | undefined = CompactTree.empty();
  let goodUpTo = 0;
  const verifiedSizes: number[] = [];
  let clean = true;
  let recomputed = 0;
  for (let k = 0; k < expectedSize; k++) {
    const leaf = computed[k];
    const before = state ? CompactTree.fromState(state.state()) : undefined;
    if (state && leaf) state.append(leaf);
    else state = undefined;
    if (!leaf) clean = false;
    const auth = authority.get(k + 1);
    if (!auth) continue;
    recomputed++;
    const root = state ? toHex(state.root()) : undefined;
    if (root === auth.sth.rootHash) {
      goodUpTo = k + 1;
      if (clean) verifiedSizes.push(k + 1);
      continue;
    }
    clean = false;
    if (root !== undefined && goodUpTo === k && before) {
      const from = entryThatFits(computed, k, before, auth.sth.rootHash);
      if (from !== undefined) {
        reorders.push({ at: k, from });
        reported.add(k);
      } else if (!reported.has(k)) {
        problems.push({
          code: 'ENTRY_ALTERED',
          index: k,
          message: `entry ${k} altered: the log recomputed with it has root ${root} at size ${k + 1}, but the signed root is ${auth.sth.rootHash} (event and leafHash were changed together, or the entry was replaced)`,
        });
        reported.add(k);
      }
    } else if (root !== undefined) {
      const range = [...Array(k + 1 - goodUpTo).keys()].map((d) => goodUpTo + d);
      if (!range.some((i) => reported.has(i))) {
        problems.push({
          code: 'ENTRY_ALTERED',
          index: goodUpTo,
          size: k + 1,
          message: `entries ${goodUpTo}..${k} do not match the signed root at size ${k + 1} (no signed head in between pins down which)`,
        });
      }
    }
    // Resume from the signed state at this size, if its peaks are stored and bound to the root.
    if (auth.peaks && foldPeaks(k + 1, auth.peaks) === auth.sth.rootHash) {
      state = CompactTree.fromState({ size: k + 1, peaks: auth.peaks });
      goodUpTo = k + 1;
    }
  }
  return { problems: [...problems, ...nameReorders(reorders)], verifiedSizes, reported, recomputed };
}

/** Entry `at` holds the event that was signed at index `from`. */
interface Reorder {
  at: number;
  from: number;
}

/** The index of another entry whose leaf, appended to the tree `before` entry k, gives `rootHash`: the event signed at k. */
function entryThatFits(computed: Array<Uint8Array | undefined>, k: number, before: CompactTree, rootHash: string): number | undefined {
  const target = fromHex(rootHash, 'root', 32);
  const fits = (candidate: Uint8Array): boolean => {
    const t = CompactTree.fromState(before.state());
    t.append(candidate);
    return hashEquals(t.root(), target);
  };
  return findIndex(computed, (c, j) => j !== k && c !== undefined && fits(c));
}

/** One problem per reorder, and one for both entries of a swap. */
function nameReorders(reorders: Reorder[]): Problem[] {
  const problems: Problem[] = [];
  for (const r of reorders) {
    const mirror = reorders.find((o) => o.at === r.from && o.from === r.at);
    if (mirror && r.at > r.from) continue;
    problems.push(
      mirror
        ? { code: 'ENTRY_REORDERED', index: r.at, message: `entries ${r.at} and ${r.from} were swapped: each holds the event that was signed at the other's index` }
        : { code: 'ENTRY_REORDERED', index: r.at, message: `entries reordered: entry ${r.at} holds the event that was signed at index ${r.from}` },
    );
  }
  return problems;
}

/** Successive verified signed heads are consistent: an RFC 6962 consistency proof computed from the entries verifies between them. */
function checkConsistency(computed: Array<Uint8Array | undefined>, verifiedSizes: number[], authority: Map<number, Claim>): Phase<{ verified: number }> {
  const problems: Problem[] = [];
  let verified = 0;
  if (verifiedSizes.length === 0) return { problems, verified };
  const tree = new MerkleTree(contiguousPrefix(computed));
  let previous = 0;
  for (const size of verifiedSizes) {
    if (size > tree.size) break;
    const a = previous === 0 ? undefined : authority.get(previous);
    const b = authority.get(size) as Claim;
    const oldRoot = a ? fromHex(a.sth.rootHash, 'root', 32) : tree.root(0);
    try {
      verifyConsistency(previous, size, oldRoot, fromHex(b.sth.rootHash, 'root', 32), tree.consistencyProof(previous, size));
      verified++;
    } catch (err) {
      problems.push({ code: 'STH_INCONSISTENT', size, message: `signed heads for sizes ${previous} and ${size} are not consistent: ${(err as Error).message}` });
    }
    previous = size;
  }
  return { problems, verified };
}

/** Signed heads' timestamps never decrease with size. */
function checkTimestamps(signedSizes: number[], authority: Map<number, Claim>): Phase {
  const problems: Problem[] = [];
  let last: Claim | undefined;
  for (const size of signedSizes) {
    const claim = authority.get(size) as Claim;
    if (last && claim.sth.timestamp < last.sth.timestamp) {
      problems.push({
        code: 'STH_TIMESTAMP_DECREASE',
        size,
        message: `the signed head for size ${size} is dated ${new Date(claim.sth.timestamp).toISOString()}, before the one for size ${last.sth.treeSize} (${new Date(last.sth.timestamp).toISOString()})`,
      });
    }
    last = claim;
  }
  return { problems };
}

/**
 * Up to the head's size, every size has an STH item whose peaks give its root and (when the
 * anchors were read) an anchor in S3 that is byte for byte the same head.
 */
function checkStoredHeads(logId: string, log: LogItems, anchorsBySize: Map<number, AnchorRecord>, anchorsRead: boolean): Phase {
  const problems: Problem[] = [];
  for (let size = 1; size <= (log.head?.treeSize ?? 0); size++) {
    const stored = log.tableSths.get(size);
    const anchor = anchorsBySize.get(size);
    if (!stored) {
      problems.push({
        code: 'STH_MISSING',
        size,
        message: `no signed tree head is stored for size ${size}${anchor ? ' (the anchor in S3 still has it)' : ''}: the STH item was deleted`,
      });
      continue;
    }
    if (stored.peaks && foldPeaks(size, stored.peaks) !== stored.sth.rootHash) {
      problems.push({ code: 'STH_MALFORMED', size, message: `STH item for size ${size}: its CompactTree peaks do not give its root` });
    }
    if (!anchorsRead) continue;
    const anchored = anchor?.versions[0]?.sth;
    if (!anchor || anchor.versions.length === 0) {
      problems.push({ code: 'ANCHOR_MISSING', size, message: `the signed head for size ${size} has no anchor in S3 (${`<bucket>/${logId}/sth/…`})` });
    } else if (anchored && AnchorStore.body(anchored) !== AnchorStore.body(stored.sth)) {
      problems.push({ code: 'ANCHOR_MISMATCH', size, message: `the anchored head for size ${size} differs from the table's: ${diffFields(anchored, stored.sth)}` });
    }
  }
  return { problems };
}

/** The head's signed tree head is the STH item stored for its size. */
function checkHeadAgainstTable(log: LogItems): Phase {
  const problems: Problem[] = [];
  const { head } = log;
  const stored = head ? log.tableSths.get(head.treeSize) : undefined;
  if (head && stored && canonicalJson(stored.sth) !== canonicalJson(head.signedTreeHead)) {
    problems.push({ code: 'HEAD_INCONSISTENT', size: head.treeSize, message: `the head's signed tree head differs from the STH item for size ${head.treeSize}: ${diffFields(head.signedTreeHead, stored.sth)}` });
  }
  return { problems };
}

/** In the global log, each checkpoint entry records a head signed by a trusted key. */
function checkRecordedCheckpoints(logId: string, entries: Map<number, AuditEntry>, keys: PublicKeyRing): Phase<{ verified: number }> {
  const problems: Problem[] = [];
  let verified = 0;
  if (logId !== GLOBAL_CHECKPOINT_LOG_ID) return { problems, verified };
  for (const [index, e] of [...entries].sort((a, b) => a[0] - b[0])) {
    let event: unknown;
    try {
      event = JSON.parse(e.event);
    } catch {
      continue; // reported as ENTRY_ALTERED by checkEntries
    }
    if (event === null || typeof event !== 'object' || (event as { type?: unknown }).type !== 'checkpoint') continue;
    const { type: _type, ...recorded } = event as Record<string, unknown>;
    const check = checkTreeHeadSignature(recorded as unknown as SignedTreeHead, keys);
    verified++;
    if (!check.ok) problems.push({ code: 'CHECKPOINT_MISMATCH', index, message: `entry ${index} records a head of ${JSON.stringify(recorded.logId)} whose signature does not check: ${check.message}` });
  }
  return { problems, verified };
}

/** Idempotency records point at the entry they claim (unless that entry was already reported). */
function checkIdempotency(keyItems: Obj[], computed: Array<Uint8Array | undefined>, expectedSize: number, reported: ReadonlySet<number>): Phase {
  const problems: Problem[] = [];
  for (const item of keyItems) {
    const index = item.index;
    const leaf = item.leafHash;
    const key = text(item.idempotencyKey);
    if (typeof index !== 'number' || typeof leaf !== 'string') {
      problems.push({ code: 'IDEMPOTENCY_MISMATCH', message: `idempotency record for ${JSON.stringify(key)} is malformed` });
      continue;
    }
    const c = computed[index];
    if (index >= expectedSize || !c || toHex(c) !== leaf) {
      if (!reported.has(index)) {
        problems.push({ code: 'IDEMPOTENCY_MISMATCH', index, message: `idempotency key ${JSON.stringify(key)} recorded entry ${index} with leaf ${leaf}, which the log does not hold there` });
      }
    }
  }
  return { problems };
}

/** Root from CompactTree peaks for `size`, or undefined if they do not fit the size. */
function foldPeaks(size: number, peaks: string[]): string | undefined {
  try {
    return toHex(CompactTree.fromState({ size, peaks }).root());
  } catch {
    return undefined;
  }
}

function findIndex<T>(list: T[], pred: (item: T, index: number) => boolean): number | undefined {
  for (let i = 0; i < list.length; i++) if (pred(list[i] as T, i)) return i;
  return undefined;
}

function contiguousPrefix(leaves: Array<Uint8Array | undefined>): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const leaf of leaves) {
    if (!leaf) break;
    out.push(leaf);
  }
  return out;
}

function diffFields(a: SignedTreeHead, b: SignedTreeHead): string {
  const fields = ['logId', 'treeSize', 'rootHash', 'timestamp', 'algorithm', 'keyId', 'signature'] as const;
  const diffs = fields.filter((f) => a[f] !== b[f]).map((f) => `${f} ${JSON.stringify(a[f])} vs ${JSON.stringify(b[f])}`);
  return diffs.length > 0 ? diffs.join('; ') : 'same fields, different bytes';
}

/** Reads the log and its anchors and verifies them (see the module comment), and its checkpoints in the global log. */
export async function verifyLog(options: { store: AuditLogStore; anchors?: AnchorStore; keys: PublicKeyRing; logId: string }): Promise<VerifyReport> {
  const { store, logId, keys } = options;
  const items = await store.getAllItems(logId);
  const anchors = options.anchors ? await options.anchors.list(logId) : undefined;
  const report = verifyLogData(logId, items, anchors, keys);
  for (const item of items.filter((i) => numberOfSk(text(i.sk), 'c#') !== undefined)) {
    const size = numberOfSk(text(item.sk), 'c#') as number;
    const problem = await checkCheckpoint(store, keys, item, items, size);
    report.checked.checkpoints++;
    if (problem) report.problems.push({ code: 'CHECKPOINT_MISMATCH', size, message: problem });
  }
  report.ok = report.problems.length === 0;
  return report;
}

/** Checks that the global log holds this log's head at `size` where the `c#` item says, included under its signed head. */
async function checkCheckpoint(store: AuditLogStore, keys: PublicKeyRing, item: Obj, items: Obj[], size: number): Promise<string | undefined> {
  const globalLogId = text(item.globalLogId);
  const index = item.globalIndex;
  if (typeof index !== 'number') return `checkpoint record for size ${size} has no global index`;
  const sthItem = items.find((i) => i.sk === sthSk(size));
  if (!sthItem) return `checkpoint for size ${size}: no STH item for that size to compare with`;
  const sth = parseStoredSth(sthItem, `STH for size ${size}`).sth;
  const [entry] = await store.getEntries(globalLogId, index, index + 1);
  if (!entry) return `checkpoint for size ${size}: the global log ${JSON.stringify(globalLogId)} has no entry ${index}`;
  if (entry.event !== canonicalJson(checkpointEvent(sth))) return `checkpoint for size ${size}: global entry ${index} does not record this log's signed head for size ${size}`;
  const leaf = leafHash(Buffer.from(entry.event, 'utf8'));
  if (toHex(leaf) !== entry.leafHash) return `checkpoint for size ${size}: global entry ${index} does not hash to its leafHash`;
  const global = await store.getHead(globalLogId);
  if (!global) return `checkpoint for size ${size}: the global log has no head`;
  const signed = checkTreeHeadSignature(global.signedTreeHead, keys);
  if (!signed.ok) return `checkpoint for size ${size}: the global log's head: ${signed.message}`;
  try {
    const proof = await inclusionProof(store, globalLogId, index, global.treeSize);
    verifyInclusion(leaf, index, global.treeSize, proof.auditPath.map((h) => fromHex(h, 'proof', 32)), fromHex(global.signedTreeHead.rootHash, 'root', 32));
  } catch (err) {
    return `checkpoint for size ${size}: global entry ${index} is not included under the global log's signed head: ${(err as Error).message}`;
  }
  return undefined;
}
