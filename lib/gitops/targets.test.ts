// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Flux substitutions are written ${VAR}, in plain strings
import { describe, expect, it } from "vitest";
import { fluxSubstitute } from "./flux-wiring";
import { memorySnapshot } from "./memory-snapshot";
import { scanRepository } from "./scan";
import { clusterTreesTree, FAN_OUT_DIGESTS, fluxTargetsTree, nestedTargetsTree } from "./test-support/fan-out-trees";
import type { ScanResult } from "./types";

const { web1, web2, worker1 } = FAN_OUT_DIGESTS;

function targetImages(scan: ScanResult, app: string, env: string): Record<string, string[]> {
  const cell = scan.apps.find((a) => a.name === app)?.environments[env];
  return Object.fromEntries(
    Object.entries(cell?.targets ?? {}).map(([t, c]) => [t, c.images.map((i) => `${i.tag}@${i.digest ?? ""}`)]),
  );
}

describe("environments that fan out to targets: nesting", () => {
  it("reads <app>/<env>/<cluster> leaves over <env>/base as targets, never as apps", async () => {
    const s = await scanRepository(memorySnapshot(nestedTargetsTree()));
    expect(s.apps.map((a) => a.name).sort()).toEqual(["web", "worker"]);
    expect(s.environments).toEqual(["development", "staging", "production"]);
    const web = s.apps.find((a) => a.name === "web");
    expect(web?.environments.development?.targets).toBeUndefined();
    expect(Object.keys(web?.environments.production?.targets ?? {})).toEqual(["prod-ap-1", "prod-eu-1", "prod-us-2"]);
    expect(targetImages(s, "web", "production")).toEqual({
      "prod-ap-1": [`1.1.0@${web1}`],
      "prod-eu-1": [`1.1.0@${web1}`],
      "prod-us-2": [`1.2.0@${web2}`],
    });
    expect(targetImages(s, "worker", "staging")).toEqual({ "stg-eu-1": [`1.1.0@${worker1}`], "stg-us-1": [`1.1.0@${worker1}`] });
    expect(s.layout.guessed.join("\n")).toMatch(/components\/web\/<env>\/<target>: targets over each environment's base/);
  });

  it("makes the environment's shared base its own path, and lists every image any target runs", async () => {
    const s = await scanRepository(memorySnapshot(nestedTargetsTree()));
    const prod = s.apps.find((a) => a.name === "web")?.environments.production;
    expect(prod?.path).toBe("components/web/production/base");
    expect(prod?.ownFiles).toEqual(["components/web/production/base/kustomization.yaml"]);
    expect(prod?.images.map((i) => i.digest).sort()).toEqual([web1, web2].sort());
    // Set in the environment's shared base: the environment's own, not inherited.
    const shared = prod?.targets?.["prod-eu-1"]?.images[0];
    expect(shared).toMatchObject({ inherited: false, source: { file: "components/web/production/base/kustomization.yaml" } });
    // The canary's pin is the target's own file.
    expect(prod?.targets?.["prod-us-2"]?.images[0]?.source.file).toBe("components/web/production/prod-us-2/kustomization.yaml");
  });

  it("does not read env-first app overlays (which add workloads of their own) as targets", async () => {
    const tree = nestedTargetsTree();
    tree["components/web/production/extra/deployment.yaml"] = tree["components/web/base/deployment.yaml"]?.replaceAll(
      "name: web",
      "name: web-extra",
    ) as string;
    tree["components/web/production/extra/kustomization.yaml"] = "resources:\n  - ../base\n  - deployment.yaml\n";
    const s = await scanRepository(memorySnapshot(tree));
    expect(Object.keys(s.apps.find((a) => a.name === "web")?.environments.production?.targets ?? {})).not.toContain("extra");
  });
});

describe("environments that fan out to targets: one tree per cluster", () => {
  it("reads clusters/<cluster>/overlays/<env> as targets of <env>, rows named after the apps", async () => {
    const s = await scanRepository(memorySnapshot(clusterTreesTree()));
    expect(s.apps.map((a) => a.name).sort()).toEqual(["api", "web"]);
    expect(s.environments).toEqual(["staging", "prod"]);
    expect(targetImages(s, "web", "prod")).toEqual({ "eu-west-1": ["1.2.0@"], "us-east-1": ["1.2.0@"] });
    expect(targetImages(s, "api", "staging")).toEqual({ "eu-west-1": ["1.3.0@"], "us-east-1": ["1.3.0@"] });
    const prod = s.apps.find((a) => a.name === "api")?.environments.prod;
    expect(prod?.path).toBe("environments/overlays/prod");
    expect(prod?.ownFiles).toEqual(["environments/overlays/prod/kustomization.yaml"]);
    expect(s.layout.guessed.join("\n")).toMatch(/clusters\/<target>\/…\/<env>: one tree per target/);
  });
});

describe("environments that fan out to targets: Flux wiring", () => {
  it("follows Flux Kustomizations and their ${ENVIRONMENT}/${CLUSTER} substitutions", async () => {
    const s = await scanRepository(memorySnapshot(fluxTargetsTree()));
    expect(s.apps.map((a) => a.name).sort()).toEqual(["cart", "checkout"]);
    expect(s.environments).toEqual(["staging", "production"]);
    expect(targetImages(s, "cart", "staging")).toEqual({ eu: ["3.1.0@"], us: ["3.1.0@"] });
    expect(targetImages(s, "cart", "production")).toEqual({ eu: ["3.0.0@"], us: ["3.0.0@"] });
    expect(targetImages(s, "checkout", "production")).toEqual({ eu: ["7.1.0@"], us: ["7.1.0@"] });
    expect(s.apps.find((a) => a.name === "cart")?.environments.production?.path).toBe("apps/shop/production/base");
    expect(s.layout.guessed.join("\n")).toMatch(/from Flux Kustomizations \(.*production\/eu/);
  });

  it("reports overlays no cluster applies as ignored, not as an environment", async () => {
    const s = await scanRepository(memorySnapshot(fluxTargetsTree()));
    expect(s.environments).not.toContain("sandbox");
    expect(s.layout.ignored).toContainEqual({
      path: "apps/shop/sandbox/eu",
      reason: "no Flux Kustomization applies this directory, so no cluster runs it",
    });
  });

  it("warns, naming the path, about a target whose environment nothing names, and does not guess one", async () => {
    const flux = (name: string, p: string, vars: string) =>
      `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: ${name}\nspec:\n  path: ${p}\n${vars}`;
    const s = await scanRepository(
      memorySnapshot({
        "clusters/edge/flux-system.yaml": flux(
          "flux-system",
          "./clusters/edge",
          '  postBuild:\n    substitute:\n      CLUSTER: "edge-1"\n',
        ),
        "clusters/edge/kustomization.yaml": "resources:\n  - ../../apps/shop/flux.yaml\n",
        "apps/shop/flux.yaml": flux("shop", "./apps/shop/${CLUSTER}", ""),
        "apps/shop/edge-1/kustomization.yaml": "resources:\n  - deployment.yaml\n",
        "apps/shop/edge-1/deployment.yaml":
          "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: cart\nspec:\n  template:\n    spec:\n      containers:\n        - name: cart\n          image: registry.acme.io/shop/cart:3.0.0\n",
      }),
    );
    expect(s.warnings).toContainEqual({
      code: "target-without-environment",
      file: "apps/shop/flux.yaml",
      line: 1,
      message:
        "apps/shop/edge-1: Flux applies it for target 'edge-1' but no variable names its environment (ENVIRONMENT, ENV, STAGE…); not placed in the matrix — declare it in ladder.yaml (environments[].targets)",
    });
    // Not guessed into a row or a column.
    expect(s.apps.map((a) => a.name)).not.toContain("cart");
    expect(s.environments).not.toContain("edge-1");
  });

  it("substitutes like Flux's envsubst, defaults included, and refuses a path with a variable it lacks", () => {
    expect(fluxSubstitute("./apps/${ENV}/${CLUSTER}", { ENV: "prod", CLUSTER: "eu" })).toBe("./apps/prod/eu");
    expect(fluxSubstitute("${REGION:=eu-west-1}", {})).toBe("eu-west-1");
    expect(fluxSubstitute("${REGION:-eu-west-1}", { REGION: "us" })).toBe("us");
    expect(fluxSubstitute("./apps/${ENV}", {})).toBeUndefined();
  });
});

describe("environments that fan out to targets: declared in ladder.yaml", () => {
  const ladderYaml = `environments:
  - development
  - name: staging
    targets: [stg-eu-1, stg-us-1]
  - name: production
    targets: [prod-eu-1, prod-us-2, prod-ap-1]
apps:
  - path: components/{app}/{env}/{target}
    envPath: components/{app}/{env}/base
    paths:
      development: components/{app}/development
`;

  it("reads {target} leaves under the environment's envPath, in the declared target order", async () => {
    const s = await scanRepository(memorySnapshot({ ...nestedTargetsTree(), "ladder.yaml": ladderYaml }));
    expect(s.layout.source).toBe("ladder.yaml");
    expect(s.apps.map((a) => a.name)).toEqual(["web", "worker"]);
    const prod = s.apps.find((a) => a.name === "web")?.environments.production;
    expect(prod?.path).toBe("components/web/production/base");
    expect(prod?.ownFiles).toEqual(["components/web/production/base/kustomization.yaml"]);
    expect(Object.keys(prod?.targets ?? {})).toEqual(["prod-eu-1", "prod-us-2", "prod-ap-1"]);
    expect(targetImages(s, "web", "production")).toEqual({
      "prod-ap-1": [`1.1.0@${web1}`],
      "prod-eu-1": [`1.1.0@${web1}`],
      "prod-us-2": [`1.2.0@${web2}`],
    });
    expect(s.apps.find((a) => a.name === "web")?.environments.development?.images.map((i) => i.tag)).toEqual(["1.2.0"]);
  });

  it("warns, naming app, environment and target, when a declared target's explicit path is missing", async () => {
    const yaml = ladderYaml.replace(
      "development: components/{app}/development",
      "development: components/{app}/development\n      staging: components/{app}/staging/{target}",
    );
    const tree = nestedTargetsTree();
    delete tree["components/worker/staging/stg-us-1/kustomization.yaml"];
    const s = await scanRepository(memorySnapshot({ ...tree, "ladder.yaml": yaml }));
    expect(s.warnings.map((w) => w.message)).toContain(
      "app worker, environment staging, target stg-us-1: path components/worker/staging/stg-us-1 not found",
    );
    expect(Object.keys(s.apps.find((a) => a.name === "worker")?.environments.staging?.targets ?? {})).toEqual(["stg-eu-1"]);
  });
});

describe("addressing a target: env/target", () => {
  it("compares two targets of one environment, and a target with another environment", async () => {
    const { diffEnvironments } = await import("./overlay-diff");
    const snap = memorySnapshot(nestedTargetsTree());
    const s = await scanRepository(snap);
    const canary = await diffEnvironments(snap, s, "web", "production/prod-eu-1", "production/prod-us-2");
    expect(canary.images.map((p) => [p.from?.digest, p.to?.digest])).toEqual([[web1, web2]]);
    expect(canary.files.map((f) => f.status)).toEqual(["changed"]);
    const across = await diffEnvironments(snap, s, "web", "staging/stg-eu-1", "production/prod-eu-1");
    expect(across.images.map((p) => [p.from?.digest, p.to?.digest])).toEqual([[web1, web1]]);
    await expect(diffEnvironments(snap, s, "web", "production/nowhere", "production/prod-eu-1")).rejects.toThrow(
      /not deployed in both/,
    );
  });
});
