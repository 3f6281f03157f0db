/**
 * Registry credentials, never in ladder.yaml: per registry from the environment
 * (`LADDER_REGISTRY_<HOST>_USERNAME` and `_PASSWORD`, HOST upper-cased with every other character
 * an underscore: `ghcr.io` → `LADDER_REGISTRY_GHCR_IO_USERNAME`), else from a Docker config file
 * (`LADDER_REGISTRY_AUTH_FILE`, the `auths` of `~/.docker/config.json` that `docker login` and
 * `skopeo login --authfile` write). Without either, Ladder asks anonymously, which public images
 * on Docker Hub, GHCR and Quay allow.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { canonicalRegistry } from "./registry-hosts";

export interface Credential {
  username: string;
  password: string;
}

/** Looks up the credential for a registry; undefined for anonymous access. */
export type CredentialSource = (registry: string) => Credential | undefined;

/** The variable-name stem for a registry: `ghcr.io` → `LADDER_REGISTRY_GHCR_IO`, `127.0.0.1:5000` → `LADDER_REGISTRY_127_0_0_1_5000`. */
export function credentialVariableStem(registry: string): string {
  return `LADDER_REGISTRY_${canonicalRegistry(registry)
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, "_")}`;
}

const authEntry = z.object({
  auth: z.string().optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  identitytoken: z.string().optional(),
});
const dockerConfig = z.object({ auths: z.record(z.string(), authEntry).optional() });

/** The `auths` keys a registry may be filed under (Docker Hub's is its legacy v1 URL). */
function configKeys(registry: string): string[] {
  const r = canonicalRegistry(registry);
  if (r === "docker.io") return ["https://index.docker.io/v1/", "index.docker.io", "docker.io", "registry-1.docker.io"];
  return [r, `https://${r}`, `http://${r}`, `https://${r}/v1/`, `https://${r}/v2/`];
}

/**
 * Credentials from a Docker config's `auths` (`auth` is base64 `user:password`; an
 * `identitytoken` is sent as the password of `<token>`, as Docker does). `credsStore` and
 * `credHelpers` would mean running helper programs, which Ladder does not do.
 */
export function credentialsFromDockerConfig(text: string): CredentialSource {
  const parsed = dockerConfig.parse(JSON.parse(text));
  const auths = new Map(Object.entries(parsed.auths ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  return (registry) => {
    for (const key of configKeys(registry)) {
      const entry = auths.get(key.toLowerCase());
      if (!entry) continue;
      if (entry.identitytoken) return { username: "<token>", password: entry.identitytoken };
      if (entry.username !== undefined && entry.password !== undefined)
        return { username: entry.username, password: entry.password };
      if (entry.auth) {
        const decoded = Buffer.from(entry.auth, "base64").toString("utf8");
        const colon = decoded.indexOf(":");
        if (colon > 0) return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
      }
    }
    return undefined;
  };
}

/**
 * The credential source Ladder uses: the `LADDER_REGISTRY_<HOST>_*` variables first, then the auth
 * file. `variable` reads one variable (lib/env.ts `registryVariable`); a file that cannot be read
 * or parsed throws, naming it, so a typo is found at start-up rather than as "access denied".
 */
export function credentialSource(variable: (name: string) => string | undefined, authFile: string | undefined): CredentialSource {
  let fromFile: CredentialSource = () => undefined;
  if (authFile) {
    try {
      fromFile = credentialsFromDockerConfig(readFileSync(authFile, "utf8"));
    } catch (error) {
      throw new Error(`LADDER_REGISTRY_AUTH_FILE ${authFile} is not a readable Docker config JSON file`, { cause: error });
    }
  }
  return (registry) => {
    const stem = credentialVariableStem(registry);
    const username = variable(`${stem}_USERNAME`);
    const password = variable(`${stem}_PASSWORD`);
    if (username !== undefined && password !== undefined) return { username, password };
    return fromFile(registry);
  };
}
