import fc from "fast-check";

/** Generated Kustomize trees for property tests: a base, a `dev` overlay and a `prod` overlay under test. */
export interface GeneratedTree {
  files: Record<string, string>;
}

const REPOS = [
  "ghcr.io/acme/api",
  "ghcr.io/acme/worker",
  "redis",
  "docker.io/bitnami/nginx",
  "localhost:5000/tools/x",
  "quay.io/org/sidecar",
];
const digestArb = fc.stringMatching(/^[0-9a-f]{64}$/).map((h) => `sha256:${h}`);
const tagArb = fc.constantFrom("1.0", "1.2.3", "v2", "latest", "2024-01-01");
const quoteArb = fc.constantFrom<"plain" | "double" | "single">("plain", "double", "single");
const commentArb = fc.option(fc.constantFrom("# keep me", "# promoted by ladder", "# owner: team-a"), { nil: undefined });

function q(v: string, style: "plain" | "double" | "single"): string {
  if (style === "double") return JSON.stringify(v);
  if (style === "single") return `'${v}'`;
  // Plain scalars that YAML would read as numbers or dates must be quoted to stay strings.
  return /^[\d.-]+$/.test(v) ? JSON.stringify(v) : v;
}

const containerArb = fc.record({
  tag: fc.option(tagArb, { nil: undefined }),
  digest: fc.option(digestArb, { nil: undefined }),
  quote: quoteArb,
});
const imagesEntryArb = fc.record({
  newTag: fc.option(tagArb, { nil: undefined }),
  digest: fc.option(digestArb, { nil: undefined }),
  quote: quoteArb,
  comment: commentArb,
});

export const overlayTreeArb: fc.Arbitrary<GeneratedTree> = fc
  .record({
    repos: fc.shuffledSubarray(REPOS, { minLength: 1, maxLength: 3 }),
    containers: fc.array(containerArb, { minLength: 3, maxLength: 3 }),
    entries: fc.array(fc.option(imagesEntryArb, { nil: undefined }), { minLength: 3, maxLength: 3 }),
    patched: fc.option(
      fc.record({ index: fc.nat(2), tag: tagArb, digest: fc.option(digestArb, { nil: undefined }), quote: quoteArb }),
      { nil: undefined },
    ),
    seqIndent: fc.constantFrom("", "  "),
    header: commentArb,
  })
  .map(({ repos, containers, entries, patched, seqIndent, header }) => {
    const ref = (repo: string, tag?: string, digest?: string) => `${repo}${tag ? `:${tag}` : ""}${digest ? `@${digest}` : ""}`;
    const cs = repos.map((repo, i) => {
      const c = containers[i] ?? { tag: undefined, digest: undefined, quote: "plain" as const };
      // A bare single-word name with nothing else is a placeholder; give it a tag so it is an image.
      const tag = c.tag ?? (!repo.includes("/") && !c.digest ? "7" : undefined);
      return { name: `c${i}`, image: q(ref(repo, tag, c.digest), c.quote) };
    });
    const deploy = [
      "apiVersion: apps/v1",
      "kind: Deployment",
      "metadata:",
      "  name: app",
      "spec:",
      "  template:",
      "    spec:",
      "      containers:",
      ...cs.flatMap((c) => [`        - name: ${c.name}`, `          image: ${c.image}`]),
      "",
    ].join("\n");
    const lines: string[] = [];
    if (header) lines.push(header);
    lines.push("apiVersion: kustomize.config.k8s.io/v1beta1", "kind: Kustomization", "resources:", `${seqIndent}- ../../base`);
    const files: Record<string, string> = {
      "base/kustomization.yaml": "resources:\n  - deploy.yaml\n",
      "base/deploy.yaml": deploy,
      "envs/dev/kustomization.yaml": "resources:\n  - ../../base\n",
    };
    const p = patched && patched.index < repos.length ? patched : undefined;
    if (p) {
      const repo = repos[p.index] ?? "";
      lines.push("patches:", `${seqIndent}- path: image-patch.yaml`);
      files["envs/prod/image-patch.yaml"] = [
        "# set by the release pipeline",
        "apiVersion: apps/v1",
        "kind: Deployment",
        "metadata:",
        "  name: app",
        "spec:",
        "  template:",
        "    spec:",
        "      containers:",
        `        - name: c${p.index}`,
        `          image: ${q(ref(repo, p.tag, p.digest), p.quote)}`,
        "",
      ].join("\n");
    }
    const imageLines: string[] = [];
    repos.forEach((repo, i) => {
      const e = entries[i];
      if (!e || (!e.newTag && !e.digest)) return;
      imageLines.push(`${seqIndent}- name: ${repo}${e.comment ? ` ${e.comment}` : ""}`);
      if (e.newTag) imageLines.push(`${seqIndent}  newTag: ${q(e.newTag, e.quote)}`);
      if (e.digest) imageLines.push(`${seqIndent}  digest: ${q(e.digest, e.quote)}`);
    });
    if (imageLines.length) lines.push("images:", ...imageLines);
    files["envs/prod/kustomization.yaml"] = `${lines.join("\n")}\n`;
    return { files };
  });
