/**
 * What a notification says: one JSON shape for every event (the generic webhook's body) and the
 * Slack text made from it. Built when an event is routed, from the audit event and the rows it
 * names, and stored with the delivery so every retry sends the same thing.
 */
import { shortDigest } from "../gitops/image-ref";
import type { NotifyEvent } from "./notify-config";

/** Audit event types that are notified, and the name ladder.yaml's `events:` gives each. */
export const NOTIFIED_TYPES = {
  "promotion.opened": "opened",
  "promotion.merged": "merged",
  "promotion.closed": "closed",
  "promotion.failed": "failed",
  "promotion.refused": "refused",
  "environment.locked": "locked",
  "environment.unlocked": "unlocked",
} as const satisfies Record<string, NotifyEvent>;

export type NotifiedType = keyof typeof NOTIFIED_TYPES;

export function isNotifiedType(type: string): type is NotifiedType {
  return Object.hasOwn(NOTIFIED_TYPES, type);
}

export interface PromotionSummary {
  /** Null for a refused request, which never became a promotion. */
  id: string | null;
  app: string;
  /** What is promoted: "image", "chart" (a Helm chart version) or "remote-base" (a ref). */
  kind: string;
  /** The image repository (a chart's name, a remote base's URL). */
  image: string | null;
  fromEnv: string | null;
  toEnv: string;
  digest: string | null;
  previousDigest: string | null;
  tag: string | null;
  previousTag: string | null;
  /** The promotion's status this event left it in (null: refused). */
  status: "OPEN" | "MERGED" | "CLOSED" | "FAILED" | null;
  rollback: boolean;
  requestedBy: string | null;
  prNumber: number | null;
  prUrl: string | null;
}

export interface LockSummary {
  id: string;
  /** An app, or "*" for the whole environment. */
  app: string;
  env: string;
  reason: string | null;
  createdBy: string | null;
  expiresAt: string | null;
  releasedBy: string | null;
}

export interface NotificationPayload {
  /** The delivery's id (also X-Ladder-Delivery): the same on every retry. */
  id: string;
  /** The audit event type, e.g. `promotion.merged` (also X-Ladder-Event). */
  type: NotifiedType;
  /** The event as ladder.yaml's `events:` names it. */
  event: NotifyEvent;
  occurredAt: string;
  repository: string;
  /** Who did it (a login, or `github`/`ladder` for what a webhook or the reconciler recorded). */
  actor: string;
  /** The audit event notified, by its id and hash in the chain (`ladder audit verify`). */
  auditEvent: { id: string; hash: string };
  promotion: PromotionSummary | null;
  lock: LockSummary | null;
  /** Why: a closed PR's reason, a failure's error, a refusal's failed checks. */
  reason: string | null;
  /** Where to see it in Ladder, when LADDER_PUBLIC_URL is set. */
  url: string | null;
}

const STATUS_AFTER: Partial<Record<NotifiedType, PromotionSummary["status"]>> = {
  "promotion.opened": "OPEN",
  "promotion.merged": "MERGED",
  "promotion.closed": "CLOSED",
  "promotion.failed": "FAILED",
};

type Detail = Record<string, unknown>;

const str = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);

/** The promotion row's fields the payload carries. */
export interface PromotionFacts {
  id: string;
  app: string;
  /** "image", "chart" or "remote-base" (absent: an image). */
  kind?: string;
  image: string;
  fromEnv: string;
  toEnv: string;
  digest: string | null;
  previousDigest: string | null;
  tag?: string | null;
  previousTag?: string | null;
  rollback: boolean;
  requestedBy: string;
  prNumber: number | null;
  prUrl: string | null;
}

/** The lock row's fields the payload carries. */
export interface LockFacts {
  id: string;
  app: string;
  env: string;
  reason: string;
  createdBy: string;
  expiresAt: Date | null;
  releasedBy: string | null;
}

export interface EventFacts {
  id: string;
  type: NotifiedType;
  repository: string;
  actor: string;
  detail: Detail;
  hash: string;
  createdAt: Date;
  promotion: PromotionFacts | null;
  lock: LockFacts | null;
}

function reasonOf(type: NotifiedType, detail: Detail): string | null {
  if (type === "promotion.failed") return str(detail.error);
  if (type === "promotion.closed") return str(detail.reason);
  if (type === "promotion.refused" && Array.isArray(detail.reasons)) {
    const reasons = detail.reasons.map((r) => str((r as Detail | null)?.reason)).filter((r): r is string => r !== null);
    return reasons.length > 0 ? reasons.join("; ") : null;
  }
  return null;
}

function promotionSummary(event: EventFacts): PromotionSummary | null {
  const p = event.promotion;
  if (p) {
    return {
      id: p.id,
      app: p.app,
      kind: p.kind ?? "image",
      image: p.image,
      fromEnv: p.fromEnv,
      toEnv: p.toEnv,
      digest: p.digest,
      previousDigest: p.previousDigest,
      tag: p.tag ?? null,
      previousTag: p.previousTag ?? null,
      status: STATUS_AFTER[event.type] ?? null,
      rollback: p.rollback,
      requestedBy: p.requestedBy,
      prNumber: p.prNumber,
      prUrl: p.prUrl,
    };
  }
  if (event.type !== "promotion.refused") return null;
  const d = event.detail;
  const app = str(d.app);
  const toEnv = str(d.toEnv);
  if (!app || !toEnv) return null;
  return {
    id: null,
    app,
    kind: str(d.kind) ?? "image",
    image: str(d.image),
    fromEnv: str(d.fromEnv),
    toEnv,
    digest: str(d.digest),
    previousDigest: str(d.previousDigest),
    tag: str(d.tag),
    previousTag: str(d.previousTag),
    status: null,
    rollback: d.rollback === true,
    requestedBy: event.actor,
    prNumber: null,
    prUrl: null,
  };
}

function lockSummary(event: EventFacts): LockSummary | null {
  if (event.type !== "environment.locked" && event.type !== "environment.unlocked") return null;
  const d = event.detail;
  const l = event.lock;
  const id = l?.id ?? str(d.lockId);
  const env = l?.env ?? str(d.env);
  if (!id || !env) return null;
  return {
    id,
    app: l?.app ?? str(d.app) ?? "*",
    env,
    reason: l?.reason ?? str(d.reason),
    createdBy: l?.createdBy ?? null,
    expiresAt: l?.expiresAt?.toISOString() ?? str(d.expiresAt),
    releasedBy: event.type === "environment.unlocked" ? event.actor : null,
  };
}

/** The environment an event belongs to, for `environments:` routing. */
export function environmentOf(event: EventFacts): string | null {
  return event.promotion?.toEnv ?? str(event.detail.toEnv) ?? event.lock?.env ?? str(event.detail.env);
}

/** The ordering key of an event: deliveries of one promotion (or one lock) go out in event order. */
export function sequenceKeyOf(event: EventFacts): string | null {
  if (event.promotion) return `promotion:${event.promotion.id}`;
  const lockId = event.lock?.id ?? str(event.detail.lockId);
  return lockId ? `lock:${lockId}` : null;
}

function ladderUrl(publicUrl: string | undefined, promotion: PromotionSummary | null, lock: LockSummary | null): string | null {
  if (!publicUrl) return null;
  const base = publicUrl.replace(/\/+$/, "");
  if (promotion) return `${base}/history?${new URLSearchParams({ app: promotion.app, env: promotion.toEnv })}`;
  if (lock) return `${base}/`;
  return null;
}

export function buildPayload(deliveryId: string, event: EventFacts, options: { publicUrl?: string } = {}): NotificationPayload {
  const promotion = promotionSummary(event);
  const lock = lockSummary(event);
  return {
    id: deliveryId,
    type: event.type,
    event: NOTIFIED_TYPES[event.type],
    occurredAt: event.createdAt.toISOString(),
    repository: event.repository,
    actor: event.actor,
    auditEvent: { id: event.id, hash: event.hash },
    promotion,
    lock,
    reason: event.type === "environment.locked" ? (lock?.reason ?? null) : reasonOf(event.type, event.detail),
    url: ladderUrl(options.publicUrl, promotion, lock),
  };
}

/** Slack's mrkdwn treats &, < and > as markup: text from a repository or a person is escaped. */
export function slackEscape(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

function slackLink(url: string | null, label: string): string {
  if (!url || !/^https?:\/\//.test(url)) return slackEscape(label);
  return `<${slackEscape(url).replaceAll("|", "%7C")}|${slackEscape(label)}>`;
}

/** The one line a Slack-compatible incoming webhook posts. */
export function slackText(payload: NotificationPayload): string {
  const repo = `[${slackEscape(payload.repository)}]`;
  const actor = slackEscape(payload.actor);
  const because = payload.reason ? `: ${slackEscape(payload.reason)}` : "";
  const p = payload.promotion;
  if (p) {
    const what = `*${slackEscape(p.app)}* ${p.fromEnv && p.fromEnv !== p.toEnv ? `${slackEscape(p.fromEnv)} → ` : ""}${slackEscape(p.toEnv)}`;
    const version = p.digest ? shortDigest(p.digest) : p.tag;
    const digest = version ? ` (${slackEscape(version)})` : "";
    const kind = p.rollback ? "Rollback" : "Promotion";
    const pr = p.prNumber !== null ? ` ${slackLink(p.prUrl, `#${p.prNumber}`)}` : "";
    switch (payload.type) {
      case "promotion.opened":
        return `${repo} ${kind} of ${what}${digest}: pull request${pr} opened by ${actor}`;
      case "promotion.merged":
        return `${repo} ${kind} of ${what}${digest} merged${pr ? `:${pr}` : ""}`;
      case "promotion.closed":
        return `${repo} ${kind} of ${what}${digest} closed without merging${pr ? ` (${pr.trim()})` : ""}${because}`;
      case "promotion.failed":
        return `${repo} ${kind} of ${what}${digest} failed${because}`;
      case "promotion.refused":
        return `${repo} ${kind} of ${what}${digest} requested by ${actor} was refused${because}`;
    }
  }
  const l = payload.lock;
  if (l) {
    const scope = l.app === "*" ? `*${slackEscape(l.env)}*` : `*${slackEscape(l.app)}* in *${slackEscape(l.env)}*`;
    if (payload.type === "environment.unlocked") return `${repo} ${scope} unlocked by ${actor}`;
    const until = l.expiresAt ? ` until ${l.expiresAt}` : "";
    return `${repo} ${scope} locked by ${actor}${until}${because}`;
  }
  return `${repo} ${payload.type} by ${actor}`;
}

export function slackMessage(payload: NotificationPayload): { text: string } {
  const text = slackText(payload);
  return { text: payload.url ? `${text} · ${slackLink(payload.url, "Ladder")}` : text };
}
