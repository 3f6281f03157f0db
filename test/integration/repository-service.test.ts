/**
 * RepositoryService over a real git repository holding the demo's history:
 * the matrix's "last changed" attribution and the caches that keep page
 * views cheap.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { sampleDigest } from "@/cmd/demo/sample-repo";
import { RepositoryService } from "@/lib/repository-service/repository-service";
import { openLocalRepo } from "@/lib/snapshot/local-reader";
import { countingReader } from "../support/counting-reader";
import { createSampleGitRepo } from "../support/sample-git";

describe("RepositoryService", () => {
  let repo: Awaited<ReturnType<typeof createSampleGitRepo>>;
  let service: RepositoryService;
  let calls: { snapshot: number; history: number };
  let clock = new Date("2026-11-26T12:00:00Z");

  beforeAll(async () => {
    repo = await createSampleGitRepo(new Date("2026-11-26T11:00:00Z"));
    const reader = await openLocalRepo(repo.dir);
    const counted = countingReader(reader, { commitChange: false });
    calls = counted.calls;
    service = new RepositoryService({
      repository: "acme/gitops",
      branch: "main",
      reader: counted.wrapped,
      headTtlMs: 5_000,
      now: () => clock,
      webUrl: "https://github.com/acme/gitops",
    });
  });
  afterAll(async () => {
    await repo?.cleanup();
  });

  test("reads the head and scans it into the sample's matrix", async () => {
    const view = await service.current();
    expect(view.scan.environments).toEqual(["dev", "staging", "prod"]);
    const api = view.scan.apps.find((a) => a.name === "api");
    expect(api?.environments.prod?.images[0]?.digest).toBe(sampleDigest("api", 2));
    expect(api?.environments.staging?.images[0]?.digest).toBe(sampleDigest("api", 3));
    expect(service.commitUrl(view.snapshot.commit)).toBe(`https://github.com/acme/gitops/commit/${view.snapshot.commit}`);
  });

  test("within the head TTL a view costs no upstream read; after it, one", async () => {
    const before = calls.snapshot;
    await Promise.all([service.current(), service.current(), service.current()]);
    expect(calls.snapshot).toBe(before);
    clock = new Date(clock.getTime() + 6_000);
    await Promise.all([service.current(), service.current()]);
    expect(calls.snapshot).toBe(before + 1);
    service.invalidate();
    await service.current();
    expect(calls.snapshot).toBe(before + 2);
  });

  test("attributes each environment file to the commit that last changed it", async () => {
    const view = await service.current();
    const changes = await service.lastChanges(view);
    const message = (file: string) => changes.get(file)?.message;
    expect(message("apps/api/overlays/prod/kustomization.yaml")).toBe("Promote api 1.2.0 to prod");
    expect(message("apps/api/overlays/staging/kustomization.yaml")).toBe("Promote api 1.3.0 to staging");
    expect(message("apps/web/overlays/prod/kustomization.yaml")).toBe("web: turn on checkout v2 in prod (hotfix)");
    expect(message("charts/payments/values-staging.yaml")).toBe("Bootstrap the GitOps repository");
    expect(changes.get("apps/api/overlays/prod/kustomization.yaml")?.author).toBe("Bob Chen");
  });

  test("a shallow window leaves older changes unattributed rather than guessing", async () => {
    const view = await service.current();
    const changes = await service.lastChanges(view, 3);
    expect(changes.get("apps/worker/overlays/dev/kustomization.yaml")?.message).toBe("worker: try 1.8.0-rc1 in dev");
    expect(changes.has("charts/payments/values-staging.yaml")).toBe(false);
  });

  test("path history is cached by commit", async () => {
    const before = calls.history;
    const first = await service.history(["apps/api/overlays/prod/kustomization.yaml"]);
    const second = await service.history(["apps/api/overlays/prod/kustomization.yaml"]);
    expect(second).toBe(first);
    expect(calls.history).toBe(before + 1);
    expect(first.map((c) => c.message)).toEqual(["Promote api 1.2.0 to prod", "Bootstrap the GitOps repository"]);
  });
});
