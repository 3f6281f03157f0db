import { describe, expect, it } from "vitest";
import { repositoryWebUrl, sourceInfo } from "./source-link";

describe("source labels", () => {
  it("links a GitHub, GitLab or Bitbucket commit", () => {
    const sha = "0123456789abcdef0123456789abcdef01234567";
    const of = (url: string) =>
      sourceInfo({ "org.opencontainers.image.source": url, "org.opencontainers.image.revision": sha })?.commitUrl;
    expect(of("https://github.com/acme/api")).toBe(`https://github.com/acme/api/commit/${sha}`);
    expect(of("git@github.com:acme/api.git")).toBe(`https://github.com/acme/api/commit/${sha}`);
    expect(of("git+https://gitlab.com/acme/api.git")).toBe(`https://gitlab.com/acme/api/-/commit/${sha}`);
    expect(of("https://bitbucket.org/acme/api/")).toBe(`https://bitbucket.org/acme/api/commits/${sha}`);
  });

  it("makes no link of a revision that is not a SHA, or of a URL that is not http(s)", () => {
    expect(
      sourceInfo({ "org.opencontainers.image.source": "https://github.com/a/b", "org.opencontainers.image.revision": "main" }),
    ).toMatchObject({ revision: "main", commitUrl: null, repositoryUrl: "https://github.com/a/b" });
    expect(repositoryWebUrl("javascript:alert(1)")).toBeNull();
    expect(repositoryWebUrl("https://user:secret@github.com/a/b")).toBe("https://github.com/a/b");
    expect(sourceInfo({})).toBeNull();
    expect(sourceInfo({ "org.opencontainers.image.version": "1.2.3" })).toMatchObject({ version: "1.2.3", url: null });
  });
});
