/**
 * Delivers notification rows: at least once, in event order per promotion (or lock) and target,
 * with backoff, from any number of replicas at once.
 *
 * A worker claims due rows in one statement (`FOR UPDATE SKIP LOCKED`, so two workers never
 * claim the same row) and leases them: the claim moves the row's next attempt past the lease and
 * stamps it with a token. The HTTP request then runs with no transaction or connection held —
 * the embedded database has a single one, and a slow receiver must never hold it — and its
 * result is written only while the token is still the row's. A worker that dies mid-request
 * leaves a lease that runs out; the row is claimed again (at least once; the delivery id lets a
 * receiver drop the repeat).
 *
 * Order: a row is due only when no earlier row of the same target and sequence key (the
 * promotion's id, or the lock's) is still PENDING, so event n+1 never goes out before event n
 * has been delivered (or given up). Nothing here is awaited by a promotion: the promotion path
 * only appends audit events, and a receiver that is down costs it nothing.
 */
import { randomUUID } from "node:crypto";
import type { Db } from "../db/client";
import { mapLimit } from "../util/map-limit";
import { type FanOutResult, fanOut, type Routing } from "./fan-out";
import type { NotificationPayload } from "./notification-payload";
import { DEFAULT_RETRY_POLICY, nextAttempt, type RetryPolicy } from "./retry-schedule";
import { type SendResult, sendNotification } from "./send-notification";

export interface WorkerOptions {
  db: Db;
  /** "owner/name": this worker routes and delivers this repository's notifications. */
  repository: string;
  /** The `notify:` targets of ladder.yaml at the branch head (or why there are none to go by). */
  routing: () => Promise<Routing>;
  now?: () => Date;
  random?: () => number;
  retry?: RetryPolicy;
  /** Per request (default 10 s). */
  timeoutMs?: number;
  /** Rows claimed per round (default 20) and requests in flight (default 4). */
  batchSize?: number;
  concurrency?: number;
  variable?: (name: string) => string | undefined;
  fetch?: typeof fetch;
  publicUrl?: string;
  log?: (message: string, error?: unknown) => void;
}

export interface RoundResult {
  fanOut: FanOutResult;
  attempted: number;
  delivered: number;
  failed: number;
  dead: number;
  /** Results that arrived after the lease was lost (another worker had claimed the row again). */
  lost: number;
}

interface Claimed {
  id: string;
  kind: "slack" | "webhook";
  url: string | null;
  urlEnv: string | null;
  secretEnv: string | null;
  eventType: string;
  payload: unknown;
  target: string;
  attempts: number;
  createdAt: Date;
}

const DEFAULT_TIMEOUT_MS = 10_000;

export class DeliveryWorker {
  private readonly db: Db;
  private readonly repository: string;
  private readonly now: () => Date;
  private readonly random: () => number;
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly batchSize: number;
  private readonly concurrency: number;
  private readonly log: (message: string, error?: unknown) => void;
  private waitingFor: string | undefined;

  constructor(private readonly options: WorkerOptions) {
    this.db = options.db;
    this.repository = options.repository;
    this.now = options.now ?? (() => new Date());
    this.random = options.random ?? Math.random;
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.batchSize = options.batchSize ?? 20;
    this.concurrency = options.concurrency ?? 4;
    this.log = options.log ?? ((message, error) => console.error(`[notify] ${message}`, ...(error ? [error] : [])));
  }

  /** How long a claim keeps other workers off a row: the request's timeout and a margin. */
  get leaseMs(): number {
    return this.timeoutMs + 30_000;
  }

  /** Routes new events, then claims the due rows and sends them. */
  async runOnce(): Promise<RoundResult> {
    const routed = await fanOut(this.db, {
      repository: this.repository,
      routing: this.options.routing,
      now: this.now(),
      ...(this.options.publicUrl ? { publicUrl: this.options.publicUrl } : {}),
    });
    // Said once per reason, not every round.
    const waiting = routed.state === "waiting" ? routed.reason : undefined;
    if (waiting && waiting !== this.waitingFor) this.log(`not routing new events of ${this.repository}: ${waiting}`);
    this.waitingFor = waiting;
    const result: RoundResult = { fanOut: routed, attempted: 0, delivered: 0, failed: 0, dead: 0, lost: 0 };
    const token = randomUUID();
    const claimed = await this.claim(token);
    result.attempted = claimed.length;
    await mapLimit(claimed, this.concurrency, async (row) => {
      const sent = await sendNotification(
        {
          id: row.id,
          kind: row.kind,
          url: row.url,
          urlEnv: row.urlEnv,
          secretEnv: row.secretEnv,
          eventType: row.eventType,
          payload: row.payload as NotificationPayload,
        },
        {
          timeoutMs: this.timeoutMs,
          ...(this.options.variable ? { variable: this.options.variable } : {}),
          ...(this.options.fetch ? { fetch: this.options.fetch } : {}),
        },
      );
      const outcome = await this.record(row, token, sent);
      result[outcome]++;
    });
    return result;
  }

  /** Deliveries of this repository still to be made (due or not). */
  async backlog(): Promise<number> {
    return await this.db.notificationDelivery.count({ where: { repository: this.repository, status: "PENDING" } });
  }

  /** Leases up to `batchSize` due rows whose predecessors (same target and sequence) are done. */
  private async claim(token: string): Promise<Claimed[]> {
    const now = this.now();
    const leaseUntil = new Date(now.getTime() + this.leaseMs);
    const ids = await this.db.$queryRaw<{ id: string }[]>`
      WITH due AS (
        SELECT d.id FROM notification_delivery d
        WHERE d.repository = ${this.repository}
          AND d.status = 'PENDING'
          AND d.next_attempt_at <= ${now}
          AND NOT EXISTS (
            SELECT 1 FROM notification_delivery e
            WHERE e.repository = d.repository
              AND e.target = d.target
              AND e.sequence_key = d.sequence_key
              AND e.event_id < d.event_id
              AND e.status = 'PENDING'
          )
        ORDER BY d.event_id
        LIMIT ${this.batchSize}
        FOR UPDATE OF d SKIP LOCKED
      )
      UPDATE notification_delivery n
      SET lease_token = ${token}::uuid,
          next_attempt_at = ${leaseUntil},
          attempts = n.attempts + 1,
          last_attempt_at = ${now}
      FROM due
      WHERE n.id = due.id
      RETURNING n.id::text AS id`;
    if (ids.length === 0) return [];
    const rows = await this.db.notificationDelivery.findMany({
      where: { id: { in: ids.map((r) => r.id) }, leaseToken: token },
      orderBy: { eventId: "asc" },
    });
    return rows;
  }

  private async record(row: Claimed, token: string, sent: SendResult): Promise<"delivered" | "failed" | "dead" | "lost"> {
    const now = this.now();
    const mine = { id: row.id, leaseToken: token };
    try {
      if (sent.ok) {
        const done = await this.db.notificationDelivery.updateMany({
          where: mine,
          data: { status: "DELIVERED", deliveredAt: now, lastStatus: sent.status, lastError: null, leaseToken: null },
        });
        return done.count === 1 ? "delivered" : "lost";
      }
      const next = nextAttempt(row.createdAt, row.attempts, now, this.random, this.retry);
      const error = sent.error.slice(0, 500);
      const done = await this.db.notificationDelivery.updateMany({
        where: mine,
        data:
          next.kind === "dead"
            ? { status: "DEAD", lastStatus: sent.status, lastError: error, leaseToken: null }
            : { nextAttemptAt: next.at, lastStatus: sent.status, lastError: error, leaseToken: null },
      });
      if (done.count !== 1) return "lost";
      if (next.kind === "dead")
        this.log(`gave up on delivery ${row.id} to ${row.target} after ${row.attempts} attempts: ${error}`);
      return next.kind === "dead" ? "dead" : "failed";
    } catch (error) {
      // The lease runs out and another round retries the row: at least once, never lost.
      this.log(`recording delivery ${row.id} to ${row.target} failed`, error);
      return "lost";
    }
  }
}

export interface RunningWorker {
  worker: DeliveryWorker;
  /** Stops after the round in flight. */
  stop(): Promise<void>;
}

/**
 * Runs rounds until stopped: again at once while there is a backlog, otherwise every
 * `intervalMs`. A failing round (the database away) is logged and the loop goes on. The timer
 * does not keep the process alive.
 */
export function startDeliveryLoop(options: WorkerOptions & { intervalMs?: number }): RunningWorker {
  const worker = new DeliveryWorker(options);
  const interval = options.intervalMs ?? 1_000;
  const log = options.log ?? ((message: string, error?: unknown) => console.error(`[notify] ${message}`, error ?? ""));
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  const round = async () => {
    let again = false;
    try {
      const r = await worker.runOnce();
      again = r.attempted >= (options.batchSize ?? 20) || (r.fanOut.state === "routed" && r.fanOut.more);
    } catch (error) {
      log(`a delivery round for ${options.repository} failed`, error);
    }
    if (!stopped) {
      timer = setTimeout(
        () => {
          inFlight = round();
        },
        again ? 0 : interval,
      );
      timer.unref?.();
    }
  };
  inFlight = round();
  return {
    worker,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await inFlight;
    },
  };
}
