import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { openLocalRepo } from "../snapshot/local-reader";
import { chartAppVersion, imagesFromCompositions, UNKNOWN } from "./chart-image-lines";
import { FileStore, isYamlPath } from "./file-store";
import { mergeValues } from "./helm-values";
import {
  chartDirFor,
  type HelmfileRelease,
  helmfileCellPlans,
  helmfileInputs,
  isHelmfilePath,
  outsideOverrides,
  readHelmfile,
  renderTemplate,
  TEMPLATED,
} from "./helmfile";
import { memorySnapshot } from "./memory-snapshot";
import { isObject, type JsonObject } from "./yaml-source";

const readable = (p: string) => isYamlPath(p) || p.endsWith(".tpl") || isHelmfilePath(p);

async function storeOf(files: Record<string, string>): Promise<FileStore> {
  const snap = memorySnapshot(files);
  const store = new FileStore(snap, snap.files());
  await store.prefetch(readable);
  return store;
}

function merged(store: FileStore, files: readonly string[]): JsonObject {
  let v: JsonObject = {};
  for (const f of files) {
    const d = store.load(f).docs[0]?.value;
    if (isObject(d)) v = mergeValues(v, d);
  }
  return v;
}

/** Images of one release: chart defaults, then the release's files, composed by the chart's image lines. */
function releaseImages(store: FileStore, r: HelmfileRelease, compositions: Parameters<typeof imagesFromCompositions>[1]) {
  const files = [...(r.chartDir ? [`${r.chartDir}/values.yaml`] : []), ...r.valueFiles];
  const app = r.chartDir ? chartAppVersion(store, r.chartDir) : undefined;
  return imagesFromCompositions(merged(store, files), compositions, app, { overriddenBy: outsideOverrides(r.layers) });
}

const SHOP_HELMFILE = `environments:
  staging:
    values:
      - releases: [staging]
  production:
    values:
      - releases: [main, canary]
    missingFileHandler: Warn
---
bases:
  - ../common.yaml

templates:
  default: &default
    namespace: shop
    chart: acme-charts/shop
    recreatePods: {{ if (hasKey .Environment.Values "roll_restart") }}true{{ else }}false{{ end }}
    installedTemplate: '{{\`{{ has .Release.Name .Environment.Values.releases }}\`}}'
    missingFileHandler: Warn
    values:
      - "/etc/helmfile-defaults/general-{{ .Environment.Name }}.yaml"
      - "values.yaml"
      - "/etc/helmfile-defaults/private/shop/{{ .Environment.Name }}.yaml"
      - "values-{{ .Environment.Name }}.yaml"
      - "values-{{\`{{ .Release.Name }}\`}}.yaml"

releases:
  - name: main
    <<: *default
  - name: canary
    <<: *default
  - name: staging
    <<: *default
`;

const TREE: Record<string, string> = {
  "helmfile.d/services/common.yaml": "helmDefaults:\n  timeout: 600\n",
  "helmfile.d/services/shop/helmfile.yaml": SHOP_HELMFILE,
  "helmfile.d/services/shop/values.yaml": "image:\n  tag: 2.0.0\n",
  "helmfile.d/services/shop/values-staging.yaml": "image:\n  tag: 2.1.0-rc1\n",
  "helmfile.d/services/shop/values-canary.yaml": "image:\n  tag: 2.1.0\nsidecar:\n  enabled: true\n",
  "helmfile.d/services/cache/helmfile.yaml": [
    "environments:",
    "  default:",
    "    values:",
    "      - env.yaml",
    "---",
    "releases:",
    "  - name: redis",
    "    chart: bitnami/redis",
    "    installed: {{ .Values.redis.enabled }}",
    "    values:",
    "      - redis.yaml",
    "      - replicas: 2",
    "  - name: memcached",
    "    chart: bitnami/memcached",
    "    installed: {{ .Values.memcached.enabled | default false }}",
  ].join("\n"),
  "helmfile.d/services/cache/env.yaml": "redis:\n  enabled: true\n",
  "helmfile.d/services/cache/redis.yaml": "image:\n  tag: 7.2.4\n",
  "charts/shop/Chart.yaml": "apiVersion: v2\nname: shop\nversion: 0.1.0\nappVersion: 1.0.0\n",
  "charts/shop/values.yaml":
    "image:\n  registry: ghcr.io\n  repository: acme/shop\n  tag: ''\nsidecar:\n  enabled: false\n  tag: '0.9'\n",
  "charts/shop/templates/deployment.yaml": [
    "spec:",
    "  containers:",
    '    - image: "{{ .Values.image.registry }}/{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"',
    "    {{- if .Values.sidecar.enabled }}",
    "    - image: ghcr.io/acme/proxy:{{ .Values.sidecar.tag }}",
    "    {{- end }}",
  ].join("\n"),
};

describe("renderTemplate", () => {
  it("keeps every line where it was, renders raw strings and evaluates environment conditions", () => {
    const lookup = (ref: string) => (ref === ".Environment.Name" ? "prod" : UNKNOWN);
    const text = [
      "a: {{ .Environment.Name }}",
      '{{- if eq .Environment.Name "prod" }}',
      "b: yes",
      "{{- else }}",
      "b: no",
      "{{- end }}",
      "c: '{{`{{ .Release.Name }}`}}'",
      'd: {{ .Values.x | get "y" }}',
    ].join("\n");
    const out = renderTemplate(text, lookup);
    expect(out.split("\n")).toEqual(["a: prod", "", "b: yes", "", "", "", "c: '{{ .Release.Name }}'", `d: ${TEMPLATED}`]);
  });
});

describe("readHelmfile", () => {
  it("reads environments in file order, the releases each installs, and their values layers", async () => {
    const store = await storeOf(TREE);
    const hf = readHelmfile(store, "helmfile.d/services/shop/helmfile.yaml");
    expect(hf.bases).toEqual(["helmfile.d/services/common.yaml"]);
    expect(hf.environments.map((e) => [e.name, e.pos.line, e.releases.map((r) => r.name)])).toEqual([
      ["staging", 2, ["staging"]],
      ["production", 5, ["main", "canary"]],
    ]);
    const [staging] = hf.environments[0]?.releases ?? [];
    const dir = "helmfile.d/services/shop";
    // values-staging.yaml is both the environment's and the release's file: helmfile applies it twice.
    expect(staging?.valueFiles).toEqual([`${dir}/values.yaml`, `${dir}/values-staging.yaml`, `${dir}/values-staging.yaml`]);
    expect(staging?.outside).toEqual([
      { file: `${dir}/helmfile.yaml`, line: 21, path: "/etc/helmfile-defaults/general-staging.yaml" },
      { file: `${dir}/helmfile.yaml`, line: 23, path: "/etc/helmfile-defaults/private/shop/staging.yaml" },
    ]);
    expect(staging).toMatchObject({ chart: "acme-charts/shop", chartDir: "charts/shop", missing: [] });
    const main = hf.environments[1]?.releases[0];
    expect(main?.valueFiles).toEqual([`${dir}/values.yaml`]);
    expect(main?.missing.map((m) => m.path)).toEqual([`${dir}/values-production.yaml`, `${dir}/values-main.yaml`]);
    expect(hf.environments[1]?.releases[1]?.valueFiles).toEqual([`${dir}/values.yaml`, `${dir}/values-canary.yaml`]);
  });

  it("knows a chart in the repository from one that is not", async () => {
    const store = await storeOf(TREE);
    expect(chartDirFor(store, "helmfile.d/services/shop", "acme-charts/shop")).toBe("charts/shop");
    expect(chartDirFor(store, "helmfile.d/services/shop", "../../../charts/shop")).toBe("charts/shop");
    expect(chartDirFor(store, "", "bitnami/redis")).toBeUndefined();
    const cache = readHelmfile(store, "helmfile.d/services/cache/helmfile.yaml");
    // Environment values come from env.yaml: redis is installed, memcached is not.
    expect(cache.environments.map((e) => [e.name, e.releases.map((r) => r.name)])).toEqual([["default", ["redis"]]]);
    const redis = cache.environments[0]?.releases[0];
    expect(redis).toMatchObject({ chartDir: undefined, valueFiles: ["helmfile.d/services/cache/redis.yaml"] });
    expect(redis?.unreadable.map((u) => [u.path, u.line])).toEqual([["(inline values)", 12]]);
  });
});

describe("helmfileCellPlans", () => {
  it("makes one cell per service and environment, with chart defaults first and the release files claimed", async () => {
    const store = await storeOf(TREE);
    const { cells, extras, claimedFiles, guessed } = helmfileCellPlans(store);
    expect(cells.map((c) => `${c.app}/${c.env}`)).toEqual(["cache/default", "shop/staging", "shop/production"]);
    const dir = "helmfile.d/services/shop";
    const staging = cells.find((c) => c.app === "shop" && c.env === "staging")?.plan;
    expect(staging).toMatchObject({
      format: "helm",
      path: `${dir}/values-staging.yaml`,
      helm: {
        chartDir: "charts/shop",
        valueFiles: ["charts/shop/values.yaml", `${dir}/values.yaml`, `${dir}/values-staging.yaml`, `${dir}/values-staging.yaml`],
        ownValueFiles: [`${dir}/values-staging.yaml`],
        // The only image line has a default (appVersion): not safe for extractHelmImages, so no keys.
        keys: [],
      },
    });
    const production = cells.find((c) => c.app === "shop" && c.env === "production")?.plan;
    expect(production?.path).toBe(`${dir}/values.yaml`);
    expect(production?.helm?.valueFiles).toEqual(["charts/shop/values.yaml", `${dir}/values.yaml`]);
    expect(production?.helm?.ownValueFiles).toEqual([`${dir}/values-canary.yaml`]);
    expect(claimedFiles).toContain(`${dir}/values-canary.yaml`);
    expect(guessed).toContain(
      `${dir}/helmfile.yaml: helmfile, app 'shop' (chart acme-charts/shop), environments (releases): staging (staging), production (main, canary)`,
    );
    const x = extras.get("shop\u0000production");
    expect(x?.releases.map((r) => [r.name, r.ownValueFiles])).toEqual([
      ["main", []],
      ["canary", [`${dir}/values-canary.yaml`]],
    ]);
    expect(x?.outside.map((o) => o.path)).toContain("/etc/helmfile-defaults/general-production.yaml");
    expect(extras.get("cache\u0000default")).toMatchObject({ compositions: [], releases: [{ chartDir: undefined }] });
    expect(cells.find((c) => c.app === "cache")?.plan.helm?.keys).toBeUndefined();
  });

  it("resolves the composed images per release; a chart default a later outside file may override is unresolved", async () => {
    const store = await storeOf(TREE);
    const { extras } = helmfileCellPlans(store);
    const x = extras.get("shop\u0000production");
    const [main, canary] = x?.releases ?? [];
    if (!main || !canary || !x) throw new Error("releases missing");
    const m = releaseImages(store, main, x.compositions);
    expect(m.images.map((i) => [i.image, `${i.source.file}:${i.source.line}`])).toEqual([
      ["ghcr.io/acme/shop:2.0.0", "helmfile.d/services/shop/values.yaml:2"],
    ]);
    expect(m.skipped.map((s) => s.line)).toEqual([5]);
    const c = releaseImages(store, canary, x.compositions);
    expect(c.images.map((i) => i.image)).toEqual(["ghcr.io/acme/shop:2.1.0"]);
    expect(c.unresolved).toEqual([
      {
        reference: "ghcr.io/acme/proxy:0.9",
        reason:
          "set by the chart's defaults (charts/shop/values.yaml:7); /etc/helmfile-defaults/general-production.yaml, outside the repository and applied after it, may override it",
        source: { file: "charts/shop/values.yaml", line: 7 },
      },
    ]);
  });
});

// The shared real-world fixture lives beside the checkout; skip when it is absent, except in CI.
const inCI = process.env.CI === "true";
const WIKIMEDIA = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../../shared/fixtures/real-gitops/wikimedia__operations-deployment-charts",
);

describe.skipIf(!existsSync(WIKIMEDIA) && !inCI)("helmfile: wikimedia/operations-deployment-charts", () => {
  interface Expected {
    cells: { app: string; env: string; images: { repository: string; tag: string | null }[] }[];
    unresolvable: { app: string; env: string; why: string }[];
  }

  it("gives every expected cell its images and explains every unresolvable entry", async () => {
    expect(existsSync(WIKIMEDIA), `${WIKIMEDIA} is missing`).toBe(true);
    const expected = JSON.parse(readFileSync(path.join(WIKIMEDIA, "expected.json"), "utf8")) as Expected;
    const snap = await (await openLocalRepo(WIKIMEDIA, { worktree: true })).snapshot();
    const store = new FileStore(snap, snap.files());
    await store.prefetch();
    await store.ensure(helmfileInputs(store));
    const { cells, extras, claimedFiles } = helmfileCellPlans(store);
    expect(claimedFiles).toContain("helmfile.d/services/mobileapps/values-canary.yaml");
    expect(claimedFiles).toContain("helmfile.d/services/termbox/values-test.yaml");
    const right: string[] = [];
    const wrong: string[] = [];
    for (const e of expected.cells) {
      const cell = cells.find((c) => c.app === e.app && c.env === e.env);
      const x = extras.get(`${e.app}\u0000${e.env}`);
      const primary = x?.releases[0];
      if (!cell?.plan.helm || !x || !primary) {
        wrong.push(`${e.app}/${e.env}: no cell`);
        continue;
      }
      const app = primary.chartDir ? chartAppVersion(store, primary.chartDir) : undefined;
      const values = merged(store, cell.plan.helm.valueFiles);
      const got = imagesFromCompositions(values, x.compositions, app, { overriddenBy: outsideOverrides(primary.layers) });
      const want = e.images.map((i) => `${i.repository}:${i.tag}`).sort();
      const have = [...new Set(got.images.map((i) => i.image))].sort();
      (JSON.stringify(have) === JSON.stringify(want) ? right : wrong).push(`${e.app}/${e.env}: ${have.join(" ")}`);
    }
    expect(wrong).toEqual([]);
    expect(right).toHaveLength(30);
    for (const u of expected.unresolvable) {
      const x = extras.get(`${u.app}\u0000${u.env}`);
      const primary = x?.releases[0];
      const cell = cells.find((c) => c.app === u.app && c.env === u.env);
      if (!x || !primary || !cell?.plan.helm) throw new Error(`${u.app}/${u.env}: no cell`);
      const got = imagesFromCompositions(merged(store, cell.plan.helm.valueFiles), x.compositions, undefined, {
        overriddenBy: outsideOverrides(primary.layers),
      });
      const reasons = got.unresolved.map((r) => `${r.reference} ${r.reason}`);
      // The envoy sidecar (and statsd exporter where the entry names it) is unresolved because of the outside layer.
      expect(reasons.some((r) => r.includes("/envoy:") && r.includes(`general-${u.env}.yaml`))).toBe(true);
      if (u.why.includes("statsd")) expect(reasons.some((r) => r.includes("prometheus-statsd-exporter:"))).toBe(true);
      expect(x.outside.map((o) => o.path)).toContain(`/etc/helmfile-defaults/general-${u.env}.yaml`);
    }
  }, 60_000);
});
