import type { ImageComposition } from "./chart-image-lines";
import type { HelmImageKeys } from "./helm-values";
import type { AppFormat, LayoutReport, ScanWarning, SourcePos } from "./types";

/** The environment a chart's plain values.yaml stands for when values-<env>.yaml files sit beside it. */
export const ENV_PLACEHOLDER_DEFAULT = "default";

/** Where one app × environment cell comes from, before any image is resolved. */
export interface CellPlan {
  env: string;
  format: AppFormat;
  /** Overlay directory, values file, or manifests directory. */
  path: string;
  /** Further overlays folded into the cell (variants such as `init-db-staging`). */
  extraPaths: string[];
  /** Directories whose files belong to the environment itself. */
  ownDirs: string[];
  helm?: {
    chartDir?: string;
    /** Values files in Helm precedence order (later wins). */
    valueFiles: string[];
    /** The environment's own values files (edited by promotions). */
    ownValueFiles: string[];
    keys?: HelmImageKeys[];
    /** The keys holding this app's tags, when one values file sets tags for several apps. */
    tagKeys?: string[];
    /**
     * The chart's image lines (helmfile layouts): images composed from values the way the chart's
     * templates write them (`{{ .Values.docker.registry }}/{{ .Values.main_app.image }}:…`).
     */
    compositions?: ImageComposition[];
    /** Every values layer in apply order, files outside the repository included (they may override). */
    layers?: (SourcePos & { path: string; outside: boolean })[];
  };
  manifests?: { files: string[] };
  /** Only part of what the path deploys belongs to this app. */
  select?: { origins?: string[]; workloads?: string[] };
  /** Set on a target's plan: the target (cluster, region) of `env` it deploys. */
  target?: string;
  /**
   * The environment fans out: one plan per target (its deployable leaf). `path` is then the
   * environment's shared directory, which sets what every target runs.
   */
  targets?: CellPlan[];
}

export interface AppPlan {
  name: string;
  format: AppFormat;
  cells: Map<string, CellPlan>;
}

export interface LayoutPlan {
  environments: string[];
  apps: AppPlan[];
  report: LayoutReport;
  warnings?: ScanWarning[];
}
