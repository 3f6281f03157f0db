/**
 * A timeline walks historical commits by refreshing scans from one another; none of that may leak
 * into the branch head's scan. The walk here crosses a commit whose ladder.yaml froze staging and
 * a later one that put ladder.yaml back: the head (and the next head, refreshed from it) must
 * keep the policy of its own ladder.yaml. Real git (the GitHub stand-in), the GitHub reader,
 * RepositoryService and environmentTimeline, as a Promote preview uses them.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { fakeDigest, generateGitOpsRepo, overlayContent, overlayPath } from "../../github-stand-in/fixtures";
import { type GitHubServer, startGitHubServer } from "../../github-stand-in/server";
import { BlobCache } from "../../lib/github/blob-cache";
import { createGitHubClient } from "../../lib/github/client";
import { createGitHubReader } from "../../lib/github/github-reader";
import { environmentPolicies } from "../../lib/gitops/ladder-config";
import { scanContext } from "../../lib/gitops/scan";
import type { ScanResult } from "../../lib/gitops/types";
import { environmentTimeline } from "../../lib/promotion/evidence";
import { RepositoryService } from "../../lib/repository-service/repository-service";

const ENVS = ["dev", "staging", "prod"] as const;
let server: GitHubServer;

beforeAll(async () => {
  server = await startGitHubServer({ seed: generateGitOpsRepo({ apps: 3, environments: ENVS }), strict: true });
});
afterAll(async () => server?.stop());

function frozen(scan: ScanResult): unknown {
  const config = scanContext(scan)?.config;
  if (!config) throw new Error("the scan has no ladder.yaml config");
  return environmentPolicies(config).find((p) => p.name === "staging")?.freeze;
}

it("a timeline across a freeze and its reversal leaves the head's policy its own ladder.yaml's", async () => {
  const client = createGitHubClient({
    auth: { kind: "token", token: "test-token" },
    baseUrl: server.apiBaseUrl,
    retryBaseMs: 5,
    writeSpacingMs: 0,
  });
  const reader = createGitHubReader({ client, owner: "acme", repo: "gitops", blobCache: new BlobCache(), treeCacheSize: 64 });
  const service = new RepositoryService({ repository: "acme/gitops", branch: "main", reader, headTtlMs: 0 });
  const commit = async (files: Record<string, string>, message: string) => {
    await server.control.commit(files, { message });
    service.invalidate();
    return service.current();
  };
  const open = (await (await service.current()).snapshot.read("ladder.yaml")) ?? "";
  const freezing = open.replace(
    "environments: [dev, staging, prod]",
    "environments:\n  - dev\n  - name: staging\n    freeze:\n      reason: change freeze\n  - prod",
  );
  expect(freezing).not.toBe(open);

  await commit(
    { [overlayPath("app-000", "staging")]: overlayContent("app-000", "staging", fakeDigest("app-000", 11)) },
    "staging 11",
  );
  const duringFreeze = await commit({ "ladder.yaml": freezing }, "Freeze staging");
  expect(frozen(duringFreeze.scan)).toEqual({ reason: "change freeze" });
  await commit(
    { [overlayPath("app-000", "staging")]: overlayContent("app-000", "staging", fakeDigest("app-000", 12)) },
    "staging 12",
  );
  const afterFreeze = await commit({ "ladder.yaml": open }, "Unfreeze staging");
  expect(frozen(afterFreeze.scan)).toBe(false);

  // What a Promote preview does: the timeline of the cell, walking back over the frozen commits.
  const timeline = await environmentTimeline(service, { app: "app-000", env: "staging" });
  expect(timeline.commitsChecked).toBeGreaterThanOrEqual(3);
  expect(frozen((await service.current()).scan)).toBe(false);

  // The next head is refreshed from this one: still its own ladder.yaml's policy.
  const next = await commit(
    { [overlayPath("app-001", "dev")]: overlayContent("app-001", "dev", fakeDigest("app-001", 5)) },
    "dev 5",
  );
  expect(frozen(next.scan)).toBe(false);
  await environmentTimeline(service, { app: "app-000", env: "staging" });
  const last = await commit(
    { [overlayPath("app-002", "dev")]: overlayContent("app-002", "dev", fakeDigest("app-002", 5)) },
    "dev 5",
  );
  expect(frozen(last.scan)).toBe(false);
  expect(server.control.violations()).toEqual([]);
});
