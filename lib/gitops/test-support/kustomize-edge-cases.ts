/**
 * Small Kustomize trees, one per form Kustomize reads that decides an image, each with the images
 * `kubectl kustomize` (Kustomize 5.5) renders for it. The unit tests check the static build
 * against `rendered`; the differential test renders every tree again and checks both.
 */

export interface KustomizeEdgeCase {
  name: string;
  files: Record<string, string>;
  /** The kustomization to build. */
  dir: string;
  /** Every container and initContainer image of the rendered output (a set: order is not kept). */
  rendered: string[];
}

const D = (c: string) => `sha256:${c.repeat(64)}`;
// biome-ignore lint/suspicious/noTemplateCurlyInString: the literal text an envsubst step replaces
const SHELL_TOKEN = "${IMAGE}";

const API_VERSIONS: Record<string, string> = {
  Pod: "v1",
  ReplicationController: "v1",
  Job: "batch/v1",
  CronJob: "batch/v1",
  Rollout: "argoproj.io/v1alpha1",
};

/** The apiVersion of a workload kind (apps/v1 unless listed). */
export function apiVersionOf(kind: string): string {
  return API_VERSIONS[kind] ?? "apps/v1";
}

/** A workload of `kind` whose pod runs `containers` (and `init` as initContainers). */
export function workload(kind: string, name: string, containers: string[], init: string[] = []): string {
  const list = (key: string, images: string[], indent: string) =>
    images.length === 0
      ? []
      : [`${indent}${key}:`, ...images.flatMap((image, i) => [`${indent}- name: ${key[0]}${i}`, `${indent}  image: "${image}"`])];
  const pod = (indent: string) => [...list("initContainers", init, indent), ...list("containers", containers, indent)];
  const head = [
    `apiVersion: ${apiVersionOf(kind)}`,
    `kind: ${kind}`,
    "metadata:",
    `  name: ${name}`,
    "  labels: {app: demo}",
    "spec:",
  ];
  if (kind === "Pod") return [...head, ...pod("  "), ""].join("\n");
  if (kind === "CronJob")
    return [
      ...head,
      '  schedule: "* * * * *"',
      "  jobTemplate:",
      "    spec:",
      "      template:",
      "        spec:",
      ...pod("          "),
      "",
    ].join("\n");
  return [...head, "  template:", "    spec:", ...pod("      "), ""].join("\n");
}

const api = (image: string) => workload("Deployment", "api", [image]);
const replaceImage = (image: string) => [{ op: "replace", path: "/spec/template/spec/containers/0/image", value: image }];
const smPatch = (image: string) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "api" },
  spec: { template: { spec: { containers: [{ name: "c0", image }] } } },
});

/**
 * What a static build does not follow: replacements copying an image from a ConfigMap. The cell
 * names it, and shows the rendered image when a binary is there.
 */
export const REPLACEMENTS_CASE: KustomizeEdgeCase = {
  name: "replacements set an image from a ConfigMap",
  dir: "app",
  files: {
    "app/kustomization.yaml": [
      "resources: [deploy.yaml, images.yaml]",
      "replacements:",
      "  - source: {kind: ConfigMap, name: images, fieldPath: data.api}",
      "    targets:",
      "      - select: {kind: Deployment, name: api}",
      "        fieldPaths: [spec.template.spec.containers.0.image]",
      "",
    ].join("\n"),
    "app/deploy.yaml": workload("Deployment", "api", ["ghcr.io/acme/api:1.0"]),
    "app/images.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: images}\ndata: {api: 'ghcr.io/acme/api:9.9'}\n",
  },
  rendered: ["ghcr.io/acme/api:9.9"],
};

export const KUSTOMIZE_EDGE_CASES: readonly KustomizeEdgeCase[] = [
  {
    name: "bare names",
    dir: "app",
    files: {
      "app/kustomization.yaml": "resources: [deploy.yaml, sts.yaml, job.yaml, cron.yaml]\n",
      "app/deploy.yaml": workload("Deployment", "web", ["nginx", "busybox"]),
      "app/sts.yaml": workload("StatefulSet", "db", ["postgres"]),
      "app/job.yaml": workload("Job", "once", ["perl"]),
      "app/cron.yaml": workload("CronJob", "nightly", ["my-image"]),
    },
    rendered: ["nginx", "busybox", "postgres", "perl", "my-image"],
  },
  {
    name: "json6902 patch in a .json file",
    dir: "app",
    files: {
      "app/kustomization.yaml":
        "resources: [deploy.yaml]\npatches:\n  - path: patch.json\n    target: {kind: Deployment, name: api}\n",
      "app/deploy.yaml": api("ghcr.io/acme/api:1.0"),
      "app/patch.json": JSON.stringify(replaceImage("ghcr.io/acme/api:2.0"), null, 2),
    },
    rendered: ["ghcr.io/acme/api:2.0"],
  },
  {
    name: "patchesJson6902 with a .json file",
    dir: "app",
    files: {
      "app/kustomization.yaml":
        "resources: [deploy.yaml]\npatchesJson6902:\n  - target: {group: apps, version: v1, kind: Deployment, name: api}\n    path: ops.json\n",
      "app/deploy.yaml": api("ghcr.io/acme/api:1.0"),
      "app/ops.json": JSON.stringify(replaceImage("ghcr.io/acme/api:2.1")),
    },
    rendered: ["ghcr.io/acme/api:2.1"],
  },
  {
    name: "strategic merge patches in .json, .yml and extensionless files",
    dir: "app",
    files: {
      "app/kustomization.yaml":
        "resources: [deploy.yaml, worker.yaml]\npatches:\n  - path: api.json\n  - path: worker-patch\npatchesStrategicMerge:\n  - sidecar.yml\n",
      "app/deploy.yaml": api("ghcr.io/acme/api:1.0"),
      "app/worker.yaml": workload("Deployment", "worker", ["ghcr.io/acme/worker:1.0"]),
      "app/api.json": JSON.stringify(smPatch("ghcr.io/acme/api:3.0")),
      "app/worker-patch": JSON.stringify({ ...smPatch("ghcr.io/acme/worker:3.0"), metadata: { name: "worker" } }),
      "app/sidecar.yml":
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  template:\n    spec:\n      containers:\n        - {name: proxy, image: 'envoyproxy/envoy:v1.30'}\n",
    },
    rendered: ["ghcr.io/acme/api:3.0", "envoyproxy/envoy:v1.30", "ghcr.io/acme/worker:3.0"],
  },
  {
    name: "inline patches as YAML and JSON text, with and without a target",
    dir: "app",
    files: {
      "app/kustomization.yaml": [
        "resources: [deploy.yaml, worker.yaml, cron.yaml]",
        "patches:",
        `  - patch: '${JSON.stringify(smPatch("ghcr.io/acme/api:4.0"))}'`,
        "  - target: {kind: Deployment, name: worker}",
        `    patch: '${JSON.stringify(replaceImage("ghcr.io/acme/worker:4.0"))}'`,
        "  - target: {labelSelector: app=demo, kind: CronJob}",
        "    patch: |-",
        "      - op: add",
        "        path: /spec/jobTemplate/spec/template/spec/containers/-",
        "        value: {name: added, image: 'ghcr.io/acme/added:1'}",
        "patchesStrategicMerge:",
        "  - |-",
        "    apiVersion: batch/v1",
        "    kind: CronJob",
        "    metadata: {name: nightly}",
        "    spec:",
        "      jobTemplate:",
        "        spec:",
        "          template:",
        "            spec:",
        "              initContainers: [{name: i0, image: 'busybox:1.36'}]",
        "",
      ].join("\n"),
      "app/deploy.yaml": api("ghcr.io/acme/api:1.0"),
      "app/worker.yaml": workload("Deployment", "worker", ["ghcr.io/acme/worker:1.0"]),
      "app/cron.yaml": workload("CronJob", "nightly", ["ghcr.io/acme/cron:1.0"]),
    },
    rendered: [
      "ghcr.io/acme/api:4.0",
      "ghcr.io/acme/worker:4.0",
      "ghcr.io/acme/cron:1.0",
      "ghcr.io/acme/added:1",
      "busybox:1.36",
    ],
  },
  {
    name: "ImageTagTransformer with capitalised keys",
    dir: "app",
    files: {
      "app/kustomization.yaml": "resources: [deploy.yaml]\ntransformers: [images.yaml]\n",
      "app/deploy.yaml": api("ghcr.io/acme/api:1.0"),
      "app/images.yaml": `apiVersion: builtin\nkind: ImageTagTransformer\nmetadata: {name: pin}\nImageTag:\n  Name: ghcr.io/acme/api\n  NewName: ghcr.io/acme/renamed\n  Digest: ${D("c")}\n`,
    },
    rendered: [`ghcr.io/acme/renamed@${D("c")}`],
  },
  {
    name: "kustomization fields in any case",
    dir: "app",
    files: {
      "app/kustomization.yaml": "Resources: [deploy.yaml]\nImages:\n  - NAME: ghcr.io/acme/api\n    NewTag: upper\n",
      "app/deploy.yaml": api("ghcr.io/acme/api:1.0"),
    },
    rendered: ["ghcr.io/acme/api:upper"],
  },
  {
    name: "malformed digests",
    dir: "app",
    files: {
      "app/kustomization.yaml": "resources: [deploy.yaml]\n",
      "app/deploy.yaml": workload("Deployment", "api", [
        "ghcr.io/acme/api@sha256:abc",
        `ghcr.io/acme/worker:1@sha256:${"A".repeat(64)}`,
        `ghcr.io/acme/ok@${D("a")}`,
      ]),
    },
    rendered: ["ghcr.io/acme/api@sha256:abc", `ghcr.io/acme/worker:1@sha256:${"A".repeat(64)}`, `ghcr.io/acme/ok@${D("a")}`],
  },
  {
    name: "images: runs before transformers:, and transformers written inline before those in files",
    dir: "app",
    files: {
      "app/kustomization.yaml": [
        "resources: [deploy.yaml]",
        "images: [{name: ghcr.io/acme/api, newTag: from-images}]",
        "transformers:",
        "  - file.yaml",
        "  - |-",
        "    apiVersion: builtin",
        "    kind: ImageTagTransformer",
        "    metadata: {name: inline}",
        "    imageTag: {name: ghcr.io/acme/api, newTag: from-inline}",
        "",
      ].join("\n"),
      "app/deploy.yaml": api("ghcr.io/acme/api:1.0"),
      "app/file.yaml":
        "apiVersion: builtin\nkind: ImageTagTransformer\nmetadata: {name: file}\nimageTag: {name: ghcr.io/acme/api, newTag: from-file}\n",
    },
    rendered: ["ghcr.io/acme/api:from-file"],
  },
  {
    name: "tagSuffix applies twice where images: field specs reach the container, once elsewhere",
    dir: "app",
    files: {
      "app/kustomization.yaml":
        "resources: [deploy.yaml, cron.yaml, pod.yaml]\nimages: [{name: ghcr.io/acme/api, tagSuffix: -s}]\ntransformers: [suffix.yaml]\n",
      "app/deploy.yaml": api("ghcr.io/acme/api:1"),
      "app/cron.yaml": workload("CronJob", "nightly", ["ghcr.io/acme/api:2"]),
      "app/pod.yaml": workload("Pod", "debug", ["ghcr.io/acme/tool:3"]),
      "app/suffix.yaml":
        "apiVersion: builtin\nkind: ImageTagTransformer\nmetadata: {name: s}\nimageTag: {name: ghcr.io/acme/tool, tagSuffix: -t}\n",
    },
    rendered: ["ghcr.io/acme/api:1-s-s", "ghcr.io/acme/api:2-s", "ghcr.io/acme/tool:3-t"],
  },
  {
    name: "images: names are regular expressions, digests other than sha256 are not matched",
    dir: "app",
    files: {
      "app/kustomization.yaml":
        "resources: [deploy.yaml]\nimages:\n  - {name: ghcr.io/acme/api, newTag: matched}\n  - {name: 'nginx:1', newTag: tagged-name}\n",
      "app/deploy.yaml": workload("Deployment", "api", ["ghcrXio/acme/api:1", "ghcr.io/acme/api@sha512:abcd", "nginx:1"]),
    },
    rendered: ["ghcrXio/acme/api:matched", "ghcr.io/acme/api@sha512:abcd", "nginx:tagged-name"],
  },
  {
    name: "patches find a resource by its original or current id after namespace and prefix",
    dir: "leaf",
    files: {
      "base/kustomization.yaml": "resources: [deploy.yaml, worker.yaml]\n",
      "base/deploy.yaml": api("ghcr.io/acme/api:1.0"),
      "base/worker.yaml": workload("Deployment", "worker", ["ghcr.io/acme/worker:1.0"]),
      "mid/kustomization.yaml": "resources: [../base]\nnamespace: team\nnamePrefix: p-\n",
      "leaf/kustomization.yaml": [
        "resources: [../mid]",
        "patches:",
        "  - patch: |-",
        "      apiVersion: apps/v1",
        "      kind: Deployment",
        "      metadata: {name: api, namespace: team}",
        "      spec: {template: {spec: {containers: [{name: c0, image: 'ghcr.io/acme/api:by-middle-id'}]}}}",
        "  - target: {name: p-worker, namespace: default}",
        `    patch: '${JSON.stringify(replaceImage("ghcr.io/acme/worker:by-org-ns-cur-name"))}'`,
        "",
      ].join("\n"),
    },
    rendered: ["ghcr.io/acme/api:by-middle-id", "ghcr.io/acme/worker:by-org-ns-cur-name"],
  },
  {
    name: "a component's images: act on the resources gathered before it",
    dir: "overlay",
    files: {
      "base/kustomization.yaml": "resources: [deploy.yaml]\n",
      "base/deploy.yaml": api("ghcr.io/acme/api:1.0"),
      "comp/kustomization.yaml":
        "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources: [sidecar.yaml]\nimages: [{name: ghcr.io/acme/api, newTag: from-component}, {name: redis, newTag: '7'}]\n",
      "comp/sidecar.yaml": workload("DaemonSet", "agent", ["redis"]),
      "overlay/kustomization.yaml": `resources: [../base]\ncomponents: [../comp]\nimages: [{name: redis, digest: ${D("d")}}]\n`,
    },
    rendered: ["ghcr.io/acme/api:from-component", `redis@${D("d")}`],
  },
  {
    name: "custom resources merge patches as JSON merge (lists replaced); ephemeral containers and CRDs untouched",
    dir: "app",
    files: {
      "app/kustomization.yaml":
        "resources: [rollout.yaml, pod.yaml, crd.yaml]\nimages: [{name: busybox, newTag: '1.36'}]\npatches: [{path: rollout-patch.yaml}]\n",
      "app/rollout.yaml": workload("Rollout", "canary", ["ghcr.io/acme/api:1.0", "busybox"]),
      "app/rollout-patch.yaml":
        "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: canary}\nspec:\n  template:\n    spec:\n      containers: [{name: c0, image: 'ghcr.io/acme/api:2.0'}]\n",
      "app/pod.yaml": `${workload("Pod", "debug", ["busybox"])}  ephemeralContainers: [{name: e0, image: busybox}]\n`,
      "app/crd.yaml":
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: things.example.com}\nspec:\n  containers: [{name: c0, image: busybox}]\n",
    },
    rendered: ["ghcr.io/acme/api:2.0", "busybox:1.36", "busybox"],
  },
  {
    name: "list directives in strategic merge: $patch replace and delete",
    dir: "app",
    files: {
      "app/kustomization.yaml": "resources: [deploy.yaml, worker.yaml]\npatches: [{path: replace.yaml}, {path: delete.yaml}]\n",
      "app/deploy.yaml": workload("Deployment", "api", ["ghcr.io/acme/api:1.0", "ghcr.io/acme/sidecar:1.0"]),
      "app/worker.yaml": workload("Deployment", "worker", ["ghcr.io/acme/worker:1.0", "ghcr.io/acme/helper:1.0"]),
      "app/replace.yaml":
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  template:\n    spec:\n      containers:\n        - {name: only, image: 'ghcr.io/acme/only:1'}\n        - $patch: replace\n",
      "app/delete.yaml":
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: worker}\nspec:\n  template:\n    spec:\n      containers:\n        - {name: c1, $patch: delete}\n",
    },
    rendered: ["ghcr.io/acme/only:1", "ghcr.io/acme/worker:1.0"],
  },
  {
    name: "a strategic merge puts the patch's items first, so a JSON 6902 index after it counts them",
    dir: "app",
    files: {
      "app/kustomization.yaml": `resources: [deploy.yaml]\npatches:\n  - path: add.yaml\npatchesJson6902:\n  - target: {kind: Deployment, name: api}\n    patch: '${JSON.stringify(replaceImage("ghcr.io/acme/first:2"))}'\n`,
      "app/deploy.yaml": workload("Deployment", "api", ["ghcr.io/acme/api:1.0", "ghcr.io/acme/sidecar:1.0"]),
      "app/add.yaml":
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  template:\n    spec:\n      containers:\n        - {name: first, image: 'ghcr.io/acme/first:1'}\n        - {name: c1, image: 'ghcr.io/acme/sidecar:2.0'}\n",
    },
    rendered: ["ghcr.io/acme/first:2", "ghcr.io/acme/sidecar:2.0", "ghcr.io/acme/api:1.0"],
  },
  {
    name: "JSON 6902 replace of a missing key sets it",
    dir: "app",
    files: {
      "app/kustomization.yaml": `resources: [deploy.yaml]\npatches:\n  - target: {kind: Deployment}\n    patch: '${JSON.stringify([{ op: "replace", path: "/spec/template/spec/containers/0/image", value: "ghcr.io/acme/set:1" }])}'\n`,
      "app/deploy.yaml":
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  template:\n    spec:\n      containers: [{name: c0}]\n",
    },
    rendered: ["ghcr.io/acme/set:1"],
  },
  {
    name: "label selectors: set-based requirements, and labels a lower layer added",
    dir: "leaf",
    files: {
      "base/kustomization.yaml":
        "resources: [deploy.yaml, worker.yaml]\ncommonLabels: {tier: web}\nlabels: [{pairs: {zone: eu}}]\n",
      "base/deploy.yaml": api("ghcr.io/acme/api:1.0"),
      "base/worker.yaml": workload("Deployment", "worker", ["ghcr.io/acme/worker:1.0"]),
      "leaf/kustomization.yaml": [
        "resources: [../base]",
        // Labels of this layer come after its patches: this one is no use to them.
        "labels: [{pairs: {late: 'yes'}}]",
        "patches:",
        "  - target: {labelSelector: 'tier in (web,db),zone,!missing'}",
        `    patch: '${JSON.stringify([{ op: "add", path: "/spec/template/spec/containers/-", value: { name: "log", image: "ghcr.io/acme/log:1" } }])}'`,
        "  - target: {labelSelector: 'tier notin (web)'}",
        `    patch: '${JSON.stringify(replaceImage("ghcr.io/acme/never:1"))}'`,
        "  - target: {labelSelector: late}",
        `    patch: '${JSON.stringify(replaceImage("ghcr.io/acme/never:1"))}'`,
        "",
      ].join("\n"),
    },
    rendered: ["ghcr.io/acme/api:1.0", "ghcr.io/acme/worker:1.0", "ghcr.io/acme/log:1"],
  },
  {
    name: "template tokens and ko:// paths are rendered as written",
    dir: "app",
    files: {
      "app/kustomization.yaml": "resources: [deploy.yaml]\n",
      "app/deploy.yaml": workload("Deployment", "api", [SHELL_TOKEN, "ko://github.com/acme/api/cmd/api", "PLACEHOLDER"]),
    },
    rendered: [SHELL_TOKEN, "ko://github.com/acme/api/cmd/api", "PLACEHOLDER"],
  },
  {
    name: "imageTags, the old name of images:",
    dir: "app",
    files: {
      "app/kustomization.yaml": "resources: [deploy.yaml]\nimageTags: [{name: ghcr.io/acme/api, newTag: old-field}]\n",
      "app/deploy.yaml": api("ghcr.io/acme/api:1.0"),
    },
    rendered: ["ghcr.io/acme/api:old-field"],
  },
  {
    name: "transformer configs from a kustomization directory, several in one file",
    dir: "app",
    files: {
      "app/kustomization.yaml": "resources: [deploy.yaml]\ntransformers: [../transformers, more.yaml]\n",
      "app/deploy.yaml": api("ghcr.io/acme/api:1.0"),
      "transformers/kustomization.yaml": "resources: [tag.yaml]\n",
      "transformers/tag.yaml":
        "apiVersion: builtin\nkind: ImageTagTransformer\nmetadata: {name: dir}\nimageTag: {name: ghcr.io/acme/api, newName: ghcr.io/acme/moved}\n",
      "app/more.yaml":
        "apiVersion: builtin\nkind: ReplicaCountTransformer\nmetadata: {name: r}\nreplica: {name: api, count: 3}\nfieldSpecs: [{path: spec/replicas, create: true}]\n---\napiVersion: builtin\nkind: ImageTagTransformer\nmetadata: {name: t2}\nimageTag: {name: ghcr.io/acme/moved, newTag: '2'}\n",
    },
    rendered: ["ghcr.io/acme/moved:2"],
  },
  {
    name: "builtin patch transformers in transformers:",
    dir: "app",
    files: {
      "app/kustomization.yaml": "resources: [deploy.yaml, worker.yaml]\ntransformers: [patches.yaml]\n",
      "app/deploy.yaml": api("ghcr.io/acme/api:1.0"),
      "app/worker.yaml": workload("Deployment", "worker", ["ghcr.io/acme/worker:1.0"]),
      "app/sm.yaml": workload("Deployment", "worker", ["ghcr.io/acme/worker:5.0"]),
      "app/patches.yaml": [
        "apiVersion: builtin",
        "kind: PatchTransformer",
        "metadata: {name: p}",
        "target: {kind: Deployment, name: api}",
        `patch: '${JSON.stringify(replaceImage("ghcr.io/acme/api:5.0"))}'`,
        "---",
        "apiVersion: builtin",
        "kind: PatchStrategicMergeTransformer",
        "metadata: {name: sm}",
        "paths: [sm.yaml]",
        "",
      ].join("\n"),
    },
    rendered: ["ghcr.io/acme/api:5.0", "ghcr.io/acme/worker:5.0"],
  },
];
