/**
 * Generated Kustomize trees for the differential test: a base of workloads of every kind, optional
 * components and a middle overlay, and a leaf, each layer with a random mix of what decides an
 * image (the image transformer with any key case, tag suffixes and renames; strategic-merge and JSON
 * 6902 patches as files of every extension or inline YAML/JSON, with and without targets, under
 * `patches`, `patchesStrategicMerge` and `patchesJson6902`; transformer configs as files,
 * directories or inline text; namespaces, prefixes, suffixes and labels that patches must see
 * through, in Kustomize's label selector syntax).
 * Only trees Kustomize is meant to accept are generated; the test says how many it actually did.
 */
import fc from "fast-check";
import { parseAllDocuments } from "yaml";
import { apiVersionOf, workload } from "./kustomize-edge-cases";

export interface ChainTree {
  files: Record<string, string>;
  /** The kustomization to build. */
  dir: string;
}

const KINDS = [
  "Deployment",
  "StatefulSet",
  "DaemonSet",
  "ReplicaSet",
  "Job",
  "CronJob",
  "Pod",
  "ReplicationController",
  "Rollout",
] as const;
type Kind = (typeof KINDS)[number];

const REPOS = [
  "nginx",
  "busybox",
  "redis",
  "ghcr.io/acme/api",
  "ghcr.io/acme/worker",
  "localhost:5000/tools/x",
  "quay.io/org/sidecar",
  "docker.io/bitnami/redis",
];
const DIGESTS = [`sha256:${"a".repeat(64)}`, `sha256:${"b".repeat(64)}`, `sha256:${"0123456789abcdef".repeat(4)}`];
const BAD_DIGESTS = ["sha256:abc", `sha256:${"A".repeat(64)}`];

/** `arb` one time in `n`, else absent (fc.option's `freq` is the other way round: absent one time in n). */
function sometimes<T>(arb: fc.Arbitrary<T>, n: number): fc.Arbitrary<T | undefined> {
  return fc.oneof({ weight: n - 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });
}

const digestArb = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...DIGESTS) },
  { weight: 1, arbitrary: fc.constantFrom(...BAD_DIGESTS) },
);
const tagArb = fc.constantFrom("1.0", "v2", "latest", "1.2.3-alpine");
const imageArb = fc
  .record({ repo: fc.constantFrom(...REPOS), tag: fc.option(tagArb, { nil: undefined }), digest: sometimes(digestArb, 3) })
  .map(({ repo, tag, digest }) => `${repo}${tag ? `:${tag}` : ""}${digest ? `@${digest}` : ""}`);

const workloadArb = fc.record({
  kind: fc.constantFrom(...KINDS),
  containers: fc.array(imageArb, { minLength: 1, maxLength: 2 }),
  init: fc.array(imageArb, { maxLength: 1 }),
  file: fc.constantFrom("yaml", "json"),
});
type WorkloadSpec = typeof workloadArb extends fc.Arbitrary<infer T> ? T : never;

/** How keys are spelled: Kustomize decodes them whatever the case. */
const styleArb = fc.constantFrom<"canonical" | "lower" | "capital">("canonical", "canonical", "lower", "capital");
type Style = typeof styleArb extends fc.Arbitrary<infer T> ? T : never;
function key(name: string, style: Style): string {
  if (style === "lower") return name.toLowerCase();
  if (style === "capital") return name[0]?.toUpperCase() + name.slice(1);
  return name;
}

const imagesEntryArb = fc.record({
  // Names are Go regular expressions to Kustomize: now and then one that reads as one.
  name: fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...REPOS) },
    { weight: 1, arbitrary: fc.constantFrom("ghcr.io/acme/.*", "(nginx|redis)") },
  ),
  newName: sometimes(fc.constantFrom(...REPOS), 3),
  newTag: sometimes(tagArb, 2),
  digest: sometimes(digestArb, 3),
  tagSuffix: sometimes(fc.constantFrom("-s", "-debug"), 4),
  style: styleArb,
});
type ImagesEntry = typeof imagesEntryArb extends fc.Arbitrary<infer T> ? T : never;

const patchArb = fc.record({
  form: fc.constantFrom("patches-file", "patches-inline", "psm-file", "psm-inline", "pj-file", "pj-inline"),
  ext: fc.constantFrom("yaml", "yml", "json", ""),
  syntax: fc.constantFrom("yaml", "json"),
  op: fc.constantFrom("set", "set", "add", "init", "delete"),
  json: fc.boolean(),
  workload: fc.nat(2),
  image: imageArb,
  target: fc.constantFrom("none", "kind-name", "kind", "label", "name", "current-name"),
  selector: fc.constantFrom(
    "app=demo",
    "app in (demo,other)",
    "app",
    "!missing",
    "app!=nope",
    "tier notin (x)",
    "tier=web",
    "tier in (web,db)",
    "!tier",
  ),
  id: fc.constantFrom("original", "original", "current"),
});
type PatchOp = typeof patchArb extends fc.Arbitrary<infer T> ? T : never;

const transformerArb = fc.record({
  kind: fc.constantFrom("image", "image", "replica", "namespace", "patch"),
  form: fc.constantFrom("file", "inline", "dir"),
  entry: imagesEntryArb,
  fieldSpecs: fc.constantFrom("none", "pods", "cronjobs"),
  unsetOnly: fc.boolean(),
  workload: fc.nat(2),
  image: imageArb,
});
type TransformerOp = typeof transformerArb extends fc.Arbitrary<infer T> ? T : never;

const layerArb = fc.record({
  images: fc.array(imagesEntryArb, { maxLength: 3 }),
  imagesField: fc.constantFrom("images", "images", "Images", "imageTags"),
  namespace: sometimes(fc.constantFrom("team-a", "team-b"), 3),
  prefix: sometimes(fc.constantFrom("pre-", "x-"), 3),
  suffix: sometimes(fc.constantFrom("-s"), 4),
  // Labels decide which resources a labelSelector target picks in the layers above.
  labels: sometimes(fc.constantFrom("web", "db"), 3),
  labelsField: fc.constantFrom("commonLabels", "labels"),
  patches: fc.array(patchArb, { maxLength: 2 }),
  transformers: fc.array(transformerArb, { maxLength: 2 }),
});
type Layer = typeof layerArb extends fc.Arbitrary<infer T> ? T : never;

/** Where a kind keeps its pod spec, as a JSON pointer and as nesting for a strategic merge. */
function podPath(kind: Kind): string[] {
  if (kind === "Pod") return ["spec"];
  if (kind === "CronJob") return ["spec", "jobTemplate", "spec", "template", "spec"];
  return ["spec", "template", "spec"];
}

interface Res {
  kind: Kind;
  org: string;
  name: string;
  ns?: string;
}

/** One image entry's fields, each key spelled in the entry's style. */
function entryFields(e: ImagesEntry): [string, string][] {
  const k = (n: string) => key(n, e.style);
  const out: [string, string][] = [[k("name"), e.name]];
  if (e.newName) out.push([k("newName"), e.newName]);
  if (e.newTag) out.push([k("newTag"), e.newTag]);
  if (e.digest) out.push([k("digest"), e.digest]);
  if (e.tagSuffix) out.push([k("tagSuffix"), e.tagSuffix]);
  return out;
}

function imagesYaml(entries: readonly ImagesEntry[], field: string): string[] {
  if (entries.length === 0) return [];
  return [
    `${field}:`,
    ...entries.flatMap((e) => entryFields(e).map(([k, v], i) => `${i === 0 ? "  - " : "    "}${k}: ${JSON.stringify(v)}`)),
  ];
}

/** Builds the tree's files: the writer of one case. */
class TreeWriter {
  files: Record<string, string> = {};
  private n = 0;
  constructor(readonly res: Res[]) {}

  unique(prefix: string): string {
    return `${prefix}${this.n++}`;
  }

  /** A patch body and where the kustomization says it is, for one op against the resources as they are now. */
  patch(dir: string, op: PatchOp, layerLines: { patches: string[]; psm: string[]; pj: string[] }): void {
    const r = this.res[op.workload % this.res.length];
    if (!r) return;
    const pointer = `/${podPath(r.kind).join("/")}/containers`;
    // patchesJson6902 takes operations only; patchesStrategicMerge never does.
    const isJson = op.form.startsWith("pj") || (op.json && !op.form.startsWith("psm"));
    const container = { name: op.op === "add" ? this.unique("p") : "c0", image: op.image };
    // JSON 6902 ops add a container or replace the first one's image (adding to initContainers
    // would need the list to exist).
    const body: unknown = isJson
      ? op.op === "add"
        ? [{ op: "add", path: `${pointer}/-`, value: container }]
        : [{ op: "replace", path: `${pointer}/0/image`, value: op.image }]
      : this.smPatch(r, op, container);
    const targeted = isJson || (op.target !== "none" && op.form.startsWith("patches"));
    const text = op.syntax === "json" || op.ext === "json" ? JSON.stringify(body) : yamlOf(body);
    const target = targeted ? this.target(r, op) : undefined;
    const inline = op.form.endsWith("inline");
    const file = inline ? undefined : `${this.unique("patch")}${op.ext ? `.${op.ext}` : ""}`;
    if (file) this.files[`${dir}/${file}`] = text;
    const block = (indent: string) => text.split("\n").map((l) => `${indent}${l}`);
    if (op.form.startsWith("psm")) {
      if (file) layerLines.psm.push(`  - ${file}`);
      else layerLines.psm.push("  - |-", ...block("    "));
      return;
    }
    const list = op.form.startsWith("pj") ? layerLines.pj : layerLines.patches;
    const first = file ? `  - path: ${file}` : "  - patch: |-";
    list.push(first);
    if (!file) list.push(...block("      "));
    if (target) list.push(`    target: ${target}`);
  }

  private smPatch(r: Res, op: PatchOp, container: { name: string; image: string }): unknown {
    const useCurrent = op.id === "current";
    const metadata: Record<string, string> = { name: useCurrent ? r.name : r.org };
    if (useCurrent && r.ns) metadata.namespace = r.ns;
    let spec: Record<string, unknown> =
      op.op === "init"
        ? { initContainers: [{ name: this.unique("q"), image: op.image }] }
        : op.op === "delete"
          ? { containers: [{ name: "c1", $patch: "delete" }] }
          : { containers: [container] };
    for (const seg of [...podPath(r.kind)].reverse().slice(0, -1)) spec = { [seg]: spec };
    return { apiVersion: apiVersionOf(r.kind), kind: r.kind, metadata, spec };
  }

  private target(r: Res, op: PatchOp): string {
    // patchesJson6902 insists on a target name.
    const target = op.form.startsWith("pj") && (op.target === "kind" || op.target === "label") ? "kind-name" : op.target;
    switch (target) {
      case "kind":
        return `{kind: ${r.kind}}`;
      case "label":
        return `{kind: ${r.kind}, labelSelector: ${JSON.stringify(op.selector)}}`;
      case "name":
        return `{name: ${r.org}}`;
      case "current-name":
        return `{name: ${r.name}${r.ns ? `, namespace: ${r.ns}` : ""}}`;
      default:
        return `{kind: ${r.kind}, name: ${r.org}}`;
    }
  }

  transformer(dir: string, t: TransformerOp, entries: string[]): void {
    const name = this.unique("t");
    const r = this.res[t.workload % this.res.length];
    const style = t.entry.style;
    let doc: string[];
    if (t.kind === "image" || !r) {
      doc = [
        "apiVersion: builtin",
        "kind: ImageTagTransformer",
        `metadata: {name: ${name}}`,
        `${key("imageTag", style)}:`,
        ...entryFields(t.entry).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`),
      ];
      if (t.fieldSpecs === "pods")
        doc.push("fieldSpecs:", "  - path: spec/template/spec/containers[]/image", "  - path: spec/containers[]/image");
      if (t.fieldSpecs === "cronjobs")
        doc.push("fieldSpecs:", "  - kind: CronJob", "    path: spec/jobTemplate/spec/template/spec/containers[]/image");
    } else if (t.kind === "replica") {
      doc = [
        "apiVersion: builtin",
        "kind: ReplicaCountTransformer",
        `metadata: {name: ${name}}`,
        `replica: {name: ${r.org}, count: 2}`,
        "fieldSpecs: [{path: spec/replicas, create: true}]",
      ];
    } else if (t.kind === "namespace") {
      doc = ["apiVersion: builtin", "kind: NamespaceTransformer", `metadata: {name: ${name}, namespace: moved}`];
      if (t.unsetOnly) doc.push("unsetOnly: true");
      for (const x of this.res) if (!t.unsetOnly || !x.ns) x.ns = "moved";
    } else {
      const pointer = `/${podPath(r.kind).join("/")}/containers/0/image`;
      doc = [
        "apiVersion: builtin",
        "kind: PatchTransformer",
        `metadata: {name: ${name}}`,
        `target: {kind: ${r.kind}, name: ${r.org}}`,
        `patch: '${JSON.stringify([{ op: "replace", path: pointer, value: t.image }])}'`,
      ];
    }
    const text = `${doc.join("\n")}\n`;
    if (t.form === "inline")
      entries.push(
        "  - |-",
        ...text
          .trimEnd()
          .split("\n")
          .map((l) => `    ${l}`),
      );
    else if (t.form === "dir") {
      this.files[`${dir}/${name}/kustomization.yaml`] = "resources: [config.yaml]\n";
      this.files[`${dir}/${name}/config.yaml`] = text;
      entries.push(`  - ${name}`);
    } else {
      this.files[`${dir}/${name}.yaml`] = text;
      entries.push(`  - ${name}.yaml`);
    }
  }
}

function yamlOf(v: unknown): string {
  // JSON is YAML; indent it as block YAML would not matter to either reader.
  return JSON.stringify(v, null, 2);
}

function toJson(yamlText: string): string {
  return parseAllDocuments(yamlText)
    .map((d) => JSON.stringify(d.toJS()))
    .join("\n");
}

/** One layer's kustomization: its resources and components, then each field the ops call for. */
function writeLayer(
  w: TreeWriter,
  dir: string,
  kind: "Kustomization" | "Component",
  head: string[],
  layer: Layer,
  resources: Res[],
): void {
  // Patches and patchesStrategicMerge run before this layer's namespace and prefix; the ids the
  // generator names are the ones the resources have at that point.
  const lines = { patches: [] as string[], psm: [] as string[], pj: [] as string[] };
  for (const p of layer.patches) if (!p.form.startsWith("pj")) w.patch(dir, p, lines);
  if (layer.namespace) for (const r of resources) r.ns = layer.namespace;
  for (const r of resources) r.name = `${layer.prefix ?? ""}${r.name}${layer.suffix ?? ""}`;
  for (const p of layer.patches) if (p.form.startsWith("pj")) w.patch(dir, p, lines);
  const transformers: string[] = [];
  for (const t of layer.transformers) w.transformer(dir, t, transformers);
  const out = [
    kind === "Component" ? "apiVersion: kustomize.config.k8s.io/v1alpha1" : "apiVersion: kustomize.config.k8s.io/v1beta1",
    `kind: ${kind}`,
    ...head,
  ];
  if (layer.namespace) out.push(`namespace: ${layer.namespace}`);
  if (layer.prefix) out.push(`namePrefix: ${layer.prefix}`);
  if (layer.suffix) out.push(`nameSuffix: ${layer.suffix}`);
  if (layer.labels && layer.labelsField === "commonLabels") out.push(`commonLabels: {tier: ${layer.labels}}`);
  if (layer.labels && layer.labelsField === "labels") out.push(`labels: [{pairs: {tier: ${layer.labels}}}]`);
  if (lines.patches.length) out.push("patches:", ...lines.patches);
  if (lines.psm.length) out.push("patchesStrategicMerge:", ...lines.psm);
  if (lines.pj.length) out.push("patchesJson6902:", ...lines.pj);
  out.push(...imagesYaml(layer.images, layer.imagesField));
  if (transformers.length) out.push("transformers:", ...transformers);
  w.files[`${dir}/kustomization.yaml`] = `${out.join("\n")}\n`;
}

/** A component: its own fields, and optionally a workload of its own. */
function writeComponent(w: TreeWriter, dir: string, layer: Layer, own: WorkloadSpec | undefined, res: Res[]): void {
  const head: string[] = [];
  if (own) {
    const file = `own.${own.file}`;
    writeWorkload(w, `${dir}/${file}`, own, `${dir.split("/").pop()}-own`);
    head.push(`resources: [${file}]`);
  }
  writeLayer(w, dir, "Component", head, layer, res);
}

function writeWorkload(w: TreeWriter, path: string, spec: WorkloadSpec, name: string): void {
  const text = workload(spec.kind, name, spec.containers, spec.init);
  w.files[path] = spec.file === "json" ? toJson(text) : text;
}

export const kustomizationChainArb: fc.Arbitrary<ChainTree> = fc
  .record({
    workloads: fc.array(workloadArb, { minLength: 1, maxLength: 3 }),
    base: layerArb,
    mid: fc.option(layerArb, { nil: undefined }),
    components: fc.array(fc.record({ layer: layerArb, own: fc.option(workloadArb, { nil: undefined }) }), { maxLength: 2 }),
    componentsOnMid: fc.boolean(),
    leaf: layerArb,
  })
  .map(({ workloads, base, mid, components, componentsOnMid, leaf }) => {
    const res: Res[] = workloads.map((wl, i) => ({ kind: wl.kind, org: `w${i}`, name: `w${i}` }));
    const w = new TreeWriter(res);
    const files = workloads.map((wl, i) => {
      writeWorkload(w, `base/w${i}.${wl.file}`, wl, `w${i}`);
      return `w${i}.${wl.file}`;
    });
    writeLayer(w, "base", "Kustomization", [`resources: [${files.join(", ")}]`], base, res);
    // Components run after the resources of the layer that lists them and before its own fields,
    // so they are written (and their renames tracked) between the two.
    const withComponents = (resources: string): string[] => {
      const dirs = components.map((_, i) => `components/c${i}`);
      components.forEach((c, i) => {
        writeComponent(w, dirs[i] ?? "", c.layer, c.own, res);
      });
      return [`resources: [${resources}]`, ...(dirs.length ? [`components: [${dirs.map((d) => `../${d}`).join(", ")}]`] : [])];
    };
    let below = "../base";
    if (mid) {
      writeLayer(w, "mid", "Kustomization", componentsOnMid ? withComponents(below) : [`resources: [${below}]`], mid, res);
      below = "../mid";
    }
    const leafHead = mid && componentsOnMid ? [`resources: [${below}]`] : withComponents(below);
    writeLayer(w, "leaf", "Kustomization", leafHead, leaf, res);
    return { files: w.files, dir: "leaf" };
  });
