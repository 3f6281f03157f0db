/**
 * The matrix's compact rows (grid-data.ts) and the one client component that draws them
 * (matrix-grid.tsx), rendered to markup as the server does: what each cell says, that the data
 * carries nothing it can derive, and that a page's commits and badge keys are listed once.
 */
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { OpenPromotionView } from "@/lib/data/promotions";
import type { MatrixCell, MatrixImage, MatrixRow } from "@/lib/matrix/environment-matrix";
import { versionText } from "@/lib/matrix/environment-matrix";
import { waitingPullRequestStatus } from "@/test/support/pull-request-status";
import { toGridData } from "./grid-data";
import { badgeKeys, imageRef, imageShort, imageVersion } from "./grid-types";
import { MatrixGrid } from "./matrix-grid";

const D1 = `sha256:${"a".repeat(64)}`;
const D2 = `sha256:${"b".repeat(64)}`;

function image(tag: string | null, digest: string | null, extra: Partial<MatrixImage> = {}): MatrixImage {
  const repository = "ghcr.io/acme/api";
  return {
    repository,
    tag,
    digest,
    shortDigest: digest ? digest.slice(0, 19) : null,
    pinned: digest !== null,
    reference: `${repository}${tag ? `:${tag}` : ""}${digest ? `@${digest}` : ""}`,
    pull: `${repository}${tag ? `:${tag}` : ""}${digest ? `@${digest}` : ""}`,
    labels: [],
    inherited: false,
    source: { file: "apps/api/base/deployment.yaml", line: 9 },
    ...extra,
  };
}

const change = {
  sha: "c".repeat(40),
  author: "Ada",
  date: "2026-11-30T10:00:00Z",
  message: "Bump api",
  url: "https://github.test/c",
};

function cell(env: string, extra: Partial<MatrixCell>): MatrixCell {
  return {
    env,
    path: `apps/api/overlays/${env}`,
    images: [],
    relation: "bottom",
    promotable: false,
    belowTagOnly: false,
    warnings: [],
    unresolved: [],
    ...extra,
  };
}

const status = waitingPullRequestStatus;

const open: OpenPromotionView = {
  id: "p",
  status: "OPEN",
  prNumber: 4,
  prUrl: "http://github.test/acme/gitops/pull/4",
  summary: "OPEN · 1 of 2 approvals · checks pending",
  reviewStatus: status,
  autoMerge: true,
};

const rows: MatrixRow[] = [
  {
    app: "api",
    format: "kustomize",
    waiting: 1,
    warnings: 0,
    cells: {
      dev: cell("dev", { images: [image("1.3.0", D2)], lastChange: change }),
      staging: cell("staging", {
        images: [image("1.3.0", D2)],
        relation: "same",
        relationTo: "dev",
        lastChange: change,
      }),
      prod: cell("prod", {
        images: [image("1.2.0", D1)],
        relation: "differs",
        relationTo: "staging",
        promotable: true,
        drift: 2,
        warnings: [{ file: "apps/api/overlays/prod/kustomization.yaml", line: 3, message: "unknown field", code: "x" }],
        lastChange: { ...change, sha: "d".repeat(40), url: undefined },
      }),
    },
  },
  {
    app: "worker",
    format: "helm",
    waiting: 0,
    warnings: 0,
    cells: {
      dev: cell("dev", { images: [image("latest", null)] }),
      staging: null,
      prod: cell("prod", { unresolved: [{ reference: "values.yaml", reason: "the chart sets the repository", tag: "2.0.0" }] }),
    },
  },
];

const matrix = { repository: "acme/gitops", commit: "e".repeat(40), environments: ["dev", "staging", "prod"], rows };

function render(registry = false): string {
  const data = toGridData(matrix, { "api|prod": open }, registry);
  const client = new QueryClient();
  return renderToStaticMarkup(createElement(QueryClientProvider, { client }, createElement(MatrixGrid, { data })));
}

describe("the matrix grid's data", () => {
  it("lists each commit once and refers to it by index", () => {
    const data = toGridData(matrix, {}, false);
    expect(data.commits.map((c) => c.sha)).toEqual(["c".repeat(40), "d".repeat(40)]);
    expect(data.rows[0]?.cells.map((c) => c?.change)).toEqual([0, 0, 1]);
  });

  it("sends no undefined field (RSC would spell each one `$undefined`) and nothing derivable", () => {
    const json = JSON.stringify(toGridData(matrix, { "api|prod": open }, false));
    const parsed = JSON.parse(json);
    expect(JSON.stringify(parsed)).toBe(json);
    for (const absent of [
      '"path"',
      '"source"',
      '"inherited"',
      '"pull"',
      '"reviewStatus"',
      '"reference"',
      '"shortDigest"',
      '"relationTo"',
      '"env"',
    ])
      expect(json).not.toContain(absent);
    expect(json).not.toContain("undefined");
  });

  it("keys registry badges by repository@digest, pinned images only, once each", () => {
    const data = toGridData(matrix, {}, true);
    expect(badgeKeys(data)).toEqual([`ghcr.io/acme/api@${D2}`, `ghcr.io/acme/api@${D1}`]);
  });

  it("derives in the browser exactly what lib/ would have sent: reference, version, short digest", () => {
    const written = image("1.0", D1, { reference: `ghcr.io/acme/api:1.0@${D1}  # as written` });
    const cases = [image("1.3.0", D2), image(null, D1), image("latest", null), image(null, null), written];
    const data = toGridData(
      { ...matrix, rows: [{ ...rows[0], cells: { dev: cell("dev", { images: cases }) } } as MatrixRow] },
      {},
      false,
    );
    const sent = data.rows[0]?.cells[0]?.images ?? [];
    expect(sent.map(imageRef)).toEqual(cases.map((c) => c.reference));
    expect(sent.map(imageVersion)).toEqual(cases.map(versionText));
    expect(sent.map((i) => imageShort(i) ?? null)).toEqual(cases.map((c) => c.shortDigest));
    expect(sent[4]?.written).toBe(written.reference);
    expect(sent[0]?.written).toBeUndefined();
  });
});

describe("the matrix grid, rendered", () => {
  const html = render();

  it("says what each cell runs, how it relates to the rung below, and what is waiting", () => {
    expect(html).toContain('data-testid="cell-api-staging"');
    expect(html).toContain("same as dev");
    expect(html).toContain("differs from staging");
    expect(html).toContain('href="/apps/api/compare?from=staging&amp;to=prod"');
    expect(html).toContain("2 drift");
    expect(html).toContain("1 warning");
    expect(html).toContain("apps/api/overlays/prod/kustomization.yaml:3: unknown field");
    expect(html).toContain('aria-label="Promote from staging: api to prod"');
    expect(html).toContain("· 1 waiting");
  });

  it("shows the open promotion as the pull request, its state and what it waits for", () => {
    expect(html).toContain('data-testid="open-promotion-api-prod"');
    expect(html).toContain('href="http://github.test/acme/gitops/pull/4"');
    expect(html).toContain("PR #4 · OPEN · 1 of 2 approvals · checks pending · auto-merge");
    expect(html).toContain("Approved by alice");
  });

  it("labels tag-only images, a missing cell and a tag whose repository the chart decides", () => {
    expect(html).toContain("tag only");
    expect(html).toContain("not deployed");
    expect(html).toContain("repository from the chart");
    expect(html).toContain('data-testid="cell-worker-prod"');
  });

  it("links the last change's commit when the repository has a web URL, else shows the sha", () => {
    expect(html).toContain('href="https://github.test/c"');
    expect(html).toContain(`>${"d".repeat(7)}</span>`);
  });

  it("draws no registry badge before the registry answers (and asks nothing when evidence is off)", () => {
    expect(render(true)).not.toContain("registry-badge");
    expect(html).not.toContain("registry-badge");
  });
});
