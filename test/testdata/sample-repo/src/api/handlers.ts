import type { Db, Row } from '../db/client';
import { findUserByName, isAdmin } from '../db/users';

// Planted: `any` that is dereferenced, so `unknown` does not type-check (its refactoring batch must roll back).
export async function handleGetUser(db: Db, request: any): Promise<Row[]> {
  if (!isAdmin(request.headers.role)) return [];
  return findUserByName(db, request.query.name);
}

// Planted: await in a loop.
export async function handleListOrders(db: Db, ids: number[]): Promise<Row[]> {
  const out: Row[] = [];
  for (const id of ids) {
    const rows = await db.query('SELECT * FROM orders WHERE id = $1', [id]);
    out.push(...rows);
  }
  return out;
}
