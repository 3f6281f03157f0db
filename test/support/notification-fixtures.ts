/**
 * For the notification tests: promotions and locks written the way Ladder writes them (rows and
 * audit events in one transaction, transitions through promotion-state.ts), a clock the test
 * moves, and a delivery worker wired to a receiver's URL and secret.
 */
import { randomUUID } from "node:crypto";
import type { Db } from "../../lib/db/client";
import { DeliveryWorker, type WorkerOptions } from "../../lib/notify/delivery-worker";
import type { NotifyTarget } from "../../lib/notify/notify-config";
import { appendEvent } from "../../lib/promotion/audit-chain";
import { applyPullRequestState } from "../../lib/promotion/promotion-state";

export const SECRET = "notify-test-secret-0123456789";

export interface TestClock {
  now: () => Date;
  advance(ms: number): void;
}

export function testClock(start = new Date("2026-06-01T08:00:00.000Z")): TestClock {
  let t = start.getTime();
  return {
    now: () => new Date(t),
    advance(ms) {
      t += ms;
    },
  };
}

/** The webhook target every test uses: its URL and secret from LADDER_NOTIFY_* variables. */
export function opsTarget(extra: Partial<NotifyTarget> = {}): NotifyTarget {
  return { name: "ops", kind: "webhook", urlEnv: "LADDER_NOTIFY_OPS_URL", secretEnv: "LADDER_NOTIFY_OPS_SECRET", ...extra };
}

export function variables(values: Record<string, string | undefined>): (name: string) => string | undefined {
  return (name) => values[name];
}

export function testWorker(
  db: Db,
  repository: string,
  targets: readonly NotifyTarget[],
  options: Partial<WorkerOptions> & { url: string },
): DeliveryWorker {
  const { url, ...rest } = options;
  return new DeliveryWorker({
    db,
    repository,
    routing: async () => ({ ok: true, targets }),
    random: () => 0.5,
    timeoutMs: 1_000,
    variable: variables({ LADDER_NOTIFY_OPS_URL: url, LADDER_NOTIFY_OPS_SECRET: SECRET }),
    log: () => undefined,
    ...rest,
  });
}

/** A PENDING promotion with its `promotion.requested` event, as claim-promotion.ts writes it. */
export async function requestedPromotion(
  db: Db,
  repository: string,
  app: string,
  toEnv = "prod",
  at = new Date(),
): Promise<string> {
  const id = randomUUID();
  const digest = `sha256:${randomUUID().replaceAll("-", "").padEnd(64, "0")}`;
  await db.$transaction(async (tx) => {
    await tx.promotion.create({
      data: {
        id,
        repository,
        app,
        image: `ghcr.io/acme/${app}`,
        fromEnv: "staging",
        toEnv,
        digest,
        status: "PENDING",
        idempotencyKey: `${repository}|${app}|${toEnv}|${digest}#1`,
        openSlot: `${repository}|${app}|${toEnv}|${id}`,
        branch: `ladder/${app}-${toEnv}`,
        baseCommit: "0".repeat(40),
        requestedBy: "alice",
        createdAt: at,
      },
    });
    await appendEvent(tx, {
      promotionId: id,
      repository,
      type: "promotion.requested",
      actor: "alice",
      at,
      detail: { app, toEnv, digest },
    });
  });
  return id;
}

/** The PR's state reached Ladder (a webhook): OPEN, MERGED or CLOSED, with their events. */
export async function prState(db: Db, id: string, number: number, state: "open" | "merged" | "closed", at = new Date()) {
  await applyPullRequestState(
    db,
    id,
    {
      number,
      url: `https://github.example/acme/gitops/pull/${number}`,
      branch: `ladder/${id}`,
      headSha: "1".repeat(40),
      state,
      mergeCommitSha: state === "merged" ? "2".repeat(40) : null,
    },
    { source: "webhook", actor: "github", at },
  );
}

/**
 * Rounds until every event is routed and nothing is left to deliver, moving the clock `stepMs`
 * after each round; fails after `max` rounds.
 */
export async function drain(worker: DeliveryWorker, clock: TestClock, options: { stepMs?: number; max?: number } = {}) {
  for (let i = 0; i < (options.max ?? 200); i++) {
    const r = await worker.runOnce();
    if (r.attempted === 0 && r.fanOut.state === "idle" && (await worker.backlog()) === 0) return;
    clock.advance(options.stepMs ?? 0);
  }
  throw new Error(`still ${await worker.backlog()} deliveries pending after ${options.max ?? 200} rounds`);
}
