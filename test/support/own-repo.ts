/**
 * "Someone's own GitOps repository" for the tests of `npm run demo -- --repo`: a layout Ladder has
 * never seen, with no ladder.yaml. Two apps on dev → staging → prod: `catalog` as Kustomize
 * overlays under `deploy/catalog/envs/<env>`, `mailer` as Helm values files per environment under `helm/mailer`.
 * Written as a git history of several commits (builds moving up the ladder), or as a plain
 * directory of the final files. Also: a hash of a whole directory tree, `.git` included, to show
 * a source was not written to.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { lstat, mkdir, readdir, readFile, readlink, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export const OWN_REPO_ENVIRONMENTS = ["dev", "staging", "prod"] as const;
export const OWN_REPO_APPS = ["catalog", "mailer"] as const;

/** A deterministic digest for one build of an app of this fixture. */
export function ownRepoDigest(app: string, build: number): string {
  return `sha256:${createHash("sha256").update(`own-repo/${app}/${build}`).digest("hex")}`;
}

const kustomization = (body: string) => `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n${body}`;

function catalogOverlay(env: string, build: number): Record<string, string> {
  const replicas = env === "prod" ? "replicas:\n  - name: catalog\n    count: 3\n" : "";
  return {
    [`deploy/catalog/envs/${env}/kustomization.yaml`]: kustomization(
      `namespace: catalog-${env}\nresources:\n  - ../../base\nimages:\n  - name: registry.example.org/shop/catalog\n    newTag: "1.${build}.0"\n    digest: ${ownRepoDigest("catalog", build)}\n${replicas}`,
    ),
  };
}

function mailerValues(env: string, build: number): Record<string, string> {
  return {
    [`helm/mailer/values-${env}.yaml`]: `# mailer in ${env}\nimage:\n  repository: registry.example.org/shop/mailer\n  tag: "0.${build}.1"\n  digest: ${ownRepoDigest("mailer", build)}\n`,
  };
}

function initialFiles(): Record<string, string> {
  const files: Record<string, string> = {
    "README.md": "# shop-deploy\n\nWhat runs where. Merged to main is deployed by Argo CD.\n",
    "docs/runbook.md": "# Runbook\n\nNot YAML Ladder reads.\n",
    "deploy/catalog/base/kustomization.yaml": kustomization("resources:\n  - deployment.yaml\n"),
    "deploy/catalog/base/deployment.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: catalog
spec:
  replicas: 1
  selector:
    matchLabels: { app: catalog }
  template:
    metadata:
      labels: { app: catalog }
    spec:
      containers:
        - name: catalog
          image: registry.example.org/shop/catalog:latest
`,
    // The chart comes from a Helm repository; the repository holds only its values.
    "helm/mailer/values.yaml": "replicaCount: 1\nimage:\n  repository: registry.example.org/shop/mailer\n  tag: latest\n",
  };
  for (const env of OWN_REPO_ENVIRONMENTS) Object.assign(files, catalogOverlay(env, 1), mailerValues(env, 1));
  return files;
}

export interface OwnRepoCommit {
  message: string;
  files: Record<string, string>;
  /** Days before now. */
  daysAgo: number;
}

/**
 * The history: everything at build 1, then catalog build 2 up to prod, build 3 to dev and staging
 * (prod waits: one promotion to make), mailer build 2 to dev only.
 */
export function ownRepoCommits(): OwnRepoCommit[] {
  return [
    { message: "Initial layout: catalog and mailer in dev, staging, prod", files: initialFiles(), daysAgo: 30 },
    { message: "catalog 1.2.0 to dev", files: catalogOverlay("dev", 2), daysAgo: 20 },
    { message: "catalog 1.2.0 to staging", files: catalogOverlay("staging", 2), daysAgo: 18 },
    { message: "catalog 1.2.0 to prod", files: catalogOverlay("prod", 2), daysAgo: 15 },
    { message: "catalog 1.3.0 to dev", files: catalogOverlay("dev", 3), daysAgo: 6 },
    { message: "catalog 1.3.0 to staging", files: catalogOverlay("staging", 3), daysAgo: 4 },
    { message: "mailer 0.2.1 to dev", files: mailerValues("dev", 2), daysAgo: 2 },
  ];
}

/** The files of the last commit: what a plain-directory copy holds. */
export function ownRepoFiles(): Record<string, string> {
  return Object.assign({}, ...ownRepoCommits().map((c) => c.files)) as Record<string, string>;
}

async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [file, content] of Object.entries(files)) {
    const target = path.join(dir, file);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, content);
  }
}

const git = (dir: string, args: string[], env: Record<string, string> = {}) =>
  run(
    "git",
    ["-C", dir, "-c", "user.name=Dana Ops", "-c", "user.email=dana@shop.example", "-c", "commit.gpgsign=false", ...args],
    {
      env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1", ...env },
    },
  );

/** A git checkout of the history on `main`, plus `branch` (one more commit) when asked. */
export async function writeOwnRepoGit(dir: string, options: { branch?: string; now?: Date } = {}): Promise<void> {
  await mkdir(dir, { recursive: true });
  await run("git", ["init", "-q", "-b", "main", dir]);
  const now = options.now ?? new Date();
  for (const commit of ownRepoCommits()) {
    await writeFiles(dir, commit.files);
    await git(dir, ["add", "-A"]);
    const date = new Date(now.getTime() - commit.daysAgo * 86_400_000).toISOString();
    await git(dir, ["commit", "-q", "-m", commit.message, "--date", date], { GIT_COMMITTER_DATE: date });
  }
  if (options.branch) {
    await git(dir, ["checkout", "-q", "-b", options.branch]);
    await writeFiles(dir, mailerValues("staging", 2));
    await git(dir, ["commit", "-q", "-am", "mailer 0.2.1 to staging"]);
    await git(dir, ["checkout", "-q", "main"]);
  }
}

/** The final files as a plain directory, with things an import must leave out. */
export async function writeOwnRepoDirectory(dir: string): Promise<void> {
  await writeFiles(dir, ownRepoFiles());
  await writeFiles(dir, { "node_modules/left-out/index.js": "module.exports = 1;\n" });
}

/**
 * sha256 over every path, type, mode and byte under `dir` (`.git` included), and every
 * modification time: a file rewritten with the same bytes, or a lock file created and removed
 * again in a directory, changes it too.
 */
export async function treeHash(dir: string): Promise<string> {
  const hash = createHash("sha256");
  const visit = async (abs: string, rel: string) => {
    const stat = await lstat(abs);
    hash.update(`${rel}\0${stat.mode}\0${stat.mtimeMs}\0`);
    if (stat.isSymbolicLink()) hash.update(await readlink(abs));
    else if (stat.isDirectory()) {
      for (const name of (await readdir(abs)).sort()) await visit(path.join(abs, name), `${rel}/${name}`);
    } else hash.update(await readFile(abs));
    hash.update("\0");
  };
  await visit(dir, ".");
  return hash.digest("hex");
}

export async function removeTree(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
