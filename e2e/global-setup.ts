/**
 * Refuses to run the browser tests against anything but a local database:
 * they create and change rows freely.
 */
export default function globalSetup(): void {
  const url = process.env.DATABASE_URL;
  if (url) {
    const host = new URL(url).hostname;
    if (!["127.0.0.1", "localhost", "::1", "[::1]"].includes(host)) {
      throw new Error(`Refusing to run e2e tests against the non-local database host ${host}`);
    }
  }
}
