/**
 * Signed GitHub webhook deliveries made by hand, for bursts (the concurrency test, the load
 * benchmark): pull_request and push payloads in the shape Ladder's intake parses.
 */
import { createHmac, randomUUID } from "node:crypto";

export interface Delivery {
  id: string;
  event: "pull_request" | "push";
  body: string;
}

export interface PullRequestFactsForHook {
  repository: string;
  number: number;
  action: "opened" | "closed" | "edited" | "synchronize" | "reopened";
  branch: string;
  headSha: string;
  state: "open" | "closed";
  merged?: boolean;
}

const sha = (seed: string) => createHmac("sha1", "seed").update(seed).digest("hex");

export function pullRequestDelivery(pr: PullRequestFactsForHook, id: string = randomUUID()): Delivery {
  const merged = pr.merged === true;
  const payload = {
    action: pr.action,
    number: pr.number,
    repository: { full_name: pr.repository },
    pull_request: {
      html_url: `https://github.example/${pr.repository}/pull/${pr.number}`,
      state: pr.state,
      merged,
      merged_at: merged ? new Date().toISOString() : null,
      merge_commit_sha: merged ? sha(`merge-${pr.number}`) : null,
      head: { ref: pr.branch, sha: pr.headSha },
      base: { ref: "main" },
    },
  };
  return { id, event: "pull_request", body: JSON.stringify(payload) };
}

export function pushDelivery(repository: string, paths: string[], id: string = randomUUID()): Delivery {
  const payload = {
    ref: "refs/heads/main",
    before: sha(`${id}-before`),
    after: sha(`${id}-after`),
    created: false,
    deleted: false,
    repository: { full_name: repository },
    commits: [{ added: [], modified: paths, removed: [] }],
  };
  return { id, event: "push", body: JSON.stringify(payload) };
}

/** POSTs one delivery as GitHub would; returns the HTTP status. */
export async function postDelivery(url: string, secret: string, delivery: Delivery): Promise<number> {
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": delivery.event,
      "x-github-delivery": delivery.id,
      "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(delivery.body).digest("hex")}`,
    },
    body: delivery.body,
  });
  await response.arrayBuffer();
  return response.status;
}

/** Runs `tasks` with at most `limit` in flight; results in input order. */
export async function pool<T>(limit: number, tasks: ReadonlyArray<() => Promise<T>>): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      const task = tasks[i];
      if (task) results[i] = await task();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

/** A deterministic shuffle (mulberry32), so a failing order can be replayed. */
export function shuffle<T>(items: readonly T[], seed: number): T[] {
  let a = seed >>> 0;
  const random = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
