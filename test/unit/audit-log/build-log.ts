import { canonicalJson } from '../../../runtime/audit/canonical-json';
import { CompactTree } from '../../../runtime/audit/compact-tree';
import { leafHash } from '../../../runtime/audit/hashing';
import { toHex } from '../../../runtime/audit/hex';
import { AnchorStore, type AnchorRecord } from '../../../runtime/audit/log/anchors';
import { anchorKey } from '../../../runtime/audit/log/anchors';
import { entryRecord, headRecord, keyRecord, sthRecord, type Plain } from '../../../runtime/audit/log/items';
import { signTreeHead } from '../../../runtime/audit/log/sth';
import type { SignedTreeHead } from '../../../runtime/audit/log/types';
import type { Signer } from '../../../runtime/audit/signing/signer';

export type Obj = { [key: string]: Plain };

/** Plain as DynamoDB would give it back: no undefined attributes. */
const plain = (o: object): Obj => JSON.parse(JSON.stringify(o)) as Obj;

/**
 * The items and anchors a log of `events` has after one append each, built with the same record
 * builders, tree and signing code the writer uses (without DynamoDB). Timestamps are 1000 + i.
 */
export async function buildLog(logId: string, events: unknown[], signer: Signer): Promise<{ items: Obj[]; anchors: AnchorRecord[]; sths: SignedTreeHead[] }> {
  const items: Obj[] = [];
  const anchors: AnchorRecord[] = [];
  const sths: SignedTreeHead[] = [];
  const tree = CompactTree.empty();
  let head: Obj | undefined;
  for (const [index, event] of events.entries()) {
    const text = canonicalJson(event);
    const leaf = leafHash(Buffer.from(text, 'utf8'));
    tree.append(leaf);
    const sth = await signTreeHead(signer, { logId, treeSize: index + 1, rootHash: toHex(tree.root()), timestamp: 1000 + index });
    const key = `key-${index}`;
    items.push(plain(entryRecord({ logId, index, event: text, leafHash: toHex(leaf), appendedAt: new Date(1000 + index).toISOString(), idempotencyKey: key })));
    items.push(plain(sthRecord(sth, tree.state().peaks)));
    items.push(plain(keyRecord({ logId, idempotencyKey: key, index, leafHash: toHex(leaf) })));
    head = plain(headRecord(sth, tree.state().peaks, new Date(1000 + index).toISOString()));
    anchors.push(anchorOf(sth));
    sths.push(sth);
  }
  if (head) items.push(head);
  return { items, anchors, sths };
}

export function anchorOf(sth: SignedTreeHead): AnchorRecord {
  return { size: sth.treeSize, key: anchorKey(sth.logId, sth.treeSize), deleted: false, versions: [{ versionId: 'null', body: AnchorStore.body(sth), sth }] };
}

export const entrySkOf = (i: number) => `e#${String(i).padStart(16, '0')}`;
export const sthSkOf = (n: number) => `s#${String(n).padStart(16, '0')}`;

export function find(items: Obj[], sk: string): Obj {
  const item = items.find((i) => i.sk === sk);
  if (!item) throw new Error(`no item ${sk}`);
  return item;
}
