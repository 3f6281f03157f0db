/** Public result types of `lib/gitops`. Plain data: safe to serialise to JSON for the CLI and the web app. */

export interface SourcePos {
  /** Repo-relative path. */
  file: string;
  /** 1-based line. */
  line: number;
}

export interface ScanWarning extends SourcePos {
  message: string;
  /** Stable machine-readable kind, e.g. `yaml-error`, `remote-base`, `placeholder-image`. */
  code?: string;
}

export type AppFormat = "kustomize" | "helm" | "manifests";

/** How the value that decides an image was written, so an edit knows what to change. */
export type ImageSetBy = "images-transformer" | "manifest" | "patch" | "helm-values" | "helm-release-values" | "chart-default";

/**
 * Something about an image reference worth a second look. It is shown beside the reference, never
 * a reason to hide it: the cell shows what the environment runs, suspicious or not.
 * - `implicit-latest`: no tag and no digest, so the runtime pulls `:latest`, whatever that is today;
 * - `invalid-digest`: a digest that is not `sha256:` and 64 lower-case hex characters (or another
 *   registered algorithm's length), which no runtime pulls by;
 * - `placeholder`: a name a build tool fills in at deploy time, with the repository's evidence
 *   (a skaffold or Tilt artifact of that name, `ko://`, a token such as `PLACEHOLDER` or `${IMAGE}`);
 * - `invalid-reference`: text that is not an image reference at all.
 */
export type ImageLabelKind = "implicit-latest" | "invalid-digest" | "placeholder" | "invalid-reference";

export interface ImageLabel {
  kind: ImageLabelKind;
  /** A few words for a badge: "implicit latest, unpinned". */
  text: string;
  /** The sentence behind it, evidence included. */
  reason: string;
}

export interface ImageReference {
  /** Repository as written (registry and path, no tag/digest). */
  repository: string;
  /** Docker-normalised repository (`redis` → `docker.io/library/redis`); compare on this. */
  repositoryNormalised: string;
  tag: string | null;
  digest: string | null;
  /** Has a digest a runtime can pull by (a malformed one does not pin anything). */
  pinned: boolean;
  /** The whole reference exactly as written, as Kustomize renders it (`nginx`, `redis:7@sha256:…`). */
  written?: string;
  /** What a container runtime pulls: `nginx` → `docker.io/library/nginx:latest`. */
  pull?: string;
  /** What is suspicious about it, labelled (absent or empty: nothing). */
  labels?: ImageLabel[];
  /** Where the deciding value (digest, else tag, else name) is set. */
  source: SourcePos;
  /** Set in a shared base, not in the environment's own path. */
  inherited: boolean;
  setBy: ImageSetBy;
  /** Workloads and containers that run it (`Deployment/api:api`, or a Helm key path). */
  usedBy: string[];
  /** For Helm values: the key path of the mapping holding repository/tag (`image`, `redis`). */
  keyPath?: string;
  /** For Helm values: the full key paths read, and whether the values already carry a digest key. */
  helmKeys?: { repository?: string; tag?: string; digest?: string; image?: string; digestKeyPresent: boolean };
  /** Set when the rendered output disagreed and rendered truth replaced the static answer. */
  renderedOverride?: { static: string };
}

/** Something that should be an image but is not knowable from the repository. */
export interface UnresolvedImage {
  reference: string;
  reason: string;
  source?: SourcePos;
  /** What is known: a tag the values set for an image whose repository the chart decides. */
  tag?: string;
}

export interface RemoteRef {
  url: string;
  source: SourcePos;
}

/** A versioned thing an environment runs besides images: a chart, or a remote base pinned by ref. */
export interface Artifact {
  kind: "chart" | "remote-base";
  /** The chart's name, or the remote base's URL without its query. */
  name: string;
  /** The chart version (or constraint), or the ref; null when none is set. */
  version: string | null;
  /** One exact version (a chart version that is not a range; a commit SHA or version tag). */
  pinned: boolean;
  /** Where the version is set (what a promotion edits). */
  source: SourcePos;
  /** Where the chart comes from (a Helm repository URL or a Flux source). */
  from?: string;
  /** Why it is not pinned. */
  note?: string;
}

export interface RenderedComparison {
  status: "agree" | "disagree" | "skipped" | "failed";
  reason?: string;
  images: string[];
  /** Rendered image strings absent from static resolution, and static ones absent from rendering. */
  onlyRendered: string[];
  onlyStatic: string[];
}

export interface Cell {
  /** The environment's own path (overlay dir or values file). */
  path: string;
  /** Further paths folded into this cell (e.g. `init-db-staging` job overlays). */
  extraPaths?: string[];
  format: AppFormat;
  images: ImageReference[];
  unresolved: UnresolvedImage[];
  remote: RemoteRef[];
  /** Chart versions and remote-base refs, compared across environments like images. */
  artifacts?: Artifact[];
  /** Files that belong to the environment itself (edited by promotions). */
  ownFiles: string[];
  /** Files read from shared bases/components/charts. */
  sharedFiles: string[];
  warnings: ScanWarning[];
  rendered?: RenderedComparison;
  /**
   * An environment that fans out to targets (clusters, regions): one resolved cell per target,
   * by target name. The environment's own `images` are then every image any of its targets runs,
   * and its `path`/`ownFiles` are where the environment sets what all its targets run (its shared
   * base), never a file shared with another environment.
   */
  targets?: Record<string, TargetCell>;
}

/** One target of an environment that fans out: resolved like a cell, from the target's own path. */
export type TargetCell = Omit<Cell, "targets">;

export interface AppResult {
  name: string;
  format: AppFormat;
  environments: Record<string, Cell>;
}

/**
 * What the repository's ladder.yaml says about itself. An invalid file is never the same as a
 * missing one: policy fails closed on it (see lib/gitops/ladder-yaml-status.ts).
 */
export type LadderYamlStatus =
  | { state: "missing" }
  | { state: "valid"; file: string }
  | {
      state: "invalid";
      file: string;
      /** The commit whose ladder.yaml failed to validate. */
      commit: string;
      errors: ScanWarning[];
      /**
       * The layout shown instead: the newest earlier ladder.yaml that validated (its commit), or
       * null when Ladder detected the layout. It decides rows, columns and viewers, never policy.
       */
      layoutFrom: string | null;
    };

export interface LayoutReport {
  /** Where the rows and columns came from: a ladder.yaml (possibly an earlier valid one) or detection. */
  source: "ladder.yaml" | "detected";
  ladderYaml: LadderYamlStatus;
  /** Human-readable notes on what was inferred (layouts, names, ordering). */
  guessed: string[];
  ignored: { path: string; reason: string }[];
}

export interface ScanResult {
  commit: string;
  environments: string[];
  apps: AppResult[];
  warnings: ScanWarning[];
  layout: LayoutReport;
  stats: { files: number; yamlFiles: number; millis: number };
}
