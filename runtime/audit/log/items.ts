/**
 * How a log is laid out in its DynamoDB table: one partition per log (partition key `logId`),
 * sort key `sk`:
 *
 * | sk                        | item                                                          |
 * | ------------------------- | ------------------------------------------------------------- |
 * | `e#<index, 16 digits>`    | entry: index, leafHash, event (canonical JSON), appendedAt     |
 * | `head`                    | treeSize, rootHash, peaks (CompactTree), sth (the latest STH)  |
 * | `s#<size, 16 digits>`     | the STH for that size, and the CompactTree peaks at that size  |
 * | `k#<sha256(key), hex>`    | idempotency key: which index the key's first append got        |
 * | `c#<size, 16 digits>`     | checkpoint: where this log's head at that size sits in the global log |
 *
 * Zero-padded decimal keeps lexicographic order equal to numeric order up to 2^53.
 * Items are (un)marshalled by hand: they hold only strings, numbers, lists and maps.
 */
import { createHash } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

export const HEAD_SK = 'head';
const PAD = 16;

const pad = (n: number): string => {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`not a non-negative integer: ${n}`);
  return String(n).padStart(PAD, '0');
};

export const entrySk = (index: number): string => `e#${pad(index)}`;
export const sthSk = (size: number): string => `s#${pad(size)}`;
export const checkpointSk = (size: number): string => `c#${pad(size)}`;
export const keySk = (idempotencyKey: string): string => `k#${createHash('sha256').update(idempotencyKey, 'utf8').digest('hex')}`;
/** The zero-padded number in an anchor's object name and a sort key. */
export const padded = pad;

/** The number in `e#…`, `s#…` or `c#…`, or undefined if `sk` is not of that kind. */
export function numberOfSk(sk: string, prefix: 'e#' | 's#' | 'c#'): number | undefined {
  if (!sk.startsWith(prefix)) return undefined;
  const digits = sk.slice(prefix.length);
  return /^\d{16}$/.test(digits) ? Number(digits) : undefined;
}

export type Plain = string | number | boolean | null | Plain[] | { [key: string]: Plain };

/** A stored attribute as text, for keys and messages (non-strings as JSON). */
export const text = (v: Plain | undefined): string => (typeof v === 'string' ? v : (JSON.stringify(v) ?? 'undefined'));
export type Item = Record<string, AttributeValue>;

export function marshal(value: Plain): AttributeValue {
  if (value === null) return { NULL: true };
  if (typeof value === 'string') return { S: value };
  if (typeof value === 'number') return { N: String(value) };
  if (typeof value === 'boolean') return { BOOL: value };
  if (Array.isArray(value)) return { L: value.map(marshal) };
  return { M: toItem(value) };
}

export function toItem(value: { [key: string]: Plain | undefined }): Item {
  const item: Item = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) item[k] = marshal(v);
  return item;
}

export function unmarshal(value: AttributeValue): Plain {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return Number(value.N);
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.NULL !== undefined) return null;
  if (value.L !== undefined) return value.L.map(unmarshal);
  if (value.M !== undefined) return fromItem(value.M);
  if (value.SS !== undefined) return value.SS;
  if (value.NS !== undefined) return value.NS.map(Number);
  throw new Error(`unsupported DynamoDB attribute type ${Object.keys(value).join(',')}`);
}

export function fromItem(item: Item): { [key: string]: Plain } {
  const out: { [key: string]: Plain } = {};
  for (const [k, v] of Object.entries(item)) out[k] = unmarshal(v);
  return out;
}

/** The items one append writes (see audit-log.ts), as plain objects. */
export interface SthPlain {
  logId: string;
  treeSize: number;
  rootHash: string;
  timestamp: number;
  algorithm: string;
  keyId: string;
  signature: string;
}

export function entryRecord(e: { logId: string; index: number; event: string; leafHash: string; appendedAt: string; idempotencyKey?: string }) {
  return { logId: e.logId, sk: entrySk(e.index), kind: 'entry', index: e.index, leafHash: e.leafHash, event: e.event, appendedAt: e.appendedAt, idempotencyKey: e.idempotencyKey };
}

export function headRecord(sth: SthPlain, peaks: string[], updatedAt: string) {
  return { logId: sth.logId, sk: HEAD_SK, kind: 'head', treeSize: sth.treeSize, rootHash: sth.rootHash, peaks, sth: { ...sth }, updatedAt };
}

export function sthRecord(sth: SthPlain, peaks: string[]) {
  return { ...sth, sk: sthSk(sth.treeSize), kind: 'sth', peaks };
}

export function keyRecord(k: { logId: string; idempotencyKey: string; index: number; leafHash: string }) {
  return { logId: k.logId, sk: keySk(k.idempotencyKey), kind: 'key', idempotencyKey: k.idempotencyKey, index: k.index, leafHash: k.leafHash };
}
