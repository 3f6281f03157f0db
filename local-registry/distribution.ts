/**
 * A real OCI registry on localhost: Debian's `docker-registry` package (the CNCF Distribution
 * registry, `/usr/bin/docker-registry serve <config.yml>`) with its storage in a directory of its
 * own, and `skopeo` (also Debian's) to push OCI layouts into it. Used by the registry tests and by
 * `npm run demo`; nothing here talks to a registry off this machine.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { processEnv } from "../lib/env";

const execFileAsync = promisify(execFile);

export const DISTRIBUTION_BINARY = "/usr/bin/docker-registry";
export const INSTALL_HINT = "apt-get install -y docker-registry skopeo (Debian's CNCF Distribution registry and skopeo)";

/** Which of the two tools are missing (empty: both are installed). */
export function missingRegistryTools(): string[] {
  const missing: string[] = [];
  if (!existsSync(DISTRIBUTION_BINARY)) missing.push("docker-registry");
  if (!["/usr/bin/skopeo", "/usr/local/bin/skopeo"].some((p) => existsSync(p))) missing.push("skopeo");
  return missing;
}

export interface LocalRegistry {
  /** `127.0.0.1:<port>`, as image names write it. */
  host: string;
  /** `http://127.0.0.1:<port>`. */
  url: string;
  storage: string;
  /** Pushes `oci:<layoutDir>:<ref>` to `<host>/<name>:<tag>`, every manifest of an index too, bytes unchanged. */
  push(layoutDir: string, ref: string, name: string, tag: string): Promise<void>;
  /**
   * PUTs one manifest as is (its blobs and children must be there already). For what skopeo 1.9
   * will not copy unchanged: an index whose entries carry OCI 1.1's `artifactType`.
   */
  putManifest(name: string, reference: string, body: Buffer, mediaType: string): Promise<void>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilUp(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited (${child.exitCode}): ${log()}`);
    try {
      const res = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(1000) });
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`docker-registry did not answer ${url}/v2/ within 15 s: ${log()}`);
}

/** Starts the registry on a free port of 127.0.0.1 (or `port`), its data under `dir`. */
export async function startLocalRegistry(dir: string, options: { port?: number } = {}): Promise<LocalRegistry> {
  const missing = missingRegistryTools();
  if (missing.length > 0) throw new Error(`${missing.join(" and ")} not installed: ${INSTALL_HINT}`);
  const port = options.port ?? (await freePort());
  const storage = path.join(dir, "storage");
  await mkdir(storage, { recursive: true });
  const config = path.join(dir, "config.yml");
  await writeFile(
    config,
    [
      "version: 0.1",
      "log:",
      "  level: error",
      "  accesslog:",
      "    disabled: true",
      "storage:",
      "  filesystem:",
      `    rootdirectory: ${JSON.stringify(storage)}`,
      "  delete:",
      "    enabled: true",
      "http:",
      `  addr: 127.0.0.1:${port}`,
      "",
    ].join("\n"),
  );
  let output = "";
  // The registry reads REGISTRY_* variables as configuration: pass none of the caller's.
  const source = processEnv();
  const env = {
    ...Object.fromEntries(Object.entries(source).filter(([k]) => !k.startsWith("REGISTRY_"))),
    NODE_ENV: source.NODE_ENV === "production" ? "production" : "test",
  } as const;
  const child: ChildProcess = spawn(DISTRIBUTION_BINARY, ["serve", config], { env, stdio: ["ignore", "pipe", "pipe"] });
  const keep = (d: Buffer) => {
    output = (output + String(d)).slice(-4000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const host = `127.0.0.1:${port}`;
  const url = `http://${host}`;
  try {
    await waitUntilUp(url, child, () => output);
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  return {
    host,
    url,
    storage,
    async push(layoutDir, ref, name, tag) {
      try {
        await execFileAsync(
          "skopeo",
          [
            "--insecure-policy",
            "copy",
            "--all",
            "--preserve-digests",
            "--dest-tls-verify=false",
            "--dest-no-creds",
            "--quiet",
            `oci:${layoutDir}:${ref}`,
            `docker://${host}/${name}:${tag}`,
          ],
          { timeout: 60_000 },
        );
      } catch (error) {
        const stderr = (error as { stderr?: string }).stderr ?? "";
        throw new Error(`skopeo could not push ${ref} to ${host}/${name}:${tag}: ${stderr.trim()}`, { cause: error });
      }
    },
    async putManifest(name, reference, body, mediaType) {
      const res = await fetch(`${url}/v2/${name}/manifests/${reference}`, {
        method: "PUT",
        headers: { "content-type": mediaType },
        body: new Uint8Array(body),
      });
      if (res.status !== 201) throw new Error(`PUT ${name}:${reference} answered ${res.status}: ${await res.text()}`);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 3000).unref();
      }),
  };
}
