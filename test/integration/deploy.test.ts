/**
 * `deploy/` is how Ladder deploys itself, and it must pass Ladder's own checks: every overlay renders
 * with `kubectl kustomize`, the rendered Deployment is pinned, non-root and configured from a
 * ConfigMap and a Secret, and Ladder's scanner reads `deploy/` as a GitOps repository whose
 * environments differ only where its ladder.yaml allows.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { diffEnvironments, environmentPolicies, parseLadderConfig, scanRepository } from "@/lib/gitops";
import { semanticDiff } from "@/lib/gitops/overlay-diff";
import { planDigestEdit } from "@/lib/gitops/plan-edit";
import type { Json } from "@/lib/gitops/yaml-source";
import { openLocalRepo } from "@/lib/snapshot/local-reader";
import type { RepoSnapshot } from "@/lib/snapshot/types";
import { hasKubectl } from "../support/kubectl";

const DEPLOY = fileURLToPath(new URL("../../deploy", import.meta.url));
const ENVS = ["staging", "prod"] as const;
const IMAGE = "registry.example.com/ladder/ladder";
const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj {
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw new Error(`expected a mapping, got ${JSON.stringify(v)}`);
  return v as Obj;
}

function list(v: unknown): unknown[] {
  if (!Array.isArray(v)) throw new Error(`expected a list, got ${JSON.stringify(v)}`);
  return v;
}

function render(env: string): Obj[] {
  const text = execFileSync("kubectl", ["kustomize", `${DEPLOY}/overlays/${env}`], { encoding: "utf8", timeout: 30_000 });
  return parseAllDocuments(text).map((d) => obj(d.toJS()));
}

function find(objects: Obj[], kind: string): Obj[] {
  return objects.filter((o) => o.kind === kind);
}

function only(objects: Obj[], kind: string): Obj {
  const found = find(objects, kind);
  expect(found, `exactly one ${kind}`).toHaveLength(1);
  return obj(found[0]);
}

function podSpec(deployment: Obj): Obj {
  return obj(obj(obj(deployment.spec).template).spec);
}

function container(deployment: Obj): Obj {
  const containers = list(podSpec(deployment).containers).map(obj);
  const c = containers.find((x) => x.name === "ladder");
  if (!c) throw new Error("no container named ladder");
  return c;
}

const SECRET_NAME = /KEY|SECRET|TOKEN|PASSWORD|DATABASE_URL/;

describe.skipIf(!hasKubectl)("deploy/ renders with kubectl kustomize", () => {
  const rendered = new Map<string, Obj[]>();
  beforeAll(() => {
    for (const env of ENVS) rendered.set(env, render(env));
  });
  const objects = (env: string) => rendered.get(env) ?? [];

  describe.each(ENVS)("overlays/%s", (env) => {
    it("renders a Deployment, Service, Ingress and ConfigMap in its own namespace, and no Secret", () => {
      const kinds = objects(env)
        .map((o) => String(o.kind))
        .sort();
      expect(kinds).toEqual(["ConfigMap", "Deployment", "Ingress", "Service"]);
      for (const o of objects(env)) expect(obj(o.metadata).namespace).toBe(`ladder-${env}`);
    });

    it("pins the image by digest, with no tag", () => {
      const image = String(container(only(objects(env), "Deployment")).image);
      const [name, digest] = image.split("@");
      expect(name).toBe(IMAGE);
      expect(digest).toMatch(DIGEST_RE);
    });

    it("runs as a non-root user with a read-only root filesystem and no privileges", () => {
      const deployment = only(objects(env), "Deployment");
      const pod = podSpec(deployment);
      const podSc = obj(pod.securityContext);
      expect(podSc.runAsNonRoot).toBe(true);
      expect(podSc.runAsUser).toBe(10001);
      expect(obj(podSc.seccompProfile).type).toBe("RuntimeDefault");
      expect(pod.automountServiceAccountToken).toBe(false);
      const sc = obj(container(deployment).securityContext);
      expect(sc.allowPrivilegeEscalation).toBe(false);
      expect(sc.readOnlyRootFilesystem).toBe(true);
      expect(obj(sc.capabilities).drop).toEqual(["ALL"]);
      // The writable paths a read-only root needs are emptyDirs, not the image.
      const mounts = list(container(deployment).volumeMounts).map(obj);
      const volumes = new Map(list(pod.volumes).map((v) => [obj(v).name, obj(v)]));
      expect(mounts.map((m) => m.mountPath).sort()).toEqual(["/app/.next/cache", "/tmp"]);
      for (const m of mounts) expect(volumes.get(m.name)?.emptyDir).toBeDefined();
    });

    it("probes /api/health on the port the ConfigMap tells the server to listen on", () => {
      const c = container(only(objects(env), "Deployment"));
      const ports = list(c.ports).map(obj);
      const http = ports.find((p) => p.name === "http");
      const data = obj(only(objects(env), "ConfigMap").data);
      expect(String(http?.containerPort)).toBe(data.PORT);
      expect(data.HOST).toBe("0.0.0.0");
      for (const probe of ["startupProbe", "readinessProbe", "livenessProbe"]) {
        const get = obj(obj(c[probe]).httpGet);
        expect(get.path, probe).toBe("/api/health");
        expect(get.port, probe).toBe("http");
      }
    });

    it("takes settings from the generated ConfigMap and secrets from a Secret it only references", () => {
      const configMap = only(objects(env), "ConfigMap");
      const data = obj(configMap.data);
      for (const key of ["LADDER_REPOSITORY", "LADDER_BRANCH", "GITHUB_API_URL", "PORT", "HOST", "LADDER_PUBLIC_URL"]) {
        expect(data[key], key).toEqual(expect.any(String));
      }
      for (const key of Object.keys(data)) expect(key).not.toMatch(SECRET_NAME);
      const c = container(only(objects(env), "Deployment"));
      const envFrom = list(c.envFrom).map(obj);
      // The hashed name kustomize generated is the one the Deployment reads.
      expect(envFrom.map((e) => e.configMapRef && obj(e.configMapRef).name).filter(Boolean)).toEqual([
        obj(configMap.metadata).name,
      ]);
      expect(envFrom.map((e) => e.secretRef && obj(e.secretRef).name).filter(Boolean)).toEqual(["ladder-secrets"]);
      const vars = list(c.env).map(obj);
      const databaseUrl = vars.find((v) => v.name === "DATABASE_URL");
      expect(obj(obj(databaseUrl?.valueFrom).secretKeyRef)).toEqual({ name: "ladder-secrets", key: "DATABASE_URL" });
      // No value is baked into the manifest for anything secret-looking.
      for (const v of vars) if (SECRET_NAME.test(String(v.name))) expect(v.value, String(v.name)).toBeUndefined();
    });

    it("sets resources, and the Service and Ingress reach the pods", () => {
      const deployment = only(objects(env), "Deployment");
      const resources = obj(container(deployment).resources);
      expect(obj(resources.requests).cpu).toEqual(expect.any(String));
      expect(obj(resources.requests).memory).toEqual(expect.any(String));
      expect(obj(resources.limits).memory).toEqual(expect.any(String));
      const podLabels = obj(obj(obj(obj(deployment.spec).template).metadata).labels);
      const service = only(objects(env), "Service");
      expect(obj(service.spec).selector).toEqual(podLabels);
      expect(list(obj(service.spec).ports).map((p) => obj(p).targetPort)).toEqual(["http"]);
      const rule = obj(list(obj(only(objects(env), "Ingress").spec).rules)[0]);
      const backend = obj(obj(obj(list(obj(rule.http).paths)[0]).backend).service);
      expect(backend.name).toBe(obj(service.metadata).name);
    });
  });

  it("the rendered environments differ only in image, replicas, resources and host", () => {
    // Identity differences (namespace, the ConfigMap's content hash) are set aside first.
    const normalise = (env: string): Map<string, Json> => {
      const out = new Map<string, Json>();
      for (const o of objects(env)) {
        const text = JSON.stringify(o)
          .replaceAll(/ladder-config-[a-z0-9]{10}/g, "ladder-config")
          .replaceAll(`ladder-${env}`, "NS");
        const normalised = obj(JSON.parse(text));
        out.set(`${normalised.kind}/${obj(normalised.metadata).name}`, normalised as Json);
      }
      return out;
    };
    const a = normalise("staging");
    const b = normalise("prod");
    expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
    const changes = [...a.keys()].flatMap((key) => semanticDiff(a.get(key), b.get(key)).map((d) => `${key} ${d.keyPath}`));
    expect(changes.sort()).toEqual(
      [
        "ConfigMap/ladder-config data.LADDER_PUBLIC_URL",
        "Deployment/ladder spec.replicas",
        "Deployment/ladder spec.template.spec.containers[ladder].image",
        "Deployment/ladder spec.template.spec.containers[ladder].resources.limits.memory",
        "Deployment/ladder spec.template.spec.containers[ladder].resources.requests.cpu",
        "Deployment/ladder spec.template.spec.containers[ladder].resources.requests.memory",
        "Ingress/ladder spec.rules[0].host",
        "Ingress/ladder spec.tls[0].hosts",
      ].sort(),
    );
  });
});

describe("Ladder scans deploy/ as a GitOps repository", () => {
  let snapshot: RepoSnapshot;
  beforeAll(async () => {
    // The working tree, so the test reads what is on disk whether or not it is committed yet.
    snapshot = await (await openLocalRepo(DEPLOY, { worktree: true })).snapshot();
  });

  it("ladder.yaml is valid: staging then prod, prod fed by staging, drift limited to replicas, resources and host", () => {
    const parsed = parseLadderConfig(readFileSync(`${DEPLOY}/ladder.yaml`, "utf8"));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    expect(parsed.warnings).toEqual([]);
    const prod = environmentPolicies(parsed.config).find((p) => p.name === "prod");
    expect(prod?.from).toBe("staging");
    expect(prod?.allowedDrift).toEqual(["replicas", "resources", "spec.rules.*.host", "spec.tls.*.hosts"]);
  });

  it("finds app ladder in staging and prod, each pinned by digest in its own overlay, without warnings", async () => {
    const scan = await scanRepository(snapshot);
    expect(scan.layout.source).toBe("ladder.yaml");
    expect(scan.environments).toEqual(["staging", "prod"]);
    expect(scan.apps.map((a) => a.name)).toEqual(["ladder"]);
    expect(scan.warnings).toEqual([]);
    for (const env of ENVS) {
      const cell = scan.apps[0]?.environments[env];
      expect(cell?.path).toBe(`overlays/${env}`);
      expect(cell?.images).toHaveLength(1);
      const image = cell?.images[0];
      expect(image).toMatchObject({
        repository: IMAGE,
        tag: null,
        pinned: true,
        inherited: false,
        setBy: "images-transformer",
        usedBy: ["Deployment/ladder:ladder"],
      });
      expect(image?.digest).toMatch(DIGEST_RE);
      expect(image?.source.file).toBe(`overlays/${env}/kustomization.yaml`);
      expect(cell?.unresolved).toEqual([]);
      expect(cell?.remote).toEqual([]);
    }
  });

  it.skipIf(!hasKubectl)("static resolution agrees with the rendered overlays", async () => {
    const scan = await scanRepository(snapshot, { render: true });
    for (const env of ENVS) expect(scan.apps[0]?.environments[env]?.rendered?.status, env).toBe("agree");
    expect(scan.warnings).toEqual([]);
  });

  it("staging → prod shows only expected differences: no drift", async () => {
    const scan = await scanRepository(snapshot);
    const diff = await diffEnvironments(snapshot, scan, "ladder", "staging", "prod");
    expect(diff.driftCount).toBe(0);
    expect(diff.semantic.filter((s) => s.classification === "drift")).toEqual([]);
    expect(diff.semantic.map((s) => `${s.resource} ${s.keyPath}`).sort()).toEqual(
      [
        "Deployment/ladder spec.replicas",
        "Deployment/ladder spec.template.spec.containers[ladder].image",
        "Deployment/ladder spec.template.spec.containers[ladder].resources.limits.memory",
        "Deployment/ladder spec.template.spec.containers[ladder].resources.requests.cpu",
        "Deployment/ladder spec.template.spec.containers[ladder].resources.requests.memory",
        "Ingress/ladder spec.rules[0].host",
        "Ingress/ladder spec.tls[0].hosts",
      ].sort(),
    );
    // Both overlays are thin: most of what they run is the shared base.
    for (const env of ENVS) expect(diff.thinness[env]?.ratio).toBeLessThan(0.35);
  });

  it("promoting staging's digest to prod is a one-line edit of prod's own kustomization", async () => {
    const scan = await scanRepository(snapshot);
    const staging = scan.apps[0]?.environments.staging?.images[0];
    if (!staging?.digest) throw new Error("staging has no digest");
    const plan = await planDigestEdit(snapshot, scan, { app: "ladder", env: "prod", image: IMAGE, digest: staging.digest });
    expect(plan.path).toBe("overlays/prod/kustomization.yaml");
    expect(plan.minimal).toBe(true);
    const changed = plan.unifiedDiff.split("\n").filter((l) => /^[-+](?![-+])/.test(l));
    expect(changed).toEqual([
      `-    digest: ${scan.apps[0]?.environments.prod?.images[0]?.digest}`,
      `+    digest: ${staging.digest}`,
    ]);
  });
});
