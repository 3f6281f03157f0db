/**
 * The token the bundle dialog posts back: which apps, each at which reference, file and blob, as
 * previewed at one commit. Like the single promotion token it is not a credential (execution
 * re-runs every check on the current state), only a record of what the user looked at.
 */
import { z } from "zod";
import { decodeToken, encodeToken } from "./promotion-token";

/** Bundles larger than this are refused: a pull request touching hundreds of files is not reviewable. */
export const MAX_BUNDLE_APPS = 100;

const name = z.string().min(1).max(200);

const memberSchema = z
  .strictObject({
    app: name,
    image: z.string().min(1).max(500),
    digest: z
      .string()
      .regex(/^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-fA-F0-9]{32,}$/, "not a digest")
      .nullable(),
    tag: z.string().min(1).max(200).nullable(),
    path: z.string().min(1).max(1000),
    blobSha: z.string().min(1).max(128),
  })
  .refine((m) => m.digest !== null || m.tag !== null, "neither a digest nor a tag");

const bundleTokenSchema = z
  .strictObject({
    v: z.literal(1),
    kind: z.literal("bundle"),
    toEnv: name,
    fromEnv: name.nullable(),
    rollback: z.boolean(),
    commit: z.string().regex(/^[0-9a-f]{40,64}$|^worktree$/),
    members: z.array(memberSchema).min(1).max(MAX_BUNDLE_APPS),
  })
  .refine((t) => new Set(t.members.map((m) => m.app)).size === t.members.length, "an app appears twice");

export type BundleToken = z.infer<typeof bundleTokenSchema>;
export type BundleTokenMember = BundleToken["members"][number];

/** Room for MAX_BUNDLE_APPS members with long names. */
export const MAX_BUNDLE_TOKEN_CHARS = 200_000;

export function encodeBundleToken(token: BundleToken): string {
  return encodeToken(token);
}

export function decodeBundleToken(raw: string): { ok: true; token: BundleToken } | { ok: false; message: string } {
  return decodeToken(raw, bundleTokenSchema, {
    maxChars: MAX_BUNDLE_TOKEN_CHARS,
    what: "bundle token",
    dialog: "the bundle dialog",
  });
}
