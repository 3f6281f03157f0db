/**
 * Generated GitOps repositories for tests, the demo and benchmarks: Kustomize apps with a shared
 * base and one overlay per environment pinning an image digest.
 */
import { createHash } from "node:crypto";

export interface GeneratedRepoOptions {
  apps: number;
  environments: readonly string[];
  registry?: string;
}

/** A deterministic sha256 digest for (app, build). */
export function fakeDigest(app: string, build: number | string): string {
  return `sha256:${createHash("sha256").update(`${app}#${build}`).digest("hex")}`;
}

export function appName(index: number): string {
  return `app-${String(index).padStart(3, "0")}`;
}

export function overlayPath(app: string, environment: string): string {
  return `apps/${app}/overlays/${environment}/kustomization.yaml`;
}

export function overlayContent(app: string, environment: string, digest: string, registry = "ghcr.io/acme"): string {
  return [
    "apiVersion: kustomize.config.k8s.io/v1beta1",
    "kind: Kustomization",
    `# ${environment} overlay for ${app}`,
    "resources:",
    "  - ../../base",
    `namespace: ${app}-${environment}`,
    "images:",
    `  - name: ${registry}/${app}`,
    `    digest: ${digest}`,
    "",
  ].join("\n");
}

/** A shared base: a kustomization and one Deployment running `${registry}/${app}:latest`. */
export function baseFiles(app: string, registry = "ghcr.io/acme"): Record<string, string> {
  return {
    [`apps/${app}/base/kustomization.yaml`]: "resources:\n  - deployment.yaml\n",
    [`apps/${app}/base/deployment.yaml`]: [
      "apiVersion: apps/v1",
      "kind: Deployment",
      "metadata:",
      `  name: ${app}`,
      "spec:",
      "  template:",
      "    spec:",
      "      containers:",
      `        - name: ${app}`,
      `          image: ${registry}/${app}:latest`,
      "",
    ].join("\n"),
  };
}

export function generateGitOpsRepo(options: GeneratedRepoOptions): Record<string, string> {
  const registry = options.registry ?? "ghcr.io/acme";
  const files: Record<string, string> = {
    "ladder.yaml": `version: 1\nenvironments: [${options.environments.join(", ")}]\napps:\n  - path: apps/{app}/overlays/{env}\n`,
  };
  for (let i = 0; i < options.apps; i++) {
    const app = appName(i);
    Object.assign(files, baseFiles(app, registry));
    options.environments.forEach((env, rung) => {
      // Lower rungs run newer builds, as on a real ladder.
      files[overlayPath(app, env)] = overlayContent(app, env, fakeDigest(app, options.environments.length - rung), registry);
    });
  }
  return files;
}
