import type { Db, Row } from './client';

// Planted: SQL built by concatenation.
export async function findUserByName(db: Db, name: string): Promise<Row[]> {
  return db.query("SELECT * FROM users WHERE name = '" + name + "'");
}

// Planted: SQL built by template interpolation.
export async function deleteUser(db: Db, id: string): Promise<void> {
  await db.query(`DELETE FROM users WHERE id = ${id}`);
}

// Safe: a parameterised query.
export async function findUserById(db: Db, id: number): Promise<Row | undefined> {
  const rows = await db.query('SELECT * FROM users WHERE id = $1', [id]);
  return rows[0];
}

export function isAdmin(role: string): boolean {
  // Planted: loose equality.
  return role == 'admin' || role == 'owner';
}
