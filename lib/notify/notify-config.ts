/**
 * ladder.yaml's `notify:` list: where notifications go, for which environments and events. The
 * file is reviewed like code but readable by everyone with the repository, so it never holds a
 * secret: a Slack incoming-webhook URL (whoever has it may post) and a webhook's signing secret
 * are named by environment variable, and only variables called `LADDER_NOTIFY_*` may be named —
 * a ladder.yaml can never make Ladder send, or sign with, its GitHub or database credentials.
 * A generic webhook's URL may be written out: its requests are signed, the URL gives nothing away.
 */
import { z } from "zod";
import { MAX_NAME_LENGTH, NAME_PATTERN } from "../security/names";

/** The events a target can subscribe to, as ladder.yaml spells them. */
export const NOTIFY_EVENTS = ["opened", "merged", "closed", "failed", "refused", "locked", "unlocked"] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

/** The variables ladder.yaml may name for a URL or a secret. */
export const NOTIFY_VARIABLE_PATTERN = /^LADDER_NOTIFY_[A-Z0-9_]+$/;

const nameSchema = z.string().min(1).max(MAX_NAME_LENGTH).regex(NAME_PATTERN, "letters, digits, '.', '_' and '-' only");

const variableSchema = z
  .string()
  .regex(NOTIFY_VARIABLE_PATTERN, "must be an environment variable named LADDER_NOTIFY_… (capitals, digits and '_')");

const urlSchema = z.string().refine((v) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol), "must be an http(s) URL");

export const notifyTargetSchema = z
  .strictObject({
    /** Shown in the promotion drawer and in logs. */
    name: nameSchema,
    kind: z.enum(["slack", "webhook"]),
    /** A webhook's URL, written out (not for Slack: its URL is the credential). */
    url: urlSchema.optional(),
    /** The environment variable holding the URL. */
    urlEnv: variableSchema.optional(),
    /** webhook: the environment variable holding the HMAC-SHA256 signing secret. */
    secretEnv: variableSchema.optional(),
    /** Only events of these environments (default: every environment). */
    environments: z.array(nameSchema).min(1).optional(),
    /** Only these events (default: all of them). */
    events: z.array(z.enum(NOTIFY_EVENTS)).min(1).optional(),
  })
  .superRefine((t, ctx) => {
    if (t.url !== undefined && t.urlEnv !== undefined)
      ctx.addIssue({ code: "custom", path: ["url"], message: "give `url` or `urlEnv`, not both" });
    if (t.url === undefined && t.urlEnv === undefined)
      ctx.addIssue({ code: "custom", path: ["urlEnv"], message: "a target needs `urlEnv` (or, for a webhook, `url`)" });
    if (t.kind === "slack" && t.url !== undefined)
      ctx.addIssue({
        code: "custom",
        path: ["url"],
        message: "a Slack incoming-webhook URL is a secret: keep it in an environment variable and name it with `urlEnv`",
      });
    if (t.kind === "slack" && t.secretEnv !== undefined)
      ctx.addIssue({ code: "custom", path: ["secretEnv"], message: "Slack incoming webhooks are not signed: drop `secretEnv`" });
    if (t.kind === "webhook" && t.secretEnv === undefined)
      ctx.addIssue({
        code: "custom",
        path: ["secretEnv"],
        message: "a webhook is signed: name the environment variable holding its secret",
      });
    if (t.url !== undefined && URL.canParse(t.url)) {
      const u = new URL(t.url);
      if (u.username !== "" || u.password !== "")
        ctx.addIssue({
          code: "custom",
          path: ["url"],
          message: "a URL with credentials is a secret: keep it in an environment variable and name it with `urlEnv`",
        });
    }
  });

export const notifySchema = z.array(notifyTargetSchema).superRefine((targets, ctx) => {
  targets.forEach((t, i) => {
    if (targets.findIndex((o) => o.name === t.name) !== i)
      ctx.addIssue({ code: "custom", path: [i, "name"], message: `target '${t.name}' is listed twice` });
  });
});

export type NotifyTarget = z.output<typeof notifyTargetSchema>;
