export type { Db } from "./client";
export { createDb, DatabaseNotConfiguredError, db } from "./client";
export { describeDatabaseError, safeLocation } from "./errors";
export { checksumOf, defaultMigrationsDir, MigrationError, migrate, readMigrations } from "./migrate";
