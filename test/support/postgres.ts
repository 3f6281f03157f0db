/**
 * Throwaway databases on the local PostgreSQL server (127.0.0.1:5432, trust
 * auth). Each test file makes its own and drops it afterwards; the guard
 * refuses anything but a local server so a stray TEST_POSTGRES_URL can never
 * point these tests at a real database.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";

const DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres";

export function adminUrl(): string {
  const url = process.env.TEST_POSTGRES_URL ?? DEFAULT_ADMIN_URL;
  const host = new URL(url).hostname;
  if (!["127.0.0.1", "localhost", "::1", "[::1]"].includes(host)) {
    throw new Error(`Refusing to create test databases on non-local host ${host}`);
  }
  return url;
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(prefix = "ladder_test"): Promise<TestDatabase> {
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  const admin = adminUrl();
  await withAdmin(admin, (c) => c.query(`CREATE DATABASE "${name}"`));
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return {
    name,
    url: u.toString(),
    drop: () => withAdmin(admin, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

async function withAdmin<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  return withAdmin(url, async (c) => (await c.query<T>(sql, params)).rows);
}
