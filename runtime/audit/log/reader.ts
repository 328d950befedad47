/**
 * What the HTTP API serves: pages of entries, inclusion proofs and consistency proofs, all with
 * hashes in lowercase hex. Roots for older sizes are recomputed from the stored leaf hashes (one
 * projected query; events are not read), and the stored signed tree head for that size is
 * returned alongside, so a client can check the proof against a signature rather than trust us.
 */
import { MerkleTree } from '../merkle-tree';
import { fromHex, toHex } from '../hex';
import { AuditLogCorruptError, type AuditLogStore } from './store';
import { DEFAULT_PAGE_LIMIT, type SignedTreeHead } from './types';

/** No log with that id (no entry was ever appended). */
export class AuditLogNotFoundError extends Error {
  override readonly name = 'AuditLogNotFoundError';
  constructor(readonly logId: string) {
    super(`no audit log ${JSON.stringify(logId)}`);
  }
}

/** A request parameter is out of range; `parameter` names it. */
export class AuditRequestError extends Error {
  override readonly name = 'AuditRequestError';
  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(message);
  }
}

export interface LogPage {
  logId: string;
  treeSize: number;
  rootHash: string;
  signedTreeHead: SignedTreeHead;
  from: number;
  limit: number;
  /** Entries from..from+limit-1 that exist below treeSize; `event` is the parsed canonical JSON. */
  entries: Array<{ index: number; leafHash: string; event: unknown }>;
  /** `from` for the next page, or null at the end. */
  next: number | null;
}

export interface InclusionProofResponse {
  logId: string;
  index: number;
  treeSize: number;
  leafHash: string;
  auditPath: string[];
  rootHash: string;
  /** The stored signed tree head for treeSize, if there is one. */
  signedTreeHead: SignedTreeHead | null;
}

export interface ConsistencyProofResponse {
  logId: string;
  from: number;
  to: number;
  fromRoot: string;
  toRoot: string;
  proof: string[];
  signedTreeHeads: { from: SignedTreeHead | null; to: SignedTreeHead | null };
}

async function headOf(store: AuditLogStore, logId: string) {
  const head = await store.getHead(logId);
  if (!head) throw new AuditLogNotFoundError(logId);
  return head;
}

export async function readLogPage(store: AuditLogStore, logId: string, from = 0, limit = DEFAULT_PAGE_LIMIT): Promise<LogPage> {
  const head = await headOf(store, logId);
  const end = Math.min(head.treeSize, from + limit);
  const entries = await store.getEntries(logId, from, end);
  return {
    logId,
    treeSize: head.treeSize,
    rootHash: head.rootHash,
    signedTreeHead: head.signedTreeHead,
    from,
    limit,
    entries: entries.map((e) => ({ index: e.index, leafHash: e.leafHash, event: parseEvent(e.event) })),
    next: end < head.treeSize ? end : null,
  };
}

function parseEvent(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** A Merkle tree over the stored leaf hashes of entries 0..size-1; a gap is an error. */
async function treeOf(store: AuditLogStore, logId: string, size: number): Promise<MerkleTree> {
  const leaves = await store.getLeafHashes(logId, size);
  const tree = new MerkleTree();
  for (const [i, leaf] of leaves.entries()) {
    if (leaf.index !== i) throw new AuditLogCorruptError(`log ${JSON.stringify(logId)} has no entry ${i}: run the verifier`);
    tree.append(fromHex(leaf.leafHash, `leaf hash of entry ${i}`, 32));
  }
  if (tree.size !== size) throw new AuditLogCorruptError(`log ${JSON.stringify(logId)} has ${tree.size} entries below its size ${size}: run the verifier`);
  return tree;
}

export async function inclusionProof(store: AuditLogStore, logId: string, index: number, treeSize?: number): Promise<InclusionProofResponse> {
  const head = await headOf(store, logId);
  const size = treeSize ?? head.treeSize;
  if (size > head.treeSize) throw new AuditRequestError('treeSize', `treeSize ${size} is larger than the log (${head.treeSize} entries)`);
  if (size < 1) throw new AuditRequestError('treeSize', 'treeSize must be at least 1');
  if (index >= size) throw new AuditRequestError('index', `index ${index} is not below treeSize ${size}`);
  const tree = await treeOf(store, logId, size);
  const stored = size === head.treeSize ? head.signedTreeHead : (await store.getSth(logId, size))?.sth;
  return {
    logId,
    index,
    treeSize: size,
    leafHash: toHex(tree.leafHash(index)),
    auditPath: tree.inclusionProof(index, size).map(toHex),
    rootHash: toHex(tree.root(size)),
    signedTreeHead: stored ?? null,
  };
}

export async function consistencyProof(store: AuditLogStore, logId: string, from: number, to?: number): Promise<ConsistencyProofResponse> {
  const head = await headOf(store, logId);
  const newSize = to ?? head.treeSize;
  if (newSize > head.treeSize) throw new AuditRequestError('to', `to ${newSize} is larger than the log (${head.treeSize} entries)`);
  if (from > newSize) throw new AuditRequestError('from', `from ${from} is larger than to ${newSize}: a log only grows`);
  const tree = await treeOf(store, logId, newSize);
  const sthAt = async (size: number) => (size === 0 ? null : size === head.treeSize ? head.signedTreeHead : ((await store.getSth(logId, size))?.sth ?? null));
  return {
    logId,
    from,
    to: newSize,
    fromRoot: toHex(tree.root(from)),
    toRoot: toHex(tree.root(newSize)),
    proof: tree.consistencyProof(from, newSize).map(toHex),
    signedTreeHeads: { from: await sthAt(from), to: await sthAt(newSize) },
  };
}
