import { describe, expect, it } from "vitest";
import {
  applyImageTagEntry,
  isPlaceholderImage,
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

  it("recognises placeholders and templates", () => {
    expect(isPlaceholderImage(splitImage("frontend"))).toBe(true);
    expect(isPlaceholderImage(splitImage("redis:7"))).toBe(false);
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
