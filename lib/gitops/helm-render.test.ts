import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { argoApplicationsOf, imagesOfDocs, renderHelm } from "./helm-render";
import type { JsonObject } from "./yaml-source";

const docs = (text: string): JsonObject[] => text.split(/^---$/m).map((d) => parse(d) as JsonObject);

describe("argoApplicationsOf", () => {
  it("reads single- and multi-source Applications: path, values in Argo CD's precedence, value files, release name", () => {
    const apps = argoApplicationsOf(
      docs(`
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: { name: web }
spec:
  destination: { namespace: shop }
  source:
    repoURL: https://example.com/gitops.git
    targetRevision: HEAD
    path: charts/web
    helm:
      valueFiles: [values.yaml, values-prod.yaml]
      values: |
        image: { tag: "1.2.3" }
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: { name: api-prod }
spec:
  sources:
    - repoURL: https://charts.example.com
      chart: api
      targetRevision: 4.0.0
      helm:
        releaseName: api
        valueFiles: [$values/api/prod.yaml]
        values: "ignored: true"
        valuesObject: { image: { tag: "7" } }
        parameters: [{ name: replicas, value: "2" }]
    - repoURL: https://example.com/values.git
      ref: values
---
apiVersion: v1
kind: ConfigMap
metadata: { name: not-an-app }
---
apiVersion: example.com/v1
kind: Application
metadata: { name: someone-elses }
spec: { source: { path: x } }
`),
    );
    expect(apps).toEqual([
      {
        name: "web",
        releaseName: "web",
        namespace: "shop",
        repoURL: "https://example.com/gitops.git",
        targetRevision: "HEAD",
        path: "charts/web",
        chart: undefined,
        ref: undefined,
        valueFiles: ["values.yaml", "values-prod.yaml"],
        ignoreMissingValueFiles: false,
        values: { image: { tag: "1.2.3" } },
        parameters: [],
      },
      {
        name: "api-prod",
        releaseName: "api",
        namespace: undefined,
        repoURL: "https://charts.example.com",
        targetRevision: "4.0.0",
        path: undefined,
        chart: "api",
        ref: undefined,
        valueFiles: ["$values/api/prod.yaml"],
        ignoreMissingValueFiles: false,
        values: { image: { tag: "7" } },
        parameters: [{ name: "replicas", value: "2", forceString: false }],
      },
    ]);
  });

  it("says why inline values cannot be read instead of guessing", () => {
    const [app] = argoApplicationsOf(
      docs(`
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: { name: web }
spec: { source: { path: charts/web, helm: { values: "- a list" } } }
`),
    );
    expect(app?.values).toBeUndefined();
    expect(app?.problem).toBe("helm.values is not a mapping");
  });
});

describe("imagesOfDocs", () => {
  it("lists containers, initContainers and Argo Workflows templates; never a HelmRelease's or Application's values", () => {
    const images = imagesOfDocs(
      docs(`
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  template:
    spec:
      initContainers: [{ name: wait, image: "busybox:1.36" }]
      containers: [{ name: web, image: "ghcr.io/acme/web:2" }]
---
apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata: { name: notify }
spec:
  templates:
    - name: send
      script: { image: quay.io/curl/curl, source: "curl x" }
    - name: run
      container: { image: "alpine:3" }
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: { name: flux-values }
spec: { values: { containers: [{ name: x, image: "not:deployed" }] } }
`),
    );
    expect(images).toEqual([
      { image: "busybox:1.36", kind: "Deployment", name: "web", container: "wait" },
      { image: "ghcr.io/acme/web:2", kind: "Deployment", name: "web", container: "web" },
      { image: "quay.io/curl/curl", kind: "WorkflowTemplate", name: "notify", container: "send" },
      { image: "alpine:3", kind: "WorkflowTemplate", name: "notify", container: "run" },
    ]);
  });
});

describe("renderHelm refuses a request before running anything", () => {
  const root = mkdtempSync(path.join(tmpdir(), "ladder-helm-unit-"));
  writeFileSync(path.join(root, "Chart.yaml"), "apiVersion: v2\nname: c\nversion: 0.1.0\n");
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  // A binary that would fail loudly if it were ever run.
  const base = { binary: "/nonexistent/helm", rootDir: root, chartDir: ".", releaseName: "web" };

  it.each([
    [{ releaseName: "--post-renderer=/bin/sh" }, /invalid release name/],
    [{ releaseName: "x".repeat(54) }, /invalid release name/],
    [{ namespace: "--kube-context=prod" }, /invalid namespace/],
    [{ chartDir: ".." }, /chart \.\. is outside the repository/],
    [{ chartDir: "missing" }, /no Chart\.yaml in missing/],
    [{ valueFiles: ["../../etc/passwd"] }, /value file \.\.\/\.\.\/etc\/passwd is outside the repository/],
    [{ valueFiles: ["values-prod.yaml"] }, /value file values-prod\.yaml not found/],
  ])("%o", async (change, reason) => {
    const result = await renderHelm({ ...base, ...change });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
  });

  it("a missing value file Argo CD may ignore is left out, and a missing binary is a reason, not a throw", async () => {
    const result = await renderHelm({ ...base, valueFiles: ["values-prod.yaml"], ignoreMissingValueFiles: true });
    expect(result).toEqual({ ok: false, reason: "helm not found: /nonexistent/helm" });
  });
});
