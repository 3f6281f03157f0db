import { describe, expect, it } from "vitest";
import { memorySnapshot } from "./memory-snapshot";
import { scanRepository } from "./scan";
import { deployment } from "./test-support/fan-out-trees";

const ENVS = ["dev", "staging", "prod"] as const;

/**
 * One Argo CD Application per environment, multi-source: the chart at `deploy/chart`, value files
 * from `$values` (the same repository): a shared `config/common.yaml`, then the environment's own
 * `config/<env>/app.yaml`. Directory names say nothing: only the Applications tell the layout.
 */
function multiSourceTree(): Record<string, string> {
  const files: Record<string, string> = {
    "deploy/chart/Chart.yaml": "apiVersion: v2\nname: shop-chart\nversion: 1.0.0\n",
    "deploy/chart/values.yaml": "image:\n  repository: ghcr.io/acme/shop\n  tag: 0.0.1\n",
    "deploy/chart/templates/deployment.yaml": deployment("shop", "{{ .Values.image.repository }}:{{ .Values.image.tag }}"),
    "config/common.yaml": "image:\n  tag: 1.0.0\n",
  };
  const apps: string[] = [];
  ENVS.forEach((env, i) => {
    if (env !== "staging") files[`config/${env}/app.yaml`] = `image:\n  tag: 1.${i}.0\n`;
    apps.push(`apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: shop-${env}
spec:
  project: default
  destination:
    server: https://kubernetes.default.svc
    namespace: shop-${env}
  sources:
    - repoURL: https://github.com/acme/gitops.git
      path: deploy/chart
      helm:
        valueFiles:
          - $values/config/common.yaml
          - $values/config/${env}/app.yaml
    - repoURL: https://github.com/acme/gitops.git
      ref: values
`);
  });
  files["argocd/apps.yaml"] = apps.join("---\n");
  return files;
}

/** An ApplicationSet list generator over three Kustomize directories named by an element key. */
function listGeneratorTree(): Record<string, string> {
  const files: Record<string, string> = {
    "k/base/kustomization.yaml": "resources:\n  - deployment.yaml\n",
    "k/base/deployment.yaml": deployment("api", "ghcr.io/acme/api:0.1.0"),
    "argocd/appset.yaml": `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: api
spec:
  generators:
    - list:
        elements:
          - cluster: dev
            dir: k/d1
          - cluster: staging
            dir: k/s1
          - cluster: prod
            dir: k/p1
    - clusters: {}
  template:
    metadata:
      name: "api-{{cluster}}"
    spec:
      project: default
      source:
        repoURL: https://github.com/acme/gitops.git
        path: "{{dir}}"
      destination:
        name: "{{cluster}}"
        namespace: api
`,
  };
  for (const [dir, tag] of [
    ["k/d1", "1.2.0"],
    ["k/s1", "1.1.0"],
    ["k/p1", "1.0.0"],
  ])
    files[`${dir}/kustomization.yaml`] = `resources:\n  - ../base\nimages:\n  - name: ghcr.io/acme/api\n    newTag: ${tag}\n`;
  return files;
}

describe("Argo CD Applications say which path deploys where", () => {
  it("reads multi-source $values value files in Argo CD's order, the environment's own last", async () => {
    const s = await scanRepository(memorySnapshot(multiSourceTree()));
    expect(s.apps.map((a) => a.name)).toEqual(["shop"]);
    expect(s.environments).toEqual(["dev", "staging", "prod"]);
    const shop = s.apps[0];
    expect(shop?.environments.prod?.sharedFiles).toEqual(["deploy/chart/values.yaml", "config/common.yaml"]);
    expect(shop?.environments.prod?.ownFiles).toEqual(["config/prod/app.yaml"]);
    expect(shop?.environments.prod?.images.map((i) => `${i.repository}:${i.tag}`)).toEqual(["ghcr.io/acme/shop:1.2.0"]);
    // staging has no file of its own: the shared file wins over the chart's default.
    expect(shop?.environments.staging?.images.map((i) => i.tag)).toEqual(["1.0.0"]);
    expect(s.layout.guessed).toContain(
      "argocd/apps.yaml: Argo CD Applications name what deploys where (shop: dev, staging, prod)",
    );
    expect(s.layout.ignored.map((i) => i.path)).toContain("argocd");
  });

  it("expands an ApplicationSet list generator into one Kustomize cell per element, skipping clusters", async () => {
    const s = await scanRepository(memorySnapshot(listGeneratorTree()));
    expect(s.apps.map((a) => a.name)).toEqual(["api"]);
    expect(s.environments).toEqual(["dev", "staging", "prod"]);
    const api = s.apps[0];
    expect(ENVS.map((e) => [api?.environments[e]?.path, api?.environments[e]?.images[0]?.tag])).toEqual([
      ["k/d1", "1.2.0"],
      ["k/s1", "1.1.0"],
      ["k/p1", "1.0.0"],
    ]);
    expect(s.layout.ignored.some((i) => /clusters generator not read/.test(i.reason))).toBe(true);
  });

  it("expands a git directories generator ({{.path.basename}}, goTemplate) over a chart's per-env values", async () => {
    const files: Record<string, string> = {
      "chart/Chart.yaml": "apiVersion: v2\nname: web\nversion: 1.0.0\n",
      "chart/values.yaml": "image:\n  repository: ghcr.io/acme/web\n  tag: 0.0.1\n",
      "argocd/web.yaml": `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: web
spec:
  goTemplate: true
  generators:
    - git:
        repoURL: https://github.com/acme/gitops.git
        revision: HEAD
        directories:
          - path: stages/*
          - path: stages/old
            exclude: true
  template:
    metadata:
      name: "web-{{.path.basename}}"
    spec:
      project: default
      source:
        repoURL: https://github.com/acme/gitops.git
        path: chart
        helm:
          valueFiles:
            - "../{{.path.path}}/values.yaml"
      destination:
        server: https://kubernetes.default.svc
        namespace: "web-{{.path.basename}}"
`,
    };
    for (const [env, tag] of [
      ["qa", "2.0.0"],
      ["live", "1.9.0"],
      ["old", "0.1.0"],
    ])
      files[`stages/${env}/values.yaml`] = `image:\n  tag: ${tag}\n`;
    const s = await scanRepository(memorySnapshot(files));
    expect(s.apps.map((a) => a.name)).toEqual(["web"]);
    expect(s.environments).toEqual(["qa", "live"]);
    expect(s.apps[0]?.environments.live?.images.map((i) => i.tag)).toEqual(["1.9.0"]);
    expect(s.apps[0]?.environments.qa?.ownFiles).toEqual(["stages/qa/values.yaml"]);
    expect(s.layout.ignored.map((i) => i.path)).toContain("stages/old");
  });

  it("reads a chart outside the repository as values only and shows the tags, warning of inline values", async () => {
    const files: Record<string, string> = {
      "argocd/payments.yaml": ["dev", "prod"]
        .map(
          (env) => `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: payments-${env}
  labels:
    env: ${env}
spec:
  project: default
  destination:
    server: https://kubernetes.default.svc
    namespace: payments
  sources:
    - repoURL: https://charts.acme.io
      chart: payments
      targetRevision: 3.1.0
      helm:
        valueFiles:
          - $cfg/values/${env}.yaml
        values: |
          replicas: 2
    - repoURL: https://github.com/acme/gitops.git
      ref: cfg
`,
        )
        .join("---\n"),
      "values/dev.yaml": "image:\n  tag: 4.1.0\n",
      "values/prod.yaml": "image:\n  tag: 4.0.0\n",
    };
    const s = await scanRepository(memorySnapshot(files));
    expect(s.apps.map((a) => a.name)).toEqual(["payments"]);
    expect(s.environments).toEqual(["dev", "prod"]);
    const prod = s.apps[0]?.environments.prod;
    expect(prod?.unresolved.map((u) => [u.tag, u.source?.file])).toEqual([["4.0.0", "values/prod.yaml"]]);
    const inline = s.warnings.filter((w) => w.code === "argo-inline-values");
    expect(inline.map((w) => w.file)).toEqual(["argocd/payments.yaml", "argocd/payments.yaml"]);
    expect(inline[0]?.line).toBe(19);
    expect(inline[0]?.message).toMatch(/inline values not read \(helm\.values\)/);
  });

  it("reads a plain manifests directory, the environment from the destination namespace", async () => {
    const app = (ns: string, dir: string) => `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: ${ns}-orders
spec:
  destination:
    server: https://kubernetes.default.svc
    namespace: ${ns}
  source:
    repoURL: https://github.com/acme/gitops.git
    path: orders/${dir}
    kustomize:
      images:
        - ghcr.io/acme/orders:9.9.9
`;
    const text = [app("staging", "next"), app("production", "live")].join("---\n");
    const imagesLines = text.split("\n").flatMap((l, i) => (l.trim() === "images:" ? [i + 1] : []));
    const s = await scanRepository(
      memorySnapshot({
        "argocd/orders.yaml": text,
        "orders/next/deployment.yaml": deployment("orders", "ghcr.io/acme/orders:2.0.0"),
        "orders/live/deployment.yaml": deployment("orders", "ghcr.io/acme/orders:1.0.0"),
      }),
    );
    expect(s.apps.map((a) => a.name)).toEqual(["orders"]);
    expect(s.environments).toEqual(["staging", "production"]);
    expect(s.apps[0]?.environments.production?.images.map((i) => i.tag)).toEqual(["1.0.0"]);
    expect(s.warnings.filter((w) => w.code === "argo-inline-values").map((w) => w.line)).toEqual(imagesLines);
  });
});
