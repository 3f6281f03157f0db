/**
 * Registry evidence against a real registry (Debian's CNCF Distribution, started on 127.0.0.1,
 * images pushed by skopeo from OCI layouts built here): found with created, labels and platforms;
 * not found; every manifest checked against its digest; the caches (a found digest costs nothing
 * the second time); the request budget.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseRegistryMirrors } from "../../lib/registry/registry-hosts";
import type { Written } from "../../local-registry/oci-layout";
import { type RegistryWorld, startRegistryWorld } from "../support/registry";

const SHA = "0123456789abcdef0123456789abcdef01234567";
const labels = {
  "org.opencontainers.image.source": "https://github.com/acme/api",
  "org.opencontainers.image.revision": SHA,
  "org.opencontainers.image.version": "1.4.2",
};

let world: RegistryWorld;
let image: Written;
let index: Written;

beforeAll(async () => {
  world = await startRegistryWorld();
  image = await world.pushImage("acme/api", "1.4.2", { content: "api 1.4.2", created: "2026-03-04T05:06:07Z", labels });
  index = await world.pushIndex("acme/web", "2.0.0", { content: "web 2.0.0", created: "2026-05-06T07:08:09Z", labels });
});

afterAll(async () => {
  await world?.close();
});

describe("registry evidence", () => {
  it("finds an image: created, labels, platform and the source commit, linked", async () => {
    const reader = world.reader();
    const evidence = await reader.image(`${world.registry.host}/acme/api`, image.digest, { budget: reader.budget() });
    expect(evidence).toEqual({
      state: "found",
      registry: world.registry.host,
      repository: `${world.registry.host}/acme/api`,
      digest: image.digest,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      kind: "manifest",
      platforms: ["linux/amd64"],
      created: "2026-03-04T05:06:07Z",
      labels,
      source: {
        url: "https://github.com/acme/api",
        revision: SHA,
        version: "1.4.2",
        repositoryUrl: "https://github.com/acme/api",
        commitUrl: `https://github.com/acme/api/commit/${SHA}`,
      },
    });
  });

  it("finds an index: its platforms, and created and labels from its linux/amd64 image", async () => {
    const reader = world.reader();
    const evidence = await reader.image(`${world.registry.host}/acme/web`, index.digest, { budget: reader.budget() });
    expect(evidence).toMatchObject({
      state: "found",
      kind: "index",
      mediaType: "application/vnd.oci.image.index.v1+json",
      platforms: ["linux/amd64", "linux/arm64/v8"],
      created: "2026-05-06T07:08:09Z",
      source: { revision: SHA, commitUrl: `https://github.com/acme/api/commit/${SHA}` },
    });
    // The index, its amd64 manifest, that manifest's config.
    expect(reader.http.requests).toBe(3);
  });

  it("says not found for a digest the registry does not have, and for a repository it does not have", async () => {
    const reader = world.reader();
    const missing = `sha256:${"0".repeat(64)}`;
    expect(await reader.image(`${world.registry.host}/acme/api`, missing, { budget: reader.budget() })).toEqual({
      state: "not-found",
      registry: world.registry.host,
      repository: `${world.registry.host}/acme/api`,
      digest: missing,
    });
    expect((await reader.image(`${world.registry.host}/nobody/here`, image.digest, { budget: reader.budget() })).state).toBe(
      "not-found",
    );
    // A digest in another repository of the same registry is not this repository's.
    expect((await reader.image(`${world.registry.host}/acme/web`, image.digest, { budget: reader.budget() })).state).toBe(
      "not-found",
    );
  });

  it("caches a found digest forever and a missing one for a while: the second view makes no request", async () => {
    const reader = world.reader();
    const repo = `${world.registry.host}/acme/web`;
    const missing = `sha256:${"1".repeat(64)}`;
    await reader.image(repo, index.digest, { budget: reader.budget() });
    await reader.image(repo, missing, { budget: reader.budget() });
    const before = reader.http.requests;
    expect((await reader.image(repo, index.digest, { budget: reader.budget() })).state).toBe("found");
    expect((await reader.image(repo, missing, { budget: reader.budget() })).state).toBe("not-found");
    expect(reader.http.requests - before).toBe(0);
  });

  it("shares one read between identical questions asked at once", async () => {
    const reader = world.reader();
    const repo = `${world.registry.host}/acme/api`;
    const budget = reader.budget();
    const all = await Promise.all(Array.from({ length: 5 }, () => reader.image(repo, image.digest, { budget })));
    expect(all.every((e) => e.state === "found")).toBe(true);
    expect(reader.http.requests).toBe(2);
  });

  it("skips what the view's budget does not cover, and reads it in a later view", async () => {
    const reader = world.reader();
    const repo = `${world.registry.host}/acme/web`;
    const budget = reader.budget(1);
    // One request reads the index; its platform image does not fit: found, but incomplete (and so not cached).
    const partial = await reader.image(repo, index.digest, { budget });
    expect(partial).toMatchObject({ state: "found", platforms: ["linux/amd64", "linux/arm64/v8"] });
    expect(partial.state === "found" && partial.incomplete).toMatch(/budget/);
    expect(await reader.image(`${world.registry.host}/acme/api`, image.digest, { budget })).toEqual({
      state: "skipped",
      reason: "budget",
      detail: "the registry request budget of this view is spent",
    });
    expect(budget.remaining).toBe(0);
    expect((await reader.image(repo, index.digest, { budget: reader.budget() })).state === "found").toBe(true);
  });

  it("does not ask a registry that LADDER_REGISTRIES leaves out, or when evidence is off, or for what is not a digest", async () => {
    const other = world.reader({ hostsList: "ghcr.io" });
    expect(await other.image(`${world.registry.host}/acme/api`, image.digest, { budget: other.budget() })).toMatchObject({
      state: "skipped",
      reason: "disabled",
      detail: `${world.registry.host} is not among the registries Ladder reads (LADDER_REGISTRIES)`,
    });
    const off = world.reader({ hostsList: "off" });
    expect((await off.image(`${world.registry.host}/acme/api`, image.digest, { budget: off.budget() })).state).toBe("skipped");
    expect(off.enabled).toBe(false);
    const reader = world.reader();
    expect(await reader.image(`${world.registry.host}/acme/api`, "sha256:abc", { budget: reader.budget() })).toMatchObject({
      state: "skipped",
      reason: "not-pinned",
    });
    expect(other.http.requests + off.http.requests + reader.http.requests).toBe(0);
  });

  it("reads a registry's images from its mirror (LADDER_REGISTRY_MIRRORS), naming the registry", async () => {
    const mirrors = parseRegistryMirrors(`ghcr.io=${world.registry.url}`);
    const reader = world.reader({ hostsList: "ghcr.io", mirrors });
    expect(await reader.image("ghcr.io/acme/api", image.digest, { budget: reader.budget() })).toMatchObject({
      state: "found",
      registry: "ghcr.io",
      repository: "ghcr.io/acme/api",
      created: "2026-03-04T05:06:07Z",
    });
  });
});
