/**
 * What an environment runs beyond images: chart versions (a Flux HelmRelease's
 * `spec.chart.spec.version`, a chart's `Chart.yaml` dependencies) and remote bases pinned by ref
 * (`https://github.com/org/repo//path?ref=<sha>`, `?version=`). One model for every kind, so the
 * matrix compares them across environments like images and a promotion edits any kind the same
 * way: a kind, a name, a version, whether that version is pinned, and where it is set.
 */
import type { FileStore } from "./file-store";
import type { KResource } from "./kustomize-resource";
import type { Artifact, RemoteRef, ScanWarning, SourcePos } from "./types";
import { getPos, isObject, str } from "./yaml-source";

/** A version constraint rather than one version: `>=1.0.0`, `^2.1`, `6.x`, `*`, `1.0 - 2.0`. */
function isRange(v: string): boolean {
  return /[<>=^~*|]|\s-\s|(^|\.)[xX](\.|$)/.test(v);
}

/** A git ref that names fixed bytes: a commit SHA, or a version-like tag. Branch names move. */
function isPinnedRef(ref: string): boolean {
  return /^[0-9a-f]{40}$/.test(ref) || /^[0-9a-f]{64}$/.test(ref) || /^v?\d+(\.\d+){1,3}([-+][\w.-]+)?$/.test(ref);
}

/** A Flux HelmRelease's chart: name, version (or constraint), and the source it comes from. */
export function helmReleaseChart(r: KResource, all: readonly KResource[]): Artifact | undefined {
  const spec = isObject(r.obj.spec) ? r.obj.spec : {};
  const chartSpec = isObject(spec.chart) && isObject(spec.chart.spec) ? spec.chart.spec : undefined;
  const chartRef = isObject(spec.chartRef) ? spec.chartRef : undefined;
  const name = chartSpec ? str(chartSpec.chart) : str(chartRef?.name);
  if (!name) return undefined;
  const sourceRef = chartSpec && isObject(chartSpec.sourceRef) ? chartSpec.sourceRef : chartRef;
  const srcKind = str(sourceRef?.kind);
  const srcName = str(sourceRef?.name);
  const repo = all.find((x) => x.kind === srcKind && x.name === srcName);
  const url = repo && isObject(repo.obj.spec) ? str(repo.obj.spec.url) : undefined;
  const version = chartSpec ? (str(chartSpec.version) ?? null) : null;
  const source: SourcePos = (chartSpec ? (getPos(chartSpec, "version") ?? getPos(chartSpec, "chart")) : undefined) ?? {
    file: r.file,
    line: 1,
  };
  const pinned = version !== null && !isRange(version);
  return {
    kind: "chart",
    name,
    version,
    pinned,
    source,
    from: url ?? (srcKind ? `${srcKind}/${srcName ?? "?"}` : undefined),
    ...(pinned
      ? {}
      : {
          note:
            version === null ? "no chart version: the newest is installed" : `version constraint '${version}', not one version`,
        }),
  };
}

/** The dependencies a chart declares in its Chart.yaml. */
export function chartDependencies(store: FileStore, chartDir: string): Artifact[] {
  const file = chartDir ? `${chartDir}/Chart.yaml` : "Chart.yaml";
  const doc = store.load(file).docs[0]?.value;
  if (!isObject(doc) || !Array.isArray(doc.dependencies)) return [];
  const out: Artifact[] = [];
  for (const d of doc.dependencies) {
    if (!isObject(d)) continue;
    const name = str(d.name);
    if (!name) continue;
    const version = str(d.version) ?? null;
    const pinned = version !== null && !isRange(version);
    out.push({
      kind: "chart",
      name,
      version,
      pinned,
      source: getPos(d, "version") ?? getPos(d, "name") ?? { file, line: 1 },
      from: str(d.repository),
      ...(pinned ? {} : { note: version === null ? "no version" : `version constraint '${version}', not one version` }),
    });
  }
  return out;
}

/** A remote base and the ref it is pinned to (`?ref=`, `?version=`; none means the default branch). */
export function remoteBase(r: RemoteRef): Artifact {
  let name = r.url;
  let version: string | null = null;
  const q = r.url.indexOf("?");
  if (q >= 0) {
    name = r.url.slice(0, q);
    const params = new URLSearchParams(r.url.slice(q + 1));
    version = params.get("ref") ?? params.get("version");
  }
  const pinned = version !== null && isPinnedRef(version);
  return {
    kind: "remote-base",
    name,
    version,
    pinned,
    source: r.source,
    ...(pinned
      ? {}
      : { note: version === null ? "no ref: follows the default branch" : `ref '${version}' looks like a branch, which moves` }),
  };
}

/** A warning for every artifact whose version can move under the environment. */
export function unpinnedWarnings(artifacts: readonly Artifact[]): ScanWarning[] {
  return artifacts
    .filter((a) => !a.pinned && a.kind === "remote-base")
    .map((a) => ({ ...a.source, message: `remote base ${a.name} is not pinned: ${a.note}`, code: "unpinned-ref" }));
}

/** One entry per kind, name, version and place (a base read by two overlays of one cell counts once). */
export function dedupeArtifacts(list: readonly Artifact[]): Artifact[] {
  const seen = new Map<string, Artifact>();
  for (const a of list) seen.set(`${a.kind}|${a.name}|${a.version}|${a.source.file}:${a.source.line}`, a);
  return [...seen.values()];
}
