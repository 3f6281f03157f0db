/**
 * The control API's part for what gates a merge: branch protection (which GitHub's API would
 * need admin rights to set), reviews as a named person, commit statuses and check runs as CI
 * would report them, aimed at a commit or at a pull request's head. Each delivers the webhook
 * GitHub would.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { type CheckRunInput, createCheckRun, setCommitStatus, updateCheckRun } from "./checks";
import type { StandIn } from "./context";
import { HttpError, record, str } from "./http";
import type { BranchProtection, CheckConclusion, CheckStatus, StatusState } from "./merge-gates";
import { findPull } from "./pulls";
import { type ReviewEvent, submitReview } from "./reviews";

/** A commit, or the current head of pull request `pull`. */
export type GateTarget = { sha: string } | { pull: number };

export interface GateControl {
  /** Protects a branch (default: the default branch); `null` removes the protection. */
  setBranchProtection(rule: Partial<BranchProtection> | null, branch?: string): void;
  /** Submits a review on pull request `number` as `user` (not the pull request's author). */
  review(number: number, review: { user: string; event: ReviewEvent; body?: string }): number;
  /** Sets a commit status; returns its id. */
  setStatus(target: GateTarget, status: { context: string; state: StatusState; description?: string }): Promise<number>;
  /**
   * Reports a check run: completes the newest unfinished run of that name on the commit, or
   * creates one. Returns the run's id.
   */
  reportCheck(target: GateTarget, check: { name: string; status?: CheckStatus; conclusion?: CheckConclusion }): Promise<number>;
}

async function shaOf(s: StandIn, target: GateTarget): Promise<string> {
  if ("sha" in target) return target.sha;
  const pr = findPull(s, String(target.pull));
  const head = await s.store.resolveRef(`refs/heads/${pr.head}`);
  if (head && pr.state === "open") pr.headSha = head;
  return pr.headSha;
}

export function createGateControl(s: StandIn): GateControl {
  return {
    setBranchProtection(rule, branch = s.defaultBranch) {
      if (rule === null) s.gates.protection.delete(branch);
      else
        s.gates.protection.set(branch, {
          requiredApprovingReviews: rule.requiredApprovingReviews ?? null,
          requiredChecks: rule.requiredChecks ?? null,
          strict: rule.strict ?? false,
        });
      s.gates.persist();
    },
    review(number, review) {
      const record = submitReview(s, number, review);
      s.gates.persist();
      return record.id;
    },
    async setStatus(target, status) {
      const record = await setCommitStatus(s, await shaOf(s, target), status);
      s.gates.persist();
      return record.id;
    },
    async reportCheck(target, check) {
      const sha = await shaOf(s, target);
      const open = s.gates.checkRuns.findLast((r) => r.sha === sha && r.name === check.name && r.status !== "completed");
      const input: CheckRunInput = {
        name: check.name,
        ...(check.status ? { status: check.status } : {}),
        ...(check.conclusion ? { conclusion: check.conclusion } : {}),
      };
      const run = open ? await updateCheckRun(s, open.id, input) : await createCheckRun(s, sha, input);
      s.gates.persist();
      return run.id;
    },
  };
}

function target(body: Record<string, unknown>): GateTarget {
  if (typeof body.pull === "number") return { pull: body.pull };
  const sha = str(body.sha);
  if (!sha) throw new HttpError(422, "give `sha` or `pull`");
  return { sha };
}

/**
 * `/_control/protection`, `/_control/pulls/{n}/review`, `/_control/statuses`, `/_control/checks`;
 * false when `action` is none of them. A refusal answers with its status and message.
 */
export async function handleGateControl(
  s: StandIn,
  gates: GateControl,
  req: IncomingMessage,
  res: ServerResponse,
  action: string,
  body: Record<string, unknown>,
): Promise<boolean> {
  const method = req.method ?? "GET";
  const review = /^pulls\/(\d+)\/review$/.exec(action);
  const run = async (work: () => Promise<unknown>) => {
    try {
      s.send(res, 200, (await work()) ?? { ok: true });
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      s.send(res, error.status, { message: error.message, ...error.extra });
    }
    return true;
  };
  if (review && method === "POST")
    return await run(async () => ({
      id: gates.review(Number(review[1]), {
        user: str(body.user) ?? "",
        event: (str(body.event) ?? "APPROVE") as ReviewEvent,
        ...(str(body.body) ? { body: str(body.body) } : {}),
      }),
    }));
  switch (`${method} ${action}`) {
    case "POST protection": {
      const rule = record(body.rule);
      return await run(async () =>
        gates.setBranchProtection(
          body.rule === null
            ? null
            : {
                ...(typeof rule.requiredApprovingReviews === "number"
                  ? { requiredApprovingReviews: rule.requiredApprovingReviews }
                  : {}),
                ...(Array.isArray(rule.requiredChecks)
                  ? { requiredChecks: rule.requiredChecks.filter((c): c is string => typeof c === "string") }
                  : {}),
                strict: rule.strict === true,
              },
          str(body.branch),
        ),
      );
    }
    case "POST statuses":
      return await run(async () => ({
        id: await gates.setStatus(target(body), {
          context: str(body.context) ?? "default",
          state: (str(body.state) ?? "success") as StatusState,
          ...(str(body.description) ? { description: str(body.description) } : {}),
        }),
      }));
    case "POST checks":
      return await run(async () => ({
        id: await gates.reportCheck(target(body), {
          name: str(body.name) ?? "",
          ...(str(body.status) ? { status: str(body.status) as CheckStatus } : {}),
          ...(str(body.conclusion) ? { conclusion: str(body.conclusion) as CheckConclusion } : {}),
        }),
      }));
    default:
      return false;
  }
}
