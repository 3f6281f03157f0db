import { describe, expect, it } from "vitest";
import { imageRelation, relateCells } from "./image-relation";
import type { Cell, ImageReference } from "./types";

const ref = (repo: string, tag: string | null, digest: string | null): ImageReference => ({
  repository: repo,
  repositoryNormalised: repo === "redis" ? "docker.io/library/redis" : repo,
  tag,
  digest,
  pinned: digest !== null,
  source: { file: "x", line: 1 },
  inherited: false,
  setBy: "manifest",
  usedBy: [],
});
const D1 = `sha256:${"1".repeat(64)}`;
const D2 = `sha256:${"2".repeat(64)}`;

describe("imageRelation", () => {
  it("compares digests when pinned, tags otherwise, and normalises repositories", () => {
    expect(imageRelation(ref("a", "1", D1), ref("a", "2", D1))).toBe("same");
    expect(imageRelation(ref("a", "1", D1), ref("a", "1", D2))).toBe("differs");
    expect(imageRelation(ref("a", "1", null), ref("a", "1", D1))).toBe("differs");
    expect(
      imageRelation(ref("redis", "7", null), {
        ...ref("docker.io/redis", "7", null),
        repositoryNormalised: "docker.io/library/redis",
      }),
    ).toBe("same");
    expect(imageRelation(ref("a", "1", null), undefined)).toBe("not-deployed");
    // A bare name is what the runtime pulls: the latest tag.
    expect(imageRelation(ref("redis", null, null), ref("redis", "latest", null))).toBe("same");
    expect(imageRelation(ref("redis", null, null), ref("redis", "7", null))).toBe("differs");
  });

  it("pairs cells by repository", () => {
    const cell = (images: ImageReference[]): Cell => ({
      path: "p",
      format: "kustomize",
      images,
      unresolved: [],
      remote: [],
      ownFiles: [],
      sharedFiles: [],
      warnings: [],
    });
    const pairs = relateCells(cell([ref("a", "1", D1), ref("b", "1", null)]), cell([ref("a", "1", D2)]));
    expect(pairs.map((p) => [p.repository, p.relation])).toEqual([
      ["a", "differs"],
      ["b", "not-deployed"],
    ]);
  });
});
