/**
 * The verifier: re-reads a log from the table and its anchors from S3, and checks everything that
 * can be checked without trusting either store — only the public keys.
 *
 * 1. Every entry: its event is canonical JSON and hashes to its stored leafHash; indices run
 *    0..n-1 with no gap and nothing past the last signed size.
 * 2. Every signed tree head (table item, the head's copy, S3 anchor): the signature verifies with
 *    a trusted key, and it is about this log. Two validly signed heads for one size with different
 *    roots are a fork.
 * 3. Entry by entry, the root recomputed from the events equals the signed root at every size.
 *    A mismatch at size k+1 pins the fault on entry k; if another entry's event fits there, the
 *    entries were reordered. Each STH item also stores the CompactTree peaks at its size (bound
 *    to the signed root), so checking resumes after a damaged entry instead of stopping there.
 * 4. Successive signed heads are consistent: an RFC 6962 consistency proof computed from the
 *    entries verifies between them; timestamps never decrease.
 * 5. The head is the latest signed head (nothing signed or anchored beyond it: no rollback) and
 *    agrees with its own STH and peaks; every table STH is anchored, byte for byte, and every
 *    anchor is in the table; an anchor overwritten or hidden by a delete marker (on a versioned,
 *    Object-Locked bucket) is reported, and its first version is the one that counts.
 * 6. Idempotency records point at the entry they claim.
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

/** Checks a log given its raw table items and (optionally) its anchors. Pure: no I/O. */
export function verifyLogData(logId: string, items: Obj[], anchorRecords: AnchorRecord[] | undefined, keys: PublicKeyRing): VerifyReport {
  const problems: Problem[] = [];
  const report = (p: Problem) => problems.push(p);
  const checked: VerifyReport['checked'] = {
    entries: 0,
    signedTreeHeads: 0,
    signatures: 0,
    rootsRecomputed: 0,
    consistencyProofs: 0,
    anchors: anchorRecords ? 0 : null,
    checkpoints: 0,
  };

  // --- Sort the items by kind.
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
        if (entry.index !== index) report({ code: 'ENTRY_MALFORMED', index, message: `entry ${index}: its index attribute says ${entry.index}` });
        entries.set(index, { ...entry, index });
      } else if (numberOfSk(sk, 's#') !== undefined) {
        const size = numberOfSk(sk, 's#') as number;
        const stored = parseStoredSth(item, `STH item for size ${size}`);
        if (stored.sth.treeSize !== size) {
          report({ code: 'STH_MALFORMED', size, message: `STH item stored under size ${size} is for size ${stored.sth.treeSize}` });
          continue;
        }
        tableSths.set(size, stored);
      } else if (sk.startsWith('k#')) keyItems.push(item);
      else if (numberOfSk(sk, 'c#') !== undefined) continue;
      else report({ code: 'UNKNOWN_ITEM', message: `unexpected item with sort key ${JSON.stringify(sk)}` });
    } catch (err) {
      const index = numberOfSk(sk, 'e#');
      const size = numberOfSk(sk, 's#');
      report({
        code: sk === HEAD_SK ? 'HEAD_INCONSISTENT' : index !== undefined ? 'ENTRY_MALFORMED' : 'STH_MALFORMED',
        ...(index !== undefined ? { index } : {}),
        ...(size !== undefined ? { size } : {}),
        message: (err as Error).message,
      });
    }
  }

  if (items.length === 0 && (anchorRecords ?? []).length === 0) {
    report({ code: 'LOG_NOT_FOUND', message: `no audit log ${JSON.stringify(logId)}: no items in the table and no anchors` });
    return finish();
  }

  // --- Every signed head from every source, with its signature checked.
  const claims = new Map<number, Claim[]>();
  const addClaim = (size: number, claim: Omit<Claim, 'valid'>): Claim => {
    const full: Claim = { ...claim, valid: checkSignature(claim.sth, claim.source, size) };
    const list = claims.get(size) ?? [];
    list.push(full);
    claims.set(size, list);
    return full;
  };
  function checkSignature(sth: SignedTreeHead, source: Claim['source'], size: number): boolean {
    checked.signatures++;
    if (sth.logId !== logId) {
      report({ code: 'STH_MALFORMED', size, message: `${where[source]} for size ${size} is about log ${JSON.stringify(sth.logId)}, not this one` });
      return false;
    }
    const res = checkTreeHeadSignature(sth, keys);
    if (res.ok) return true;
    report({
      code: res.reason === 'UNKNOWN_KEY' ? 'STH_UNKNOWN_KEY' : res.reason === 'MALFORMED' ? 'STH_MALFORMED' : 'STH_SIGNATURE_INVALID',
      size,
      message: `${where[source]} for size ${size}: ${res.message}${res.reason === 'BAD_SIGNATURE' ? ' (its content was changed after signing, or the signature is forged)' : ''}`,
    });
    return false;
  }

  for (const [size, stored] of [...tableSths].sort((a, b) => a[0] - b[0])) {
    addClaim(size, { source: 'table', sth: stored.sth, ...(stored.peaks ? { peaks: stored.peaks } : {}) });
  }
  if (head) {
    const h = head.signedTreeHead;
    const tableCopy = tableSths.get(h.treeSize);
    // The head's STH is usually the table's latest STH item: check its signature only if it differs.
    if (!tableCopy || canonicalJson(tableCopy.sth) !== canonicalJson(h)) addClaim(h.treeSize, { source: 'head', sth: h, peaks: head.peaks });
  }
  const anchorsBySize = new Map<number, AnchorRecord>();
  for (const record of anchorRecords ?? []) {
    anchorsBySize.set(record.size, record);
    checked.anchors = (checked.anchors ?? 0) + 1;
    const first = record.versions[0];
    if (record.versions.length === 0) {
      report({ code: 'ANCHOR_DELETED', size: record.size, message: `anchor ${record.key} was deleted (only a delete marker is left)` });
      continue;
    }
    if (record.deleted) {
      report({ code: 'ANCHOR_DELETED', size: record.size, message: `anchor ${record.key} is hidden by a delete marker; its first version is still retained and is checked` });
    }
    if (record.versions.length > 1) {
      const changed = record.versions.slice(1).some((v) => v.body !== first?.body);
      if (changed) report({ code: 'ANCHOR_OVERWRITTEN', size: record.size, message: `anchor ${record.key} was overwritten (${record.versions.length} versions); its first version is the one checked` });
    }
    if (!first?.sth) {
      report({ code: 'ANCHOR_MALFORMED', size: record.size, message: `anchor ${record.key} is not a signed tree head: ${first?.error ?? 'unreadable'}` });
      continue;
    }
    if (first.sth.treeSize !== record.size) {
      report({ code: 'ANCHOR_MALFORMED', size: record.size, message: `anchor ${record.key} holds the head for size ${first.sth.treeSize}` });
      continue;
    }
    if (first.body !== AnchorStore.body(first.sth)) {
      report({ code: 'ANCHOR_MALFORMED', size: record.size, message: `anchor ${record.key} is not in canonical form (it was rewritten)` });
    }
    addClaim(record.size, { source: 'anchor', sth: first.sth });
  }
  checked.signedTreeHeads = claims.size;

  // --- One authoritative signed root per size; disagreeing valid signatures are a fork.
  const authority = new Map<number, Claim>();
  for (const [size, list] of claims) {
    const valid = list.filter((c) => c.valid);
    const roots = new Set(valid.map((c) => c.sth.rootHash));
    if (roots.size > 1) {
      report({
        code: 'STH_FORK',
        size,
        message: `validly signed tree heads for size ${size} disagree: ${valid.map((c) => `${where[c.source]} says ${c.sth.rootHash}`).join(', ')} — the log was forked or rewritten and re-signed`,
      });
    }
    const pick = valid.find((c) => c.source === 'anchor') ?? valid.find((c) => c.source === 'table') ?? valid[0];
    if (pick) {
      // Peaks live only in table items; borrow them if that item agrees on the root.
      const withPeaks = pick.peaks ? pick : valid.find((c) => c.peaks && c.sth.rootHash === pick.sth.rootHash);
      authority.set(size, withPeaks?.peaks ? { ...pick, peaks: withPeaks.peaks } : pick);
    }
  }
  const signedSizes = [...authority.keys()].sort((a, b) => a - b);
  const maxSigned = signedSizes.at(-1) ?? 0;

  // --- The head: present, latest, and agreeing with its own STH.
  const headSize = head?.treeSize ?? 0;
  if (!head) {
    report({ code: 'HEAD_MISSING', message: `the log has no head item${maxSigned > 0 ? `, but heads up to size ${maxSigned} were signed` : ''}` });
  } else {
    if (head.signedTreeHead.treeSize !== head.treeSize || head.signedTreeHead.rootHash !== head.rootHash) {
      report({
        code: 'HEAD_INCONSISTENT',
        size: head.treeSize,
        message: `head says size ${head.treeSize} root ${head.rootHash}, but its signed tree head says size ${head.signedTreeHead.treeSize} root ${head.signedTreeHead.rootHash}`,
      });
    }
    const peaksRoot = foldPeaks(head.treeSize, head.peaks);
    if (peaksRoot !== head.rootHash) {
      report({ code: 'HEAD_INCONSISTENT', size: head.treeSize, message: `head's CompactTree peaks give root ${peaksRoot ?? '(invalid peaks)'}, not its rootHash ${head.rootHash}` });
    }
  }
  if (maxSigned > headSize) {
    const by = (claims.get(maxSigned) ?? []).filter((c) => c.valid).map((c) => where[c.source]);
    report({
      code: 'HEAD_ROLLED_BACK',
      size: maxSigned,
      message: `the head says size ${headSize}, but a head for size ${maxSigned} was signed (${by.join(', ')}): the log was rolled back`,
    });
  }
  const expectedSize = Math.max(headSize, maxSigned);

  // --- Entries: present, canonical, hashing to their stored leaf hash.
  const computed: Array<Uint8Array | undefined> = [];
  const reportedEntry = new Set<number>();
  for (let i = 0; i < expectedSize; i++) {
    const entry = entries.get(i);
    if (!entry) {
      report({ code: 'ENTRY_MISSING', index: i, message: `entry ${i} is missing (deleted): the log has a gap at index ${i}` });
      reportedEntry.add(i);
      computed.push(undefined);
      continue;
    }
    checked.entries++;
    const bytes = Buffer.from(entry.event, 'utf8');
    computed.push(leafHash(bytes));
    let canonical: string | undefined;
    try {
      canonical = canonicalJson(JSON.parse(entry.event));
    } catch {
      canonical = undefined;
    }
    if (canonical !== entry.event) {
      report({ code: 'ENTRY_ALTERED', index: i, message: `entry ${i} altered: its event is not the canonical JSON the writer stores` });
      reportedEntry.add(i);
    } else if (toHex(computed[i] as Uint8Array) !== entry.leafHash) {
      report({ code: 'ENTRY_ALTERED', index: i, message: `entry ${i} altered: its event hashes to ${toHex(computed[i] as Uint8Array)}, but its stored leafHash is ${entry.leafHash}` });
      reportedEntry.add(i);
    }
  }
  for (const index of [...entries.keys()].filter((i) => i >= expectedSize).sort((a, b) => a - b)) {
    report({ code: 'ENTRY_UNEXPECTED', index, message: `entry ${index} lies beyond every signed head (size ${expectedSize}): it was added outside the log` });
  }

  // --- Entry by entry against the signed roots.
  const reorders: Array<{ at: number; from: number }> = [];
  let state: CompactTree | undefined = CompactTree.empty();
  let goodUpTo = 0;
  // Sizes whose root matched with every entry before them intact: consistency proofs are computed over these.
  const verifiedSizes: number[] = [];
  let clean = true;
  for (let k = 0; k < expectedSize; k++) {
    const leaf = computed[k];
    const before = state ? CompactTree.fromState(state.state()) : undefined;
    if (state && leaf) state.append(leaf);
    else state = undefined;
    if (!leaf) clean = false;
    const auth = authority.get(k + 1);
    if (!auth) continue;
    checked.rootsRecomputed++;
    const root = state ? toHex(state.root()) : undefined;
    if (root === auth.sth.rootHash) {
      goodUpTo = k + 1;
      if (clean) verifiedSizes.push(k + 1);
      continue;
    }
    clean = false;
    if (root !== undefined && goodUpTo === k && before) {
      const target = fromHex(auth.sth.rootHash, 'root', 32);
      const fits = (candidate: Uint8Array): boolean => {
        const t = CompactTree.fromState(before.state());
        t.append(candidate);
        return hashEquals(t.root(), target);
      };
      const from = findIndex(computed, (c, j) => j !== k && c !== undefined && fits(c));
      if (from !== undefined) {
        reorders.push({ at: k, from });
        reportedEntry.add(k);
      } else if (!reportedEntry.has(k)) {
        report({
          code: 'ENTRY_ALTERED',
          index: k,
          message: `entry ${k} altered: the log recomputed with it has root ${root} at size ${k + 1}, but the signed root is ${auth.sth.rootHash} (event and leafHash were changed together, or the entry was replaced)`,
        });
        reportedEntry.add(k);
      }
    } else if (root !== undefined) {
      const range = [...Array(k + 1 - goodUpTo).keys()].map((d) => goodUpTo + d);
      if (!range.some((i) => reportedEntry.has(i))) {
        report({
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
  for (const r of reorders) {
    const mirror = reorders.find((o) => o.at === r.from && o.from === r.at);
    if (mirror && r.at > r.from) continue;
    report(
      mirror
        ? { code: 'ENTRY_REORDERED', index: r.at, message: `entries ${r.at} and ${r.from} were swapped: each holds the event that was signed at the other's index` }
        : { code: 'ENTRY_REORDERED', index: r.at, message: `entries reordered: entry ${r.at} holds the event that was signed at index ${r.from}` },
    );
  }

  // --- Consistency between successive verified signed heads, from the entries.
  const prefix = contiguousPrefix(computed);
  if (verifiedSizes.length > 0) {
    const tree = new MerkleTree(prefix);
    let previous = 0;
    for (const size of verifiedSizes) {
      if (size > tree.size) break;
      const a = previous === 0 ? undefined : authority.get(previous);
      const b = authority.get(size) as Claim;
      const oldRoot = a ? fromHex(a.sth.rootHash, 'root', 32) : tree.root(0);
      try {
        verifyConsistency(previous, size, oldRoot, fromHex(b.sth.rootHash, 'root', 32), tree.consistencyProof(previous, size));
        checked.consistencyProofs++;
      } catch (err) {
        report({ code: 'STH_INCONSISTENT', size, message: `signed heads for sizes ${previous} and ${size} are not consistent: ${(err as Error).message}` });
      }
      previous = size;
    }
  }

  // --- Timestamps never decrease.
  let last: Claim | undefined;
  for (const size of signedSizes) {
    const claim = authority.get(size) as Claim;
    if (last && claim.sth.timestamp < last.sth.timestamp) {
      report({
        code: 'STH_TIMESTAMP_DECREASE',
        size,
        message: `the signed head for size ${size} is dated ${new Date(claim.sth.timestamp).toISOString()}, before the one for size ${last.sth.treeSize} (${new Date(last.sth.timestamp).toISOString()})`,
      });
    }
    last = claim;
  }

  // --- Signed heads match between the table, the head item and the anchors.
  for (let size = 1; size <= headSize; size++) {
    const stored = tableSths.get(size);
    const anchor = anchorsBySize.get(size);
    if (!stored) {
      report({
        code: 'STH_MISSING',
        size,
        message: `no signed tree head is stored for size ${size}${anchor ? ' (the anchor in S3 still has it)' : ''}: the STH item was deleted`,
      });
      continue;
    }
    if (stored.peaks && foldPeaks(size, stored.peaks) !== stored.sth.rootHash) {
      report({ code: 'STH_MALFORMED', size, message: `STH item for size ${size}: its CompactTree peaks do not give its root` });
    }
    if (anchorRecords === undefined) continue;
    const anchored = anchor?.versions[0]?.sth;
    if (!anchor || anchor.versions.length === 0) {
      report({ code: 'ANCHOR_MISSING', size, message: `the signed head for size ${size} has no anchor in S3 (${`<bucket>/${logId}/sth/…`})` });
    } else if (anchored && AnchorStore.body(anchored) !== AnchorStore.body(stored.sth)) {
      report({ code: 'ANCHOR_MISMATCH', size, message: `the anchored head for size ${size} differs from the table's: ${diffFields(anchored, stored.sth)}` });
    }
  }
  if (head) {
    const stored = tableSths.get(head.treeSize);
    if (stored && canonicalJson(stored.sth) !== canonicalJson(head.signedTreeHead)) {
      report({ code: 'HEAD_INCONSISTENT', size: head.treeSize, message: `the head's signed tree head differs from the STH item for size ${head.treeSize}: ${diffFields(head.signedTreeHead, stored.sth)}` });
    }
  }

  // --- The global log: each checkpoint it records is a head signed by a trusted key.
  if (logId === GLOBAL_CHECKPOINT_LOG_ID) {
    for (const [index, e] of [...entries].sort((a, b) => a[0] - b[0])) {
      let event: unknown;
      try {
        event = JSON.parse(e.event);
      } catch {
        continue; // reported as ENTRY_ALTERED above
      }
      if (event === null || typeof event !== 'object' || (event as { type?: unknown }).type !== 'checkpoint') continue;
      const { type: _type, ...recorded } = event as Record<string, unknown>;
      const check = checkTreeHeadSignature(recorded as unknown as SignedTreeHead, keys);
      checked.checkpoints++;
      if (!check.ok) report({ code: 'CHECKPOINT_MISMATCH', index, message: `entry ${index} records a head of ${JSON.stringify(recorded.logId)} whose signature does not check: ${check.message}` });
    }
  }

  // --- Idempotency records.
  for (const item of keyItems) {
    const index = item.index;
    const leaf = item.leafHash;
    const key = text(item.idempotencyKey);
    if (typeof index !== 'number' || typeof leaf !== 'string') {
      report({ code: 'IDEMPOTENCY_MISMATCH', message: `idempotency record for ${JSON.stringify(key)} is malformed` });
      continue;
    }
    const c = computed[index];
    if (index >= expectedSize || !c || toHex(c) !== leaf) {
      if (!reportedEntry.has(index)) {
        report({ code: 'IDEMPOTENCY_MISMATCH', index, message: `idempotency key ${JSON.stringify(key)} recorded entry ${index} with leaf ${leaf}, which the log does not hold there` });
      }
    }
  }

  return finish();

  function finish(): VerifyReport {
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
