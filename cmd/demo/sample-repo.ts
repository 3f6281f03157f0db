/**
 * The demo's GitOps repository, as a history of commits rather than a final
 * tree, so timelines and "running since" evidence mean something. Four apps on
 * dev → staging → prod, each showing one situation a newcomer should see:
 *
 * - api (Kustomize): build 3 runs in dev and staging; prod still runs build 2 —
 *   a promotion waiting.
 * - web (Kustomize): same digest everywhere, but prod's overlay sets an extra
 *   environment variable the policy does not allow — drift.
 * - worker (Kustomize): dev runs a release-candidate tag with no digest — tag only.
 * - payments (Helm values per environment): dev is one build ahead of staging.
 * - gateway (Kustomize, environments that fan out): staging runs on two clusters, prod on three,
 *   each environment's images set once in its own base; prod's us-east-1 runs a canary of the
 *   next build, pinned in that cluster's own overlay.
 */
import { DEMO_KEY_NAME, DEMO_KEY_VARIABLE, sampleImageDigest } from "./sample-images";

export interface SampleCommit {
  message: string;
  author: { name: string; email: string };
  date: Date;
  /** Files to write; null deletes. */
  files: Record<string, string | null>;
}

export const SAMPLE_ENVIRONMENTS = ["dev", "staging", "prod"] as const;
const REGISTRY = "ghcr.io/acme";

/**
 * The digest of one build of an app: that of the demo registry's image of it (sample-images.ts),
 * the same on every machine, so registry evidence finds what the repository pins.
 */
export function sampleDigest(app: string, build: number): string {
  return sampleImageDigest(app, build);
}

const people = {
  ci: { name: "acme-ci", email: "ci@acme.example" },
  alice: { name: "Alice Martin", email: "alice@acme.example" },
  bob: { name: "Bob Chen", email: "bob@acme.example" },
  carol: { name: "Carol Diaz", email: "carol@acme.example" },
};

const ladderYamlTemplate = `# Ladder configuration: environments in promotion order, where each app's
# environment paths are, and what each environment allows.
version: 1
environments:
  - dev
  - name: staging
    from: dev
    targets: [eu-west-1, us-east-1]
__SIGNATURE__
    allowedDrift: [replicas, replicaCount, resources, "spec.replicas", "spec.template.spec.containers.*.resources"]
  - name: prod
    from: staging
    soak: 10m
    targets: [eu-west-1, us-east-1, ap-south-1]
    allowedDrift: [replicas, replicaCount, resources, "spec.replicas", "spec.template.spec.containers.*.resources"]
apps:
  - path: apps/{app}/overlays/{env}
    format: kustomize
  - name: payments
    format: helm
    path: charts/payments/values-{env}.yaml
    helm:
      chart: charts/payments
  # One overlay per cluster over each environment's own base.
  - name: gateway
    path: apps/gateway/{env}/{target}
    envPath: apps/gateway/{env}/base
    paths:
      dev: apps/gateway/dev
# The key CI signs images with; the demo passes its public half in ${DEMO_KEY_VARIABLE}.
signing:
  keys:
    - name: ${DEMO_KEY_NAME}
      publicKeyEnv: ${DEMO_KEY_VARIABLE}
`;

function kustomizeBase(app: string, port: number): Record<string, string> {
  return {
    [`apps/${app}/base/kustomization.yaml`]: `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - deployment.yaml
  - service.yaml
labels:
  - pairs:
      app.kubernetes.io/name: ${app}
    includeSelectors: true
`,
    [`apps/${app}/base/deployment.yaml`]: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${app}
spec:
  replicas: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: ${app}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: ${app}
    spec:
      containers:
        - name: ${app}
          image: ${REGISTRY}/${app}:latest
          ports:
            - containerPort: ${port}
          env:
            - name: LOG_LEVEL
              value: info
          resources:
            requests:
              cpu: 50m
              memory: 64Mi
`,
    [`apps/${app}/base/service.yaml`]: `apiVersion: v1
kind: Service
metadata:
  name: ${app}
spec:
  ports:
    - port: 80
      targetPort: ${port}
`,
  };
}

interface OverlayOptions {
  app: string;
  env: string;
  tag: string;
  digest?: string;
  replicas?: number;
  extra?: string;
}

function overlay({ app, env, tag, digest, replicas, extra }: OverlayOptions): string {
  const lines = [
    "apiVersion: kustomize.config.k8s.io/v1beta1",
    "kind: Kustomization",
    `namespace: ${app}-${env}`,
    "resources:",
    "  - ../../base",
    "images:",
    `  - name: ${REGISTRY}/${app}`,
    `    newTag: "${tag}"`,
  ];
  if (digest) lines.push(`    digest: ${digest}`);
  if (replicas !== undefined) {
    lines.push("replicas:", `  - name: ${app}`, `    count: ${replicas}`);
  }
  if (extra) lines.push(extra);
  return `${lines.join("\n")}\n`;
}

const replicasFor: Record<string, number | undefined> = { dev: undefined, staging: 2, prod: 3 };

export const GATEWAY_TARGETS: Record<string, readonly string[]> = {
  staging: ["eu-west-1", "us-east-1"],
  prod: ["eu-west-1", "us-east-1", "ap-south-1"],
};

function imagesEntry(app: string, build: number): string {
  return `images:\n  - name: ${REGISTRY}/${app}\n    newTag: "1.${build}.0"\n    digest: ${sampleDigest(app, build)}\n`;
}

/** gateway's dev overlay, or an environment's shared base (what all its clusters run). */
function gatewayEnv(env: string, build: number): Record<string, string> {
  const dir = env === "dev" ? "apps/gateway/dev" : `apps/gateway/${env}/base`;
  const base = env === "dev" ? "../base" : "../../base";
  return {
    [`${dir}/kustomization.yaml`]: `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: gateway-${env}\nresources:\n  - ${base}\n${imagesEntry("gateway", build)}`,
  };
}

/** One cluster of an environment: its replica count, and a canary build when it runs one. */
function gatewayCluster(env: string, cluster: string, canary?: number): Record<string, string> {
  return {
    [`apps/gateway/${env}/${cluster}/kustomization.yaml`]: `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ../base\nreplicas:\n  - name: gateway\n    count: ${cluster === "eu-west-1" ? 4 : 2}\n${canary === undefined ? "" : imagesEntry("gateway", canary)}`,
  };
}

function kustomizeOverlay(app: string, env: string, build: number, options: { tagOnly?: boolean; extra?: string } = {}) {
  return {
    [`apps/${app}/overlays/${env}/kustomization.yaml`]: overlay({
      app,
      env,
      tag: `1.${build}.0${options.tagOnly ? "-rc1" : ""}`,
      digest: options.tagOnly ? undefined : sampleDigest(app, build),
      replicas: replicasFor[env],
      extra: options.extra,
    }),
  };
}

function helmValues(env: string, build: number): Record<string, string> {
  const replicas = { dev: 1, staging: 2, prod: 3 }[env] ?? 1;
  return {
    [`charts/payments/values-${env}.yaml`]: `# payments in ${env}
replicaCount: ${replicas}
image:
  repository: ${REGISTRY}/payments
  tag: "2.${build}.0"
  digest: ${sampleDigest("payments", build)}
`,
  };
}

const paymentsChart = {
  "charts/payments/Chart.yaml": "apiVersion: v2\nname: payments\nversion: 0.3.0\nappVersion: 2.0.0\n",
  "charts/payments/values.yaml": `replicaCount: 1
image:
  repository: ${REGISTRY}/payments
  tag: latest
  digest: ""
  pullPolicy: IfNotPresent
service:
  port: 8080
`,
  "charts/payments/templates/deployment.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: payments
spec:
  replicas: {{ .Values.replicaCount }}
  template:
    spec:
      containers:
        - name: payments
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}{{ if .Values.image.digest }}@{{ .Values.image.digest }}{{ end }}"
`,
};

/** Prod's web overlay sets DEBUG on: not an allowed difference. */
const webDrift = `patches:
  - target:
      kind: Deployment
      name: web
    patch: |-
      - op: add
        path: /spec/template/spec/containers/0/env/-
        value:
          name: FEATURE_CHECKOUT_V2
          value: "true"`;

/**
 * The commits, oldest first, ending `hoursAgo(0)` before `now`. Each step is
 * what a team would really push: CI bumps dev, people promote upwards.
 */
/**
 * The sample's ladder.yaml. `requireSignature`: staging takes only images signed with the demo's
 * key — set when the demo has its registry (docker-registry and skopeo installed), because without
 * one nothing can be verified and staging would refuse every promotion (fail closed).
 */
export function sampleLadderYaml(options: { requireSignature?: boolean } = {}): string {
  const signature =
    options.requireSignature === false
      ? "    # With the demo registry (apt-get install docker-registry skopeo) staging requires a signature:\n" +
        `    # requireSignature: ${DEMO_KEY_NAME}`
      : "    # Only images signed with the demo's key go to staging (docs/registry.md).\n" +
        `    requireSignature: ${DEMO_KEY_NAME}`;
  return ladderYamlTemplate.replace("__SIGNATURE__", signature);
}

export function sampleRepoCommits(now: Date = new Date(), options: { requireSignature?: boolean } = {}): SampleCommit[] {
  const at = (hoursAgo: number) => new Date(now.getTime() - hoursAgo * 3_600_000);
  const commits: SampleCommit[] = [];
  const push = (hoursAgo: number, author: SampleCommit["author"], message: string, files: Record<string, string | null>) =>
    commits.push({ message, author, date: at(hoursAgo), files });

  const initial: Record<string, string> = {
    "README.md": "# acme/gitops\n\nDeployment configuration for Acme's services, promoted with Ladder.\n",
    "ladder.yaml": sampleLadderYaml(options),
    ...kustomizeBase("api", 8080),
    ...kustomizeBase("web", 3000),
    ...kustomizeBase("worker", 9090),
    ...kustomizeBase("gateway", 8443),
    ...paymentsChart,
  };
  for (const env of SAMPLE_ENVIRONMENTS) {
    Object.assign(initial, kustomizeOverlay("api", env, 1), kustomizeOverlay("web", env, 3), kustomizeOverlay("worker", env, 7));
    Object.assign(initial, helmValues(env, 4), gatewayEnv(env, 1));
    for (const cluster of GATEWAY_TARGETS[env] ?? []) Object.assign(initial, gatewayCluster(env, cluster));
  }
  push(24 * 14, people.alice, "Bootstrap the GitOps repository", initial);

  // api build 2 climbs the whole ladder.
  push(24 * 9, people.ci, "api: deploy 1.2.0 to dev", kustomizeOverlay("api", "dev", 2));
  push(24 * 8, people.bob, "Promote api 1.2.0 to staging", kustomizeOverlay("api", "staging", 2));
  push(24 * 7, people.bob, "Promote api 1.2.0 to prod", kustomizeOverlay("api", "prod", 2));
  // web build 4 everywhere, then prod gains a feature flag by hand.
  push(24 * 6, people.ci, "web: deploy 1.4.0 to dev", kustomizeOverlay("web", "dev", 4));
  push(24 * 6 - 5, people.carol, "Promote web 1.4.0 to staging", kustomizeOverlay("web", "staging", 4));
  push(24 * 5, people.carol, "Promote web 1.4.0 to prod", kustomizeOverlay("web", "prod", 4));
  push(
    24 * 4,
    people.carol,
    "web: turn on checkout v2 in prod (hotfix)",
    kustomizeOverlay("web", "prod", 4, { extra: webDrift }),
  );
  // payments: build 5 reaches dev only.
  push(24 * 3, people.ci, "payments: deploy 2.5.0 to dev", helmValues("dev", 5));
  // api build 3 reaches dev, then staging; prod waits.
  push(30, people.ci, "api: deploy 1.3.0 to dev", kustomizeOverlay("api", "dev", 3));
  push(20, people.alice, "Promote api 1.3.0 to staging", kustomizeOverlay("api", "staging", 3));
  // gateway build 2 reaches dev and both staging clusters; prod tries it on one cluster first.
  push(26, people.ci, "gateway: deploy 1.2.0 to dev", gatewayEnv("dev", 2));
  push(22, people.carol, "Promote gateway 1.2.0 to staging (both clusters)", gatewayEnv("staging", 2));
  push(6, people.carol, "gateway: canary 1.2.0 on prod us-east-1", gatewayCluster("prod", "us-east-1", 2));
  // worker: someone deploys a release candidate by tag.
  push(3, people.bob, "worker: try 1.8.0-rc1 in dev", kustomizeOverlay("worker", "dev", 8, { tagOnly: true }));
  return commits;
}
