export interface Row {
  [column: string]: string | number | null;
}

export interface Db {
  query(sql: string, params?: Array<string | number>): Promise<Row[]>;
}

export function createDb(rows: Row[]): Db {
  return {
    query: (_sql, _params) => Promise.resolve(rows),
  };
}
