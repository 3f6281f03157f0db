import { describe, expect, it } from "vitest";
import {
  chartAppVersion,
  chartImageLines,
  chartTemplateFiles,
  evalPipeline,
  helmKeysFromCompositions,
  type ImageComposition,
  imagesFromCompositions,
  parseTemplateFile,
  templateActions,
  UNKNOWN,
} from "./chart-image-lines";
import { FileStore } from "./file-store";
import { mergeValues } from "./helm-values";
import { memorySnapshot } from "./memory-snapshot";
import { isObject, type JsonObject } from "./yaml-source";

async function storeOf(files: Record<string, string>): Promise<FileStore> {
  const snap = memorySnapshot(files);
  const store = new FileStore(snap, snap.files());
  await store.prefetch((p) => /\.(ya?ml|tpl)$/.test(p));
  return store;
}

function valuesOf(store: FileStore, ...files: string[]): JsonObject {
  let v: JsonObject = {};
  for (const f of files) {
    const d = store.load(f).docs[0]?.value;
    if (isObject(d)) v = mergeValues(v, d);
  }
  return v;
}

const REGISTRY_LINE = 'image: "{{ .Values.docker.registry }}/{{ .Values.main_app.image }}:{{ .Values.main_app.version }}"';

describe("the Go-template toolkit", () => {
  it("finds actions, their trim markers, and does not end one at `}}` inside a string", () => {
    const a = templateActions('a {{- .Values.x -}} b {{ "}}" | quote }} {{`{{ .Release.Name }}`}}');
    expect(a.map((x) => x.inner)).toEqual([".Values.x", '"}}" | quote', "`{{ .Release.Name }}`"]);
    expect(a[0]).toMatchObject({ trimLeft: true, trimRight: true });
    expect(a[1]).toMatchObject({ trimLeft: false, trimRight: false });
  });

  it("evaluates simple pipelines and says UNKNOWN for what it does not know", () => {
    const values = { a: { enabled: true }, b: "", list: ["x"] };
    const lookup = (ref: string) =>
      ref.startsWith(".Values.") ? (values as JsonObject)[ref.slice(8).split(".")[0] ?? ""] : UNKNOWN;
    const look = (ref: string) => {
      if (ref === ".Values.a.enabled") return true;
      return lookup(ref);
    };
    expect(evalPipeline(".Values.a.enabled", look)).toBe(true);
    expect(evalPipeline("and .Values.a.enabled (not .Values.b)", look)).toBe(true);
    expect(evalPipeline('.Values.b | default "z"', look)).toBe("z");
    expect(evalPipeline('eq .Values.b ""', look)).toBe(true);
    expect(evalPipeline('has "x" .Values.list', look)).toBe(true);
    expect(evalPipeline("or .Values.b .Release.Name", look)).toBe(UNKNOWN);
    expect(evalPipeline("and .Values.b .Release.Name", look)).toBe("");
    expect(evalPipeline('include "x" .', look)).toBe(UNKNOWN);
  });

  it("stays linear on an unbalanced parenthesis full of strings (repository text is untrusted)", () => {
    const started = performance.now();
    expect(evalPipeline(`not (eq ${'"a" '.repeat(2000)}`, () => UNKNOWN)).toBe(UNKNOWN);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe("parseTemplateFile", () => {
  it("reads a composed image line and maps it onto registry/repository/tag keys", () => {
    const { lines } = parseTemplateFile("t.yaml", `containers:\n  - name: app\n    ${REGISTRY_LINE}\n`);
    const c = lines[0] as ImageComposition;
    expect(c).toMatchObject({ file: "t.yaml", line: 3, conditions: [] });
    expect(c.parts).toEqual([
      { kind: "value", key: "docker.registry" },
      { kind: "literal", text: "/" },
      { kind: "value", key: "main_app.image" },
      { kind: "literal", text: ":" },
      { kind: "value", key: "main_app.version" },
    ]);
    expect(c.keys).toEqual({ registry: "docker.registry", repository: "main_app.image", tag: "main_app.version" });
  });

  it("keeps defaults, appVersion and literals; no key mapping when a piece is literal", () => {
    const text = [
      'image: {{ .Values.reg }}/{{ .Values.mesh.name | default "envoy" }}:{{ .Values.mesh.version | default "latest" | quote }}',
      "image: {{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}",
      "image: {{ .Values.reg }}/statsd-exporter:{{ .Values.monitoring.version }} # sidecar",
      "image: busybox:1.36",
    ].join("\n");
    const [a, b, c, d] = parseTemplateFile("t.yaml", text).lines as ImageComposition[];
    expect(a?.parts[2]).toEqual({ kind: "value", key: "mesh.name", default: { kind: "literal", text: "envoy" } });
    expect(a?.keys).toEqual({ registry: "reg", repository: "mesh.name", tag: "mesh.version" });
    expect(b?.parts[2]).toEqual({ kind: "value", key: "image.tag", default: { kind: "appVersion" } });
    expect(b?.keys).toEqual({ repository: "image.repository", tag: "image.tag" });
    expect(c?.keys).toBeUndefined();
    expect(c?.text).toBe("{{ .Values.reg }}/statsd-exporter:{{ .Values.monitoring.version }}");
    expect(d?.parts).toEqual([{ kind: "literal", text: "busybox:1.36" }]);
  });

  it("reports lines it cannot compose, with the reason", () => {
    const text = [
      'image: {{ include "app.image" . }}',
      "image: {{ $registry }}/app:1",
      'image: {{ printf "%s:%s" .Values.repo .Values.tag }}',
      "{{- with .Values.sidecar }}",
      "image: {{ .Values.repo }}:{{ .tag }}",
      "image: {{ $.Values.repo }}:1.0",
      "{{- end }}",
    ].join("\n");
    const lines = parseTemplateFile("t.yaml", text).lines;
    expect(lines.map((l) => ("reason" in l ? l.reason : "ok"))).toEqual([
      "calls a named template (include/template/tpl)",
      "uses a template variable",
      'uses `{{ printf "%s:%s" .Values.repo .Values.tag }}`, which Ladder does not evaluate',
      "sits in a with/range block, where `.Values` is not the chart's values",
      "ok",
    ]);
  });

  it("records enclosing if/else blocks as conditions", () => {
    const text = [
      "{{- if .Values.monitoring.enabled }}",
      "image: exporter:{{ .Values.monitoring.tag }}",
      "{{- else if .Values.legacy }}",
      "image: legacy:1",
      "{{- else }}",
      "image: none:1",
      "{{- end }}",
      "image: always:1",
    ].join("\n");
    const lines = parseTemplateFile("t.yaml", text).lines as ImageComposition[];
    const show = (c: ImageComposition) => c.conditions.map((x) => `${x.negate ? "!" : ""}${x.expr}@${x.line}`);
    expect(lines.map(show)).toEqual([
      [".Values.monitoring.enabled@1"],
      ["!.Values.monitoring.enabled@1", ".Values.legacy@3"],
      ["!.Values.monitoring.enabled@1", "!.Values.legacy@3"],
      [],
    ]);
  });
});

describe("chartImageLines", () => {
  const chart = {
    "charts/app/Chart.yaml": "apiVersion: v2\nname: app\nversion: 0.1.0\nappVersion: 3.2.1\n",
    "charts/app/values.yaml":
      "docker:\n  registry: registry.example\nmain_app:\n  image: team/app\n  version: latest\nmesh:\n  enabled: false\n  image_version: 1.13.1\nmonitoring:\n  enabled: true\n",
    "charts/app/templates/deployment.yaml": [
      "spec:",
      "  containers:",
      `    - ${REGISTRY_LINE}`,
      "{{- if .Values.monitoring.enabled }}",
      "    - image: {{ .Values.docker.registry }}/exporter:{{ .Values.monitoring.tag }}",
      "{{- end }}",
      '    {{- include "mesh.container" . | indent 4 }}',
    ].join("\n"),
    "charts/app/templates/vendor/mesh.tpl": [
      '{{- define "mesh.container" -}}',
      "{{- if .Values.mesh.enabled }}",
      '- image: {{ .Values.docker.registry }}/{{ .Values.mesh.image_name | default "envoy" }}:{{ .Values.mesh.image_version | default "latest" }}',
      "{{- end }}",
      "{{- end }}",
      '{{- define "unused.container" -}}',
      "- image: nobody/uses:this",
      "{{- end }}",
    ].join("\n"),
    "charts/app/templates/tests/test-connection.yaml":
      'apiVersion: v1\nkind: Pod\nmetadata:\n  annotations:\n    "helm.sh/hook": test\nspec:\n  containers:\n    - image: "{{ .Values.docker.registry }}/checker"\n',
    "charts/app/templates/NOTES.txt": "image: not/a-manifest:1\n",
    "values-prod.yaml": "main_app:\n  version: 2026-01-02-prod\nmesh:\n  enabled: true\n  image_version: 1.35.9\n",
  };

  it("places named templates where they are included, and ignores test hooks and unused templates", async () => {
    const store = await storeOf(chart);
    expect(chartTemplateFiles(store, "charts/app")).not.toContain("charts/app/templates/NOTES.txt");
    const lines = chartImageLines(store, "charts/app");
    expect(lines.unread).toEqual([]);
    expect(lines.compositions.map((c) => `${c.file}:${c.line}`)).toEqual([
      "charts/app/templates/deployment.yaml:3",
      "charts/app/templates/deployment.yaml:5",
      "charts/app/templates/vendor/mesh.tpl:3",
    ]);
    const mesh = lines.compositions[2];
    expect(mesh?.define).toBe("mesh.container");
    expect(mesh?.conditions.map((c) => c.expr)).toEqual([".Values.mesh.enabled"]);
    expect(lines.ignored.map((i) => i.reason)).toEqual([
      "Helm test hook (runs on `helm test`, not part of the release)",
      "named template 'unused.container' is never included",
    ]);
    // Only the unconditional line without defaults is safe for extractHelmImages.
    expect(helmKeysFromCompositions(lines.compositions)).toEqual([
      { registry: "docker.registry", repository: "main_app.image", tag: "main_app.version" },
    ]);
  });

  it("applies compositions to merged values: positions of the deciding key, conditions, missing keys", async () => {
    const store = await storeOf(chart);
    const { compositions } = chartImageLines(store, "charts/app");
    const values = valuesOf(store, "charts/app/values.yaml", "values-prod.yaml");
    const app = chartAppVersion(store, "charts/app");
    expect(app).toEqual({ value: "3.2.1", source: { file: "charts/app/Chart.yaml", line: 4 } });
    const r = imagesFromCompositions(values, compositions, app);
    expect(r.images.map((i) => [i.image, i.from, `${i.source.file}:${i.source.line}`])).toEqual([
      ["registry.example/team/app:2026-01-02-prod", "values", "values-prod.yaml:2"],
      ["registry.example/envoy:1.35.9", "values", "values-prod.yaml:5"],
    ]);
    expect(r.images[0]).toMatchObject({
      decidingKey: "main_app.version",
      usedKeys: ["docker.registry", "main_app.image", "main_app.version"],
      template: { file: "charts/app/templates/deployment.yaml", line: 3 },
    });
    expect(r.unresolved).toEqual([
      {
        reference: "template:{{ .Values.docker.registry }}/exporter:{{ .Values.monitoring.tag }}",
        reason:
          "'monitoring.tag' is not set in the values and has no default (image line charts/app/templates/deployment.yaml:5)",
        source: { file: "charts/app/templates/deployment.yaml", line: 5 },
      },
    ]);
    // With the chart defaults alone the mesh block is off and the exporter stays unresolved.
    const defaults = imagesFromCompositions(valuesOf(store, "charts/app/values.yaml"), compositions, app);
    expect(defaults.skipped.map((s) => s.reason)).toEqual([
      "{{ .Values.mesh.enabled }} at charts/app/templates/vendor/mesh.tpl:2 is false in the values",
    ]);
  });

  it("uses defaults and appVersion, and turns an overridable decision into an unresolved entry", () => {
    const { lines } = parseTemplateFile(
      "t.yaml",
      'image: {{ .Values.repo }}:{{ .Values.tag | default .Chart.AppVersion }}\nimage: {{ .Values.repo }}-proxy:{{ .Values.proxyTag | default "latest" }}',
    );
    const compositions = lines as ImageComposition[];
    const r = imagesFromCompositions({ repo: "ghcr.io/acme/app" }, compositions, "1.2.3");
    expect(r.images.map((i) => [i.image, i.from, i.source.line])).toEqual([
      ["ghcr.io/acme/app:1.2.3", "default", 1],
      ["ghcr.io/acme/app-proxy:latest", "default", 2],
    ]);
    const o = imagesFromCompositions({ repo: "ghcr.io/acme/app", tag: "9" }, compositions, "1.2.3", {
      overriddenBy: (d) => (d.from === "default" ? "a later file may set it" : undefined),
    });
    expect(o.images.map((i) => i.image)).toEqual(["ghcr.io/acme/app:9"]);
    expect(o.unresolved).toEqual([
      { reference: "ghcr.io/acme/app-proxy:latest", reason: "a later file may set it", source: { file: "t.yaml", line: 2 } },
    ]);
  });
});
