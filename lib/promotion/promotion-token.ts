/**
 * The opaque token the Promote dialog posts back: what was previewed and at which commit and
 * blob. It is not a credential — the server re-runs every check on the current state and
 * refuses a stale view — so it is plain base64url JSON, validated on the way in.
 */
import { z } from "zod";

const tokenSchema = z
  .strictObject({
    v: z.literal(1),
    app: z.string().min(1).max(200),
    toEnv: z.string().min(1).max(200),
    fromEnv: z.string().min(1).max(200).nullable(),
    image: z.string().min(1).max(500),
    /** Null for a tag-only promotion. */
    digest: z
      .string()
      .regex(/^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-fA-F0-9]{32,}$/, "not a digest")
      .nullable(),
    /** The tag that moves with the digest (null: the source runs a bare digest). */
    tag: z.string().min(1).max(200).nullable(),
    rollback: z.boolean(),
    /** A canary: the one target of `toEnv` that moves. */
    target: z.string().min(1).max(200).optional(),
    /** What moves (absent: an image). For a chart or remote base, `image` is its name and `tag` its version. */
    kind: z.enum(["image", "chart", "remote-base"]).optional(),
    /** Commit the preview (and its diff) was computed at. */
    commit: z.string().regex(/^[0-9a-f]{40,64}$|^worktree$/),
    /** The target file and its blob SHA at that commit. */
    path: z.string().min(1).max(1000),
    blobSha: z.string().min(1).max(128),
  })
  .refine((t) => t.digest !== null || t.tag !== null, "neither a digest nor a tag")
  .refine(
    (t) => (t.kind ?? "image") === "image" || (t.digest === null && t.tag !== null && !t.rollback),
    "a chart or remote base moves a version, never a digest or a rollback",
  );

export type PromotionToken = z.infer<typeof tokenSchema>;

/** base64url JSON: what both tokens (one promotion, a bundle) are on the wire. */
export function encodeToken(token: unknown): string {
  return Buffer.from(JSON.stringify(token), "utf8").toString("base64url");
}

/**
 * Reads a token back: too long, unreadable and invalid each get a message naming the token and
 * the dialog to reopen (`what`: "promotion token", `dialog`: "the Promote dialog").
 */
export function decodeToken<T>(
  raw: string,
  schema: z.ZodType<T>,
  options: { maxChars: number; what: string; dialog: string },
): { ok: true; token: T } | { ok: false; message: string } {
  const { what, dialog } = options;
  if (raw.length > options.maxChars) return { ok: false, message: `The ${what} is too long.` };
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(raw, "base64url").toString("utf8"));
  } catch {
    return { ok: false, message: `The ${what} is not readable; open ${dialog} again.` };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success)
    return {
      ok: false,
      message: `The ${what} is invalid (${parsed.error.issues[0]?.message ?? "bad shape"}); open ${dialog} again.`,
    };
  return { ok: true, token: parsed.data };
}

export function encodePromotionToken(token: PromotionToken): string {
  return encodeToken(token);
}

export function decodePromotionToken(raw: string): { ok: true; token: PromotionToken } | { ok: false; message: string } {
  return decodeToken(raw, tokenSchema, { maxChars: 8000, what: "promotion token", dialog: "the Promote dialog" });
}
