import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  applyImageTagEntry,
  kustomizeImageMatches,
  kustomizeImagePattern,
  looksLikeImage,
  normaliseRepository,
  shortDigest,
  splitImage,
} from "./image-ref";

const D = `sha256:${"a".repeat(64)}`;

describe("image references", () => {
  it("splits name, tag and digest, with registry ports", () => {
    expect(splitImage(`gcr.io/x/p:2.8.0-alpine@${D}`)).toEqual({ name: "gcr.io/x/p", tag: "2.8.0-alpine", digest: D });
    expect(splitImage("localhost:5000/c:2")).toEqual({ name: "localhost:5000/c", tag: "2" });
    expect(splitImage(`redis@${D}`)).toEqual({ name: "redis", digest: D });
    expect(splitImage("contacts")).toEqual({ name: "contacts" });
  });

  it("normalises Docker Hub names", () => {
    expect(normaliseRepository("redis")).toBe("docker.io/library/redis");
    expect(normaliseRepository("docker.io/redis")).toBe("docker.io/library/redis");
    expect(normaliseRepository("bitnami/nginx")).toBe("docker.io/bitnami/nginx");
    expect(normaliseRepository("index.docker.io/library/redis")).toBe("docker.io/library/redis");
    expect(normaliseRepository("public.ecr.aws/docker/library/redis")).toBe("public.ecr.aws/docker/library/redis");
    expect(normaliseRepository("localhost:5000/c")).toBe("localhost:5000/c");
  });

  it("applies images: entries as Kustomize v5 does", () => {
    expect(applyImageTagEntry(`a:1@${D}`, { name: "a", newTag: "2" })).toBe("a:2");
    expect(applyImageTagEntry("a:1", { name: "a", digest: D })).toBe(`a@${D}`);
    expect(applyImageTagEntry("a:1", { name: "a", newName: "b", newTag: "2", digest: D })).toBe(`b:2@${D}`);
  });

  it("applies tagSuffix to the tag and drops a digest, after newTag and digest lose to it", () => {
    expect(applyImageTagEntry(`a:1@${D}`, { name: "a", tagSuffix: "-s" })).toBe("a:1-s");
    expect(applyImageTagEntry("a", { name: "a", tagSuffix: "-s" })).toBe("a:-s");
    expect(applyImageTagEntry("a:1", { name: "a", newTag: "2", tagSuffix: "-s" })).toBe("a:2");
  });

  it("matches images: names as Kustomize 5.5 does: a Go regular expression, sha256 digests only", () => {
    expect(kustomizeImageMatches("ghcr.io/x:1", "ghcr.io/x")).toBe(true);
    expect(kustomizeImageMatches("ghcrXio/x:1", "ghcr.io/x")).toBe(true);
    expect(kustomizeImageMatches(`ghcr.io/x:1@${D}`, "ghcr.io/x")).toBe(true);
    expect(kustomizeImageMatches("ghcr.io/x@sha512:abcd", "ghcr.io/x")).toBe(false);
    expect(kustomizeImageMatches("ghcr.io/x:1+2", "ghcr.io/x")).toBe(false);
    expect(kustomizeImageMatches("ghcr.io/x/y:1", "ghcr.io/x")).toBe(false);
    expect(kustomizeImageMatches("nginx:1", "nginx:1")).toBe(true);
    expect(kustomizeImageMatches("nginx:1", "(nginx")).toBe(false);
  });

  it("matches plain names in place exactly as the pattern's RegExp does", () => {
    const nameArb = fc.stringMatching(/^[a-z0-9_./:-]{1,12}$/);
    const imageArb = fc.tuple(
      fc.stringMatching(/^[a-z0-9_./:@\n+-]{0,16}$/),
      fc.constantFrom("", ":1", ":1.2-a", "@sha256:ab", `:1@${D}`, "@sha512:ab", ":1+2", "\n"),
    );
    fc.assert(
      fc.property(nameArb, imageArb, fc.boolean(), (name, [body, suffix], prefixed) => {
        const image = `${prefixed ? name : ""}${body}${suffix}`;
        expect(kustomizeImageMatches(image, name)).toBe(new RegExp(kustomizeImagePattern(name)).test(image));
      }),
      { seed: 15, numRuns: 3000 },
    );
  });

  it("recognises templates", () => {
    expect(looksLikeImage("{{ .Values.image.repository }}:{{ .Values.image.tag }}")).toBe(false);
    // Kargo expression syntax, built so it does not read as a JS template by mistake.
    expect(looksLikeImage(`$${"{{"} vars.image }}`)).toBe(false);
  });
});

describe("shortDigest", () => {
  const digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  it("keeps the algorithm and 12 hex characters", () => expect(shortDigest(digest)).toBe("sha256:0123456789ab"));
  it("or the hex alone", () => expect(shortDigest(digest, { algorithm: false })).toBe("0123456789ab"));
  it("takes a bare hex string as it is", () => expect(shortDigest("0123456789abcdef")).toBe("0123456789ab"));
});
