// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Flux substitutions are written ${VAR}, in plain strings
/**
 * Small repositories whose environments fan out to targets (clusters, regions), written for
 * Ladder's own tests: the two layouts real platform teams use, by nesting and by Flux wiring.
 */

const D = (c: string) => `sha256:${c.repeat(64)}`;
export const FAN_OUT_DIGESTS = { web1: D("1"), web2: D("2"), worker1: D("3") } as const;

/** A one-container Deployment. */
export function deployment(name: string, image: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  template:
    spec:
      containers:
        - name: ${name}
          image: ${image}
`;
}

const kustomization = (body: string) => `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n${body}`;

const replicasPatch = (name: string, n: number) => `patches:
  - target:
      kind: Deployment
      name: ${name}
    patch: |-
      - op: add
        path: /spec/replicas
        value: ${n}
`;

/**
 * A platform monorepo: `components/<app>/{base,development,staging/<cluster>,production/<cluster>}`,
 * where `staging/base` and `production/base` set the images for all their clusters and each
 * cluster directory only patches. `prod-us-2` of web runs a canary digest of its own.
 */
export function nestedTargetsTree(): Record<string, string> {
  const files: Record<string, string> = {};
  const { web1, web2, worker1 } = FAN_OUT_DIGESTS;
  for (const [app, digest] of [
    ["web", web1],
    ["worker", worker1],
  ] as const) {
    const c = `components/${app}`;
    files[`${c}/base/deployment.yaml`] = deployment(app, `ghcr.io/acme/${app}:1.0.0`);
    files[`${c}/base/kustomization.yaml`] = kustomization("resources:\n  - deployment.yaml\n");
    files[`${c}/development/kustomization.yaml`] = kustomization(
      `resources:\n  - ../base\nimages:\n  - name: ghcr.io/acme/${app}\n    newTag: 1.2.0\n`,
    );
    for (const [env, clusters] of [
      ["staging", ["stg-eu-1", "stg-us-1"]],
      ["production", ["prod-eu-1", "prod-us-2", "prod-ap-1"]],
    ] as const) {
      files[`${c}/${env}/base/kustomization.yaml`] = kustomization(
        `resources:\n  - ../../base\nimages:\n  - name: ghcr.io/acme/${app}\n    newTag: 1.1.0\n    digest: ${digest}\n`,
      );
      for (const cluster of clusters) {
        const canary = app === "web" && cluster === "prod-us-2";
        files[`${c}/${env}/${cluster}/kustomization.yaml`] = kustomization(
          `resources:\n  - ../base\n${replicasPatch(app, 3)}${
            canary ? `images:\n  - name: ghcr.io/acme/${app}\n    newTag: 1.2.0\n    digest: ${web2}\n` : ""
          }`,
        );
      }
    }
  }
  return files;
}

function fluxKustomization(name: string, p: string, substitute: Record<string, string>): string {
  const vars = Object.entries(substitute)
    .map(([k, v]) => `      ${k}: "${v}"`)
    .join("\n");
  return `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: ${name}
  namespace: flux-system
spec:
  interval: 10m
  path: ${p}
  sourceRef:
    kind: GitRepository
    name: flux-system
${vars ? `  postBuild:\n    substitute:\n${vars}\n` : ""}`;
}

/**
 * A Flux fleet: `clusters/<env>/<region>` roots substitute `ENVIRONMENT` and `CLUSTER`; the shop
 * namespace's Kustomization applies `apps/shop/${ENVIRONMENT}/${CLUSTER}`. Two apps (cart, checkout)
 * are defined in their own directories; the images are set once per environment in
 * `apps/shop/<env>/base`. `sandbox` has overlays but no cluster applies them.
 */
export function fluxTargetsTree(): Record<string, string> {
  const files: Record<string, string> = {};
  const envs = { staging: ["eu", "us"], production: ["eu", "us"], sandbox: ["eu"] } as const;
  files["apps/shop/flux.yaml"] = fluxKustomization("shop", "./apps/shop/${ENVIRONMENT}/${CLUSTER}", {
    NAMESPACE: "shop",
  });
  files["apps/shop/cart/cart.yaml"] = deployment("cart", "registry.acme.io/shop/cart:3.0.0");
  files["apps/shop/checkout/checkout.yaml"] = deployment("checkout", "registry.acme.io/shop/checkout:7.1.0");
  for (const [env, regions] of Object.entries(envs)) {
    const tag = env === "production" ? "3.0.0" : "3.1.0";
    files[`apps/shop/${env}/base/kustomization.yaml`] = kustomization(
      `resources:\n  - ../../cart/cart.yaml\n  - ../../checkout/checkout.yaml\nimages:\n  - name: registry.acme.io/shop/cart\n    newTag: ${tag}\n`,
    );
    for (const region of regions) {
      files[`apps/shop/${env}/${region}/kustomization.yaml`] = kustomization(
        `resources:\n  - ../base\n${replicasPatch("cart", region === "eu" ? 4 : 2)}`,
      );
      if (env === "sandbox") continue;
      files[`clusters/${env}/${region}/kustomization.yaml`] = kustomization("resources:\n  - ../../../apps/shop/flux.yaml\n");
      files[`clusters/${env}/${region}/flux-system.yaml`] = fluxKustomization("flux-system", `./clusters/${env}/${region}`, {
        ENVIRONMENT: env,
        CLUSTER: region,
      });
    }
  }
  return files;
}

/**
 * One tree per cluster: `clusters/<cluster>/overlays/<env>` over `environments/overlays/<env>`,
 * which sets each environment's tags for the apps defined under `apps/<app>/base`.
 */
export function clusterTreesTree(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const app of ["api", "web"]) {
    files[`apps/${app}/base/deployment.yaml`] = deployment(app, `ghcr.io/acme/${app}:1.0.0`);
    files[`apps/${app}/base/kustomization.yaml`] = kustomization("resources:\n  - deployment.yaml\n");
  }
  for (const [env, tag] of [
    ["staging", "1.3.0"],
    ["prod", "1.2.0"],
  ] as const) {
    files[`environments/overlays/${env}/kustomization.yaml`] = kustomization(
      `resources:\n  - ../../../apps/api/base\n  - ../../../apps/web/base\nimages:\n  - name: ghcr.io/acme/api\n    newTag: ${tag}\n  - name: ghcr.io/acme/web\n    newTag: ${tag}\n`,
    );
    for (const cluster of ["eu-west-1", "us-east-1"])
      files[`clusters/${cluster}/overlays/${env}/kustomization.yaml`] = kustomization(
        `resources:\n  - ../../../../environments/overlays/${env}\n${replicasPatch("api", cluster === "eu-west-1" ? 4 : 2)}`,
      );
  }
  return files;
}
