/**
 * A registry on a bad day, through the fault proxy in front of the real one: a timeout, a 5xx,
 * a 429 and a body that is not what its digest names are each reported as such, never as found
 * or signed; a failed registry is cooled down so the next reads do not wait again; and the
 * token flows of Docker Hub, GHCR and Quay (a Bearer challenge, a token from the realm, with or
 * without credentials; Basic).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { registryChecks } from "../../lib/registry/registry-checks";
import { loadSigningKeys } from "../../lib/registry/signing-keys";
import { ecdsaKey } from "../../local-registry/cosign-signer";
import { type FaultProxy, startFaultProxy } from "../../local-registry/fault-proxy";
import type { Written } from "../../local-registry/oci-layout";
import { type RegistryWorld, startRegistryWorld } from "../support/registry";

const release = ecdsaKey();
const keys = loadSigningKeys([{ name: "release", publicKey: release.publicPem }], () => undefined);

let world: RegistryWorld;
let proxy: FaultProxy;
let image: Written;
let repo: string;

beforeAll(async () => {
  world = await startRegistryWorld();
  image = await world.pushImage("acme/api", "1.0.0", { content: "api 1.0.0" });
  await world.sign("acme/api", image.digest, [{ key: release }]);
  proxy = await startFaultProxy(world.registry.url);
  repo = `${proxy.host}/acme/api`;
});

afterEach(() => {
  proxy.fault = { kind: "none" };
  proxy.faultPath = /^\/v2\//;
});

afterAll(async () => {
  await proxy?.close();
  await world?.close();
});

const readerVia = (p: FaultProxy, options: Parameters<RegistryWorld["reader"]>[0] = {}) =>
  world.reader({ hostsList: `http://${p.host}`, ...options });

describe("faults", () => {
  it("reports a manifest whose bytes do not hash to the digest as a mismatch, and never as signed", async () => {
    proxy.fault = { kind: "corrupt" };
    const reader = readerVia(proxy);
    const evidence = await reader.evidence(repo, image.digest, { budget: reader.budget(), keys });
    expect(evidence.image).toMatchObject({ state: "mismatch", what: "manifest", digest: image.digest });
    expect(evidence.image.state === "mismatch" && evidence.image.got).not.toBe(image.digest);
    expect(evidence.signature.state).toBe("invalid");
    expect(
      registryChecks(evidence, image.digest, { name: "prod", requireSignature: "release" }, keys).map((c) => c.status),
    ).toEqual(["fail", "fail"]);
  });

  it("reports a config blob that does not match as an incomplete read, not as the image's labels", async () => {
    proxy.fault = { kind: "corrupt" };
    proxy.faultPath = /\/blobs\//;
    const reader = readerVia(proxy);
    const evidence = await reader.image(repo, image.digest, { budget: reader.budget() });
    expect(evidence).toMatchObject({ state: "found", labels: {}, created: null });
    expect(evidence.state === "found" && evidence.incomplete).toMatch(/config's bytes hash to sha256:/);
    // A corrupted signature payload is not a signature.
    const signature = await reader.signature(repo, image.digest, keys, { budget: reader.budget() });
    expect(signature).toMatchObject({ state: "invalid", reason: expect.stringMatching(/payload blob hashes to/) });
  });

  it("times out a registry that does not answer, then leaves it alone instead of waiting again", async () => {
    proxy.fault = { kind: "delay", ms: 1500 };
    const reader = readerVia(proxy, { timeoutMs: 300, cooldownMs: 60_000 });
    const started = Date.now();
    expect(await reader.image(repo, image.digest, { budget: reader.budget() })).toMatchObject({
      state: "unreachable",
      cause: "timeout",
      reason: `${proxy.host} did not answer within 0.3 s`,
    });
    expect(Date.now() - started).toBeLessThan(1200);
    const sent = reader.http.requests;
    const again = Date.now();
    const second = await reader.evidence(repo, image.digest, { budget: reader.budget(), keys });
    expect(second.image).toMatchObject({
      state: "unreachable",
      cause: "timeout",
      reason: expect.stringMatching(/not asked again for 60 s/),
    });
    expect(second.signature).toMatchObject({ state: "unreachable" });
    expect(Date.now() - again).toBeLessThan(100);
    expect(reader.http.requests).toBe(sent);
  });

  it("reports 5xx and 429 (with Retry-After) as unreachable, naming the status", async () => {
    proxy.fault = { kind: "status", status: 503 };
    const a = readerVia(proxy);
    expect(await a.image(repo, image.digest, { budget: a.budget() })).toMatchObject({
      state: "unreachable",
      cause: "server-error",
      reason: `${proxy.host} answered HTTP 503`,
    });
    proxy.fault = { kind: "status", status: 429, retryAfter: "7" };
    const b = readerVia(proxy);
    expect(await b.image(repo, image.digest, { budget: b.budget() })).toMatchObject({
      state: "unreachable",
      cause: "rate-limited",
    });
    expect(await b.image(repo, image.digest, { budget: b.budget() })).toMatchObject({
      reason: expect.stringMatching(/rate-limiting Ladder \(HTTP 429\) \(not asked again for 7 s\)/),
    });
    const c = readerVia(proxy);
    const signature = await c.signature(repo, image.digest, keys, { budget: c.budget() });
    expect(signature.state).toBe("unreachable");
  });

  it("keeps no failure: the registry answers again and the digest is found", async () => {
    const reader = readerVia(proxy, { cooldownMs: 10 });
    proxy.fault = { kind: "status", status: 500 };
    expect((await reader.image(repo, image.digest, { budget: reader.budget() })).state).toBe("unreachable");
    proxy.fault = { kind: "none" };
    await new Promise((r) => setTimeout(r, 20));
    expect((await reader.image(repo, image.digest, { budget: reader.budget() })).state).toBe("found");
  });
});

describe("token flows", () => {
  let anonymous: FaultProxy;
  let private_: FaultProxy;

  beforeAll(async () => {
    anonymous = await startFaultProxy(world.registry.url, { bearer: {} });
    private_ = await startFaultProxy(world.registry.url, { bearer: { username: "ci", password: "s3cret" } });
  });

  afterAll(async () => {
    await anonymous?.close();
    await private_?.close();
  });

  it("answers a Bearer challenge with an anonymous pull token for the repository, and reuses it", async () => {
    const reader = readerVia(anonymous);
    const evidence = await reader.evidence(`${anonymous.host}/acme/api`, image.digest, { budget: reader.budget(), keys });
    expect(evidence.image.state).toBe("found");
    expect(evidence.signature).toMatchObject({ state: "signed", keys: ["release"] });
    expect(anonymous.tokens).toEqual([{ token: "tok-1", scope: "repository:acme/api:pull", basic: undefined }]);
    // One challenge, then every request carries the token.
    const v2 = anonymous.requests.filter((r) => r.path.startsWith("/v2/"));
    expect(v2.filter((r) => r.authorization === undefined)).toHaveLength(1);
    expect(v2.slice(1).every((r) => r.authorization === "Bearer tok-1")).toBe(true);
  });

  it("sends the registry's credentials to the token endpoint, and says denied without them", async () => {
    const withCreds = readerVia(private_, { credentials: () => ({ username: "ci", password: "s3cret" }) });
    expect((await withCreds.image(`${private_.host}/acme/api`, image.digest, { budget: withCreds.budget() })).state).toBe(
      "found",
    );
    expect(private_.tokens[0]?.basic).toBe(`Basic ${Buffer.from("ci:s3cret").toString("base64")}`);
    const without = readerVia(private_);
    expect(await without.image(`${private_.host}/acme/api`, image.digest, { budget: without.budget() })).toMatchObject({
      state: "unreachable",
      cause: "denied",
      reason: `${private_.host} refused access to acme/api anonymously (no credentials configured) (HTTP 401)`,
    });
    const wrong = readerVia(private_, { credentials: () => ({ username: "ci", password: "nope" }) });
    expect(await wrong.image(`${private_.host}/acme/api`, image.digest, { budget: wrong.budget() })).toMatchObject({
      cause: "denied",
      reason: expect.stringMatching(/with the configured credentials/),
    });
  });

  it("counts token requests against the budget", async () => {
    const reader = readerVia(anonymous);
    const budget = reader.budget(2);
    // The challenge and the token spend the budget; the manifest does not fit.
    expect(await reader.image(`${anonymous.host}/acme/api`, image.digest, { budget })).toMatchObject({
      state: "skipped",
      reason: "budget",
    });
  });
});
