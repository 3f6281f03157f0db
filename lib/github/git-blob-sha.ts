import { createHash } from "node:crypto";

/** Git's blob id: SHA-1 of "blob <size>\0<content>". Lets the reader prove a blob matches its SHA. */
export function gitBlobSha(content: Buffer | string): string {
  const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content;
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}
