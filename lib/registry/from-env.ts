/**
 * The process's registry reader, built once from the environment (LADDER_REGISTRIES,
 * LADDER_REGISTRY_AUTH_FILE, LADDER_REGISTRY_<HOST>_USERNAME/PASSWORD, LADDER_REGISTRY_TIMEOUT_MS,
 * LADDER_REGISTRY_BUDGET) and cached on globalThis, so its caches outlive Next's dev reloads and
 * every page view of a replica shares them; and ladder.yaml's signing keys, loaded.
 */
import { registryVariable, type ServerEnv, serverEnv, signingKeyVariable } from "../env";
import type { LadderConfig } from "../gitops/ladder-config";
import { credentialSource } from "./credentials";
import { parseRegistryHosts, parseRegistryMirrors } from "./registry-hosts";
import { RegistryReader } from "./registry-reader";
import { loadSigningKeys, type SigningKey } from "./signing-keys";

const globalForRegistry = globalThis as unknown as { ladderRegistry?: { key: string; reader: RegistryReader } };

export function createRegistryReaderFromEnv(env: ServerEnv = serverEnv()): RegistryReader {
  // env.ts has validated the list, so it parses.
  const hosts = parseRegistryHosts(env.LADDER_REGISTRIES) ?? { enabled: false };
  return new RegistryReader({
    hosts,
    mirrors: parseRegistryMirrors(env.LADDER_REGISTRY_MIRRORS),
    credentials: credentialSource((name) => registryVariable(name), env.LADDER_REGISTRY_AUTH_FILE),
    timeoutMs: env.LADDER_REGISTRY_TIMEOUT_MS,
    defaultBudget: env.LADDER_REGISTRY_BUDGET,
    offHint: "LADDER_REGISTRIES is off; set it to the registries to read (docs/registry.md)",
  });
}

/** The process-wide reader. */
export function registryReader(env: ServerEnv = serverEnv()): RegistryReader {
  const key = [
    env.LADDER_REGISTRIES,
    env.LADDER_REGISTRY_AUTH_FILE,
    env.LADDER_REGISTRY_TIMEOUT_MS,
    env.LADDER_REGISTRY_BUDGET,
  ].join("|");
  if (globalForRegistry.ladderRegistry?.key !== key)
    globalForRegistry.ladderRegistry = { key, reader: createRegistryReaderFromEnv(env) };
  return globalForRegistry.ladderRegistry.reader;
}

const loaded = new WeakMap<object, SigningKey[]>();

/** ladder.yaml's `signing.keys`, loaded (PEMs parsed, `publicKeyEnv` read); [] without any. */
export function signingKeysOf(config: LadderConfig | undefined): SigningKey[] {
  const keys = config?.signing?.keys;
  if (!keys) return [];
  let out = loaded.get(keys);
  if (!out) {
    out = loadSigningKeys(keys, (name) => signingKeyVariable(name));
    loaded.set(keys, out);
  }
  return out;
}
