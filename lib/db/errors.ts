/** Turns driver errors into one line a person can act on, naming the server, never the password. */
export function describeDatabaseError(error: unknown, databaseUrl: string): string {
  const where = safeLocation(databaseUrl);
  const code = typeof error === "object" && error !== null && "code" in error ? String(error.code) : "";
  const message = error instanceof Error ? error.message : String(error);
  switch (code) {
    case "ECONNREFUSED":
      return `Cannot reach the database at ${where}: connection refused. Is PostgreSQL running there?`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `Cannot reach the database at ${where}: the host name does not resolve.`;
    case "ETIMEDOUT":
      return `Cannot reach the database at ${where}: the connection timed out.`;
    case "3D000":
      return `The database at ${where} does not exist. Create it (createdb) or fix DATABASE_URL.`;
    case "28P01":
    case "28000":
      return `The database at ${where} refused the credentials in DATABASE_URL.`;
    default:
      return `Database error at ${where}: ${message}`;
  }
}

/** host:port/database of a connection URL, without user or password. */
export function safeLocation(databaseUrl: string): string {
  try {
    const u = new URL(databaseUrl);
    return `${u.hostname}:${u.port || "5432"}${u.pathname}`;
  } catch {
    return "(unparseable DATABASE_URL)";
  }
}
