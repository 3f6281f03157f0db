/**
 * Fault injection for the test server: each rule matches requests by operationId, method or path
 * and applies to the next `times` matches (or forever). Latency stacks with any other fault.
 * `answerFault` sends a terminal fault the way GitHub would.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { StandIn } from "./context";
import { basicError } from "./github-objects";

export type FaultEffect =
  | { kind: "latency"; ms: number }
  | { kind: "status"; status: number; message?: string }
  | { kind: "secondary-rate-limit"; retryAfter?: number }
  | { kind: "rate-limit"; resetAt?: number }
  | { kind: "reset" };

export interface FaultMatch {
  operationId?: string;
  method?: string;
  /** Regular expression source matched against the path without the /api/v3 prefix. */
  path?: string;
}

export type FaultRule = FaultEffect & {
  match?: FaultMatch;
  times?: number;
  /**
   * Apply the fault after the request was processed (a write happened, then the answer was lost
   * or replaced): the case a client cannot tell from a failure before the write. Default: before.
   */
  after?: boolean;
};

export type TerminalFault = Exclude<FaultEffect, { kind: "latency" }> & { after?: boolean };

interface ActiveRule {
  id: number;
  rule: FaultRule;
  remaining: number;
  pattern: RegExp | undefined;
}

export interface RequestFacts {
  operationId: string;
  method: string;
  path: string;
}

export class FaultInjector {
  private rules: ActiveRule[] = [];
  private nextId = 1;

  add(rule: FaultRule): number {
    const id = this.nextId++;
    this.rules.push({
      id,
      rule,
      remaining: rule.times ?? Number.POSITIVE_INFINITY,
      pattern: rule.match?.path ? new RegExp(rule.match.path) : undefined,
    });
    return id;
  }

  remove(id: number): void {
    this.rules = this.rules.filter((r) => r.id !== id);
  }

  clear(): void {
    this.rules = [];
  }

  /** Total latency and at most one terminal fault for this request; consumes their budgets. */
  take(facts: RequestFacts): { latencyMs: number; fault: TerminalFault | undefined } {
    let latencyMs = 0;
    let fault: TerminalFault | undefined;
    for (const active of this.rules) {
      if (active.remaining <= 0 || !this.matches(active, facts)) continue;
      const { rule } = active;
      if (rule.kind === "latency") {
        latencyMs += rule.ms;
        active.remaining--;
      } else if (!fault) {
        fault = rule;
        active.remaining--;
      }
    }
    this.rules = this.rules.filter((r) => r.remaining > 0);
    return { latencyMs, fault };
  }

  private matches(active: ActiveRule, facts: RequestFacts): boolean {
    const m = active.rule.match;
    if (!m) return true;
    if (m.operationId && m.operationId !== facts.operationId) return false;
    if (m.method && m.method.toUpperCase() !== facts.method) return false;
    if (active.pattern && !active.pattern.test(facts.path)) return false;
    return true;
  }
}

/** A status, GitHub's secondary or primary rate-limit answer, or a reset connection. */
export function answerFault(s: StandIn, req: IncomingMessage, res: ServerResponse, f: TerminalFault): void {
  if (f.kind === "reset") {
    req.socket.destroy();
    return;
  }
  if (f.kind === "status") {
    s.send(res, f.status, basicError(s.urls, f.message ?? "Server Error", f.status));
    return;
  }
  if (f.kind === "secondary-rate-limit") {
    s.send(
      res,
      403,
      basicError(s.urls, "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.", 403),
      {
        "retry-after": String(f.retryAfter ?? 1),
      },
    );
    return;
  }
  const reset = f.resetAt ?? s.rate.resetAt();
  s.send(res, 403, basicError(s.urls, "API rate limit exceeded for installation.", 403), {
    "x-ratelimit-remaining": "0",
    "x-ratelimit-reset": String(reset),
  });
}
