/** The layout ladder.yaml declares: its apps, environments and targets matched against the tree. */
import path from "node:path";
import { RE2JS } from "re2js";
import type { FileStore } from "./file-store";
import { environmentNames, environmentTargets, type LadderConfig } from "./ladder-config";
import type { AppPlan, CellPlan, LayoutPlan } from "./layout-plan";
import type { ScanWarning } from "./types";

function substitute(pattern: string, app: string, env: string, target?: string): string {
  const out = pattern.replaceAll("{app}", app).replaceAll("{env}", env);
  return target === undefined ? out : out.replaceAll("{target}", target);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Builds the layout from ladder.yaml: explicit paths or `{app}`/`{env}`/`{target}` patterns matched
 * against the tree. An environment with `targets` gets one leaf per target from a `{target}`
 * path, under the environment's own `envPath`.
 */
export function planFromConfig(store: FileStore, config: LadderConfig, configFile: string): LayoutPlan {
  const envs = environmentNames(config);
  const targetsOf = environmentTargets(config);
  const warnings: ScanWarning[] = [];
  const apps: AppPlan[] = [];
  const exists = (format: string, p: string) =>
    format === "helm"
      ? store.isFile(p)
      : format === "manifests"
        ? store.isDir(p) || store.isFile(p)
        : store.kustomizationIn(p) !== undefined;
  const allTargets = [...new Set([...targetsOf.values()].flat())];
  config.apps.forEach((a) => {
    let names: string[];
    if (a.name) names = [a.name];
    else {
      const pattern = a.path ?? "";
      // RE2 (linear time): several `{app}` in one pattern would backtrack exponentially in RegExp.
      const re = RE2JS.compile(
        `^${escapeRe(pattern)
          .replaceAll("\\{app\\}", "([^/]+)")
          .replaceAll("\\{env\\}", `(?:${envs.map(escapeRe).join("|")})`)
          .replaceAll("\\{target\\}", `(?:${allTargets.map(escapeRe).join("|") || "[^/]+"})`)}$`,
      );
      const appOf = (p: string): string | undefined => {
        const m = re.matcher(p);
        return m.matches() ? (m.group(1) ?? undefined) : undefined;
      };
      const pool = a.format === "helm" ? [...store.files.keys()] : [...store.dirs];
      names = [...new Set(pool.map(appOf).filter((x): x is string => x !== undefined))].sort();
    }
    for (const name of names) {
      const cells = new Map<string, CellPlan>();
      const planAt = (env: string, p: string, envFile?: string): CellPlan => {
        const cell: CellPlan = { env, format: a.format, path: p, extraPaths: [], ownDirs: a.format === "helm" ? [] : [p] };
        if (a.format === "helm") {
          const chartDir = a.helm?.chart ? substitute(a.helm.chart, name, env) : undefined;
          const chartValues = chartDir && store.isFile(`${chartDir}/values.yaml`) ? [`${chartDir}/values.yaml`] : [];
          const extra = (a.helm?.valueFiles ?? []).map((f) => substitute(f, name, env)).filter((f) => f !== p);
          const envValues = envFile && envFile !== p && store.isFile(envFile) ? [envFile] : [];
          cell.helm = {
            chartDir,
            valueFiles: [...chartValues, ...extra, ...envValues, p],
            ownValueFiles: [p],
            keys: a.helm?.images,
          };
        }
        return cell;
      };
      for (const env of a.environments ?? envs) {
        const explicit = a.paths?.[env];
        const pattern = explicit ?? a.path;
        if (pattern === undefined) continue;
        const targets = targetsOf.get(env);
        if (targets && pattern.includes("{target}")) {
          const envPath = a.envPath ? substitute(a.envPath, name, env) : undefined;
          const leaves = targets
            .map((t) => ({ t, p: substitute(pattern, name, env, t) }))
            .filter(({ t, p }) => {
              if (exists(a.format, p)) return true;
              if (explicit !== undefined)
                warnings.push({
                  file: configFile,
                  line: 1,
                  message: `app ${name}, environment ${env}, target ${t}: path ${p} not found`,
                  code: "ladder-config",
                });
              return false;
            })
            .map(({ t, p }) => ({ ...planAt(env, p, envPath), target: t }));
          if (leaves.length === 0) continue;
          const own = envPath !== undefined && exists(a.format, envPath) ? envPath : undefined;
          const envPlan = planAt(env, own ?? path.posix.dirname(leaves[0]?.path ?? ""));
          if (!own) {
            envPlan.ownDirs = [];
            if (envPlan.helm) envPlan.helm.ownValueFiles = [];
          }
          cells.set(env, { ...envPlan, targets: leaves });
          continue;
        }
        const p = substitute(pattern, name, env);
        if (!exists(a.format, p)) {
          if (explicit !== undefined)
            warnings.push({
              file: configFile,
              line: 1,
              message: `app ${name}, environment ${env}: path ${p} not found`,
              code: "ladder-config",
            });
          continue;
        }
        cells.set(env, planAt(env, p));
      }
      if (cells.size > 0) apps.push({ name, format: a.format, cells });
    }
  });
  return {
    environments: envs,
    apps,
    report: { source: "ladder.yaml", ladderYaml: { state: "valid", file: configFile }, guessed: [], ignored: [] },
    warnings,
  };
}
