import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { PromotionStatus } from "../generated/prisma/client";
import {
  changeFailureRate,
  changeFailures,
  type DeliveryRow,
  leadTime,
  promotionFrequency,
  promotionReference,
  timeToRestore,
} from "./delivery-figures";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// Monday 2026-03-02 00:00 UTC (ISO week 2026-W10).
const T0 = Date.UTC(2026, 2, 2);
const ENVS = ["dev", "staging", "prod"];

let seq = 0;
/** A row; `merged` is the merge time in hours after T0 (status MERGED), else `status` with no merge. */
function row(fields: {
  app?: string;
  env?: string;
  ref?: string;
  rollback?: boolean;
  at?: number;
  merged?: number;
  status?: PromotionStatus;
  from?: string;
  by?: string;
  repository?: string;
  sourceSince?: number;
}): DeliveryRow {
  seq++;
  const at = fields.at ?? (fields.merged !== undefined ? fields.merged - 1 : 0);
  return {
    id: `p${String(seq).padStart(4, "0")}`,
    repository: fields.repository ?? "acme/gitops",
    app: fields.app ?? "api",
    fromEnv: fields.from ?? (fields.rollback ? (fields.env ?? "prod") : "staging"),
    toEnv: fields.env ?? "prod",
    reference: fields.ref ?? `sha256:${String(seq).padStart(64, "0")}`,
    rollback: fields.rollback ?? false,
    status: fields.merged !== undefined ? "MERGED" : (fields.status ?? "OPEN"),
    requestedBy: fields.by ?? "alice",
    createdAt: new Date(T0 + at * HOUR),
    closedAt:
      fields.merged !== undefined
        ? new Date(T0 + fields.merged * HOUR)
        : fields.status === "CLOSED"
          ? new Date(T0 + at * HOUR + 1)
          : null,
    sourceSince: fields.sourceSince !== undefined ? new Date(T0 + fields.sourceSince * HOUR) : null,
  };
}

/** The failures as [promotion ref, rollback ref, hours to restore]. */
function failuresOf(history: DeliveryRow[]): [string, string, number][] {
  return changeFailures(history).map((f) => [f.promotion.reference, f.rollback.reference, f.restoreMs / HOUR]);
}

describe("promotionReference", () => {
  it("is the digest, else tag:<tag>", () => {
    expect(promotionReference({ digest: "sha256:abc", tag: "1.2" })).toBe("sha256:abc");
    expect(promotionReference({ digest: null, tag: "1.2" })).toBe("tag:1.2");
  });
});

describe("changeFailures", () => {
  const cases: [string, () => DeliveryRow[], [string, string, number][]][] = [
    [
      "a promotion, then a rollback: it failed, restored when the rollback merged",
      () => [row({ ref: "B", merged: 10 }), row({ ref: "A", rollback: true, merged: 13 })],
      [["B", "A", 3]],
    ],
    [
      "a rollback to an older digest than the one the promotion replaced still fails only the running promotion",
      () => [
        row({ ref: "A", merged: 1 }),
        row({ ref: "B", merged: 10 }),
        // Back past A, to what ran before it: A had been replaced by B, a promotion, not a rollback.
        row({ ref: "X", rollback: true, merged: 12 }),
      ],
      [["B", "X", 2]],
    ],
    [
      "two promotions then one rollback: the second failed, the first was replaced by a promotion",
      () => [row({ ref: "A", merged: 1 }), row({ ref: "B", merged: 5 }), row({ ref: "A", rollback: true, merged: 6 })],
      [["B", "A", 1]],
    ],
    [
      "rollbacks closed, failed or still open fail nothing",
      () => [
        row({ ref: "B", merged: 2 }),
        row({ ref: "A", rollback: true, at: 3, status: "CLOSED" }),
        row({ ref: "A", rollback: true, at: 4, status: "FAILED" }),
        row({ ref: "A", rollback: true, at: 5, status: "OPEN" }),
      ],
      [],
    ],
    [
      "the first merged rollback restores; a second rollback before the next promotion adds nothing",
      () => [
        row({ ref: "B", merged: 2 }),
        row({ ref: "A", rollback: true, at: 3, status: "CLOSED" }),
        row({ ref: "A", rollback: true, merged: 8 }),
        row({ ref: "Z", rollback: true, merged: 9 }),
      ],
      [["B", "A", 6]],
    ],
    [
      "a rollback with no promotion before it (history began later) fails nothing",
      () => [row({ ref: "A", rollback: true, merged: 1 })],
      [],
    ],
    [
      "a promotion that never merged in between does not shield the one running",
      () => [
        row({ ref: "B", merged: 1 }),
        row({ ref: "C", at: 2, status: "CLOSED" }),
        row({ ref: "A", rollback: true, merged: 4 }),
      ],
      [["B", "A", 3]],
    ],
    [
      "fixed forward, then rolled back again: two failures",
      () => [
        row({ ref: "B", merged: 1 }),
        row({ ref: "A", rollback: true, merged: 2 }),
        row({ ref: "C", merged: 10 }),
        row({ ref: "A", rollback: true, merged: 30 }),
      ],
      [
        ["B", "A", 1],
        ["C", "A", 20],
      ],
    ],
    [
      "merge order decides, not request order: a promotion merged while the rollback was open is the one it replaced",
      () => [
        row({ ref: "B", merged: 1 }),
        row({ ref: "A", rollback: true, at: 2, merged: 6 }),
        row({ ref: "C", at: 3, merged: 4 }),
      ],
      [["C", "A", 2]],
    ],
    [
      "per environment: a rollback in prod does not fail staging's promotion of the same digest",
      () => [
        row({ ref: "B", env: "staging", merged: 1 }),
        row({ ref: "B", env: "prod", merged: 2 }),
        row({ ref: "A", env: "prod", rollback: true, merged: 5 }),
      ],
      [["B", "A", 3]],
    ],
    [
      "per app and per repository",
      () => [
        row({ ref: "B", app: "api", merged: 1 }),
        row({ ref: "W", app: "web", merged: 2 }),
        row({ ref: "O", app: "api", repository: "acme/other", merged: 3 }),
        row({ ref: "V", app: "web", rollback: true, merged: 4 }),
      ],
      [["W", "V", 2]],
    ],
    [
      "tag-only promotions count like digests",
      () => [row({ ref: "tag:1.3", merged: 1 }), row({ ref: "tag:1.2", rollback: true, merged: 2 })],
      [["tag:1.3", "tag:1.2", 1]],
    ],
  ];
  it.each(cases)("%s", (_name, history, expected) => {
    expect(failuresOf(history())).toEqual(expected);
  });
});

describe("changeFailureRate", () => {
  it("is per environment in ladder order: failing merged promotions over merged promotions, rollbacks left out", () => {
    const history = [
      row({ ref: "B", env: "staging", merged: 1 }),
      row({ ref: "C", env: "staging", merged: 2 }),
      row({ ref: "B", env: "prod", merged: 3 }),
      row({ ref: "A", env: "prod", rollback: true, merged: 4 }),
      row({ ref: "D", env: "prod", at: 5, status: "CLOSED" }),
      row({ ref: "E", env: "qa", merged: 6 }),
    ];
    const figure = changeFailureRate(history, { environments: ENVS });
    expect(figure.byEnv).toEqual([
      { env: "dev", promotions: 0, failed: 0, rate: null },
      { env: "staging", promotions: 2, failed: 0, rate: 0 },
      { env: "prod", promotions: 1, failed: 1, rate: 1 },
      { env: "qa", promotions: 1, failed: 0, rate: 0 },
    ]);
    expect(figure.overall).toEqual({ promotions: 4, failed: 1, rate: 0.25 });
    expect(changeFailureRate([], { environments: ENVS }).overall).toEqual({ promotions: 0, failed: 0, rate: null });
  });

  it("counts the selected promotions, and reads whether they failed from the whole history", () => {
    const history = [
      row({ ref: "A", at: 0, merged: 1 }),
      row({ ref: "X", rollback: true, merged: 2 }),
      row({ ref: "B", at: 24, merged: 25, by: "bob" }),
      row({ ref: "C", at: 30, merged: 31, by: "alice" }),
      // After the range: it still fails C, requested inside it.
      row({ ref: "X", rollback: true, at: 100, merged: 101 }),
    ];
    const inRange = (r: DeliveryRow) => r.createdAt.getTime() >= T0 + DAY && r.createdAt.getTime() < T0 + 2 * DAY;
    expect(changeFailureRate(history, { environments: ENVS, counts: inRange }).overall).toEqual({
      promotions: 2,
      failed: 1,
      rate: 0.5,
    });
    const bobs = (r: DeliveryRow) => inRange(r) && r.requestedBy === "bob";
    expect(changeFailureRate(history, { environments: ENVS, counts: bobs }).overall).toEqual({
      promotions: 1,
      failed: 0,
      rate: 0,
    });
  });
});

describe("timeToRestore", () => {
  it("is the median, per environment, from a failing promotion's merge to its rollback's", () => {
    const history = [
      row({ ref: "B", env: "prod", merged: 0 }),
      row({ ref: "A", env: "prod", rollback: true, merged: 1 }),
      row({ ref: "C", env: "prod", merged: 10 }),
      row({ ref: "A", env: "prod", rollback: true, merged: 13 }),
      row({ ref: "D", env: "prod", merged: 20 }),
      row({ ref: "A", env: "prod", rollback: true, merged: 30 }),
      row({ ref: "S", env: "staging", merged: 0 }),
      row({ ref: "R", env: "staging", rollback: true, merged: 4 }),
    ];
    const figure = timeToRestore(history, { environments: ENVS });
    expect(figure.byEnv.map((e) => [e.env, e.samples.length, e.medianMs === null ? null : e.medianMs / HOUR])).toEqual([
      ["dev", 0, null],
      ["staging", 1, 4],
      ["prod", 3, 3],
    ]);
    expect((figure.overall.medianMs ?? 0) / HOUR).toBe(3.5);
    const late = timeToRestore(history, { environments: ENVS, counts: (r) => r.createdAt.getTime() > T0 + 5 * HOUR });
    expect(late.overall.samples.map((s) => s.promotion.reference)).toEqual(["C", "D"]);
  });
});

describe("promotionFrequency", () => {
  it("counts requests and merges per ISO week and environment, empty weeks included", () => {
    const weeks = promotionFrequency(
      [
        row({ env: "staging", merged: 2 }),
        row({ env: "prod", at: 3, status: "CLOSED" }),
        row({ env: "prod", at: 14 * 24, status: "OPEN" }),
      ],
      { environments: ENVS },
    );
    expect(weeks.map((w) => [w.week, w.requested, w.merged])).toEqual([
      ["2026-W10", { dev: 0, staging: 1, prod: 1 }, { dev: 0, staging: 1, prod: 0 }],
      ["2026-W11", { dev: 0, staging: 0, prod: 0 }, { dev: 0, staging: 0, prod: 0 }],
      ["2026-W12", { dev: 0, staging: 0, prod: 1 }, { dev: 0, staging: 0, prod: 0 }],
    ]);
    expect(promotionFrequency([], { environments: ENVS })).toEqual([]);
    expect(promotionFrequency([row({ at: 0 })], { environments: ENVS, from: new Date(T0 - 7 * DAY) }).map((w) => w.week)).toEqual(
      ["2026-W09", "2026-W10"],
    );
  });
});

describe("leadTime", () => {
  it("runs from first seen in the first environment to the first merge into the last, a lower bound without evidence", () => {
    const toStaging = row({ ref: "D", env: "staging", from: "dev", merged: 1, sourceSince: -24 });
    const toProd = row({ ref: "D", env: "prod", merged: 72 });
    const again = row({ ref: "D", env: "prod", merged: 100 });
    const onlyProd = row({ ref: "tag:2.0", app: "web", env: "prod", at: 10, merged: 58 });
    const samples = leadTime([toProd, again, onlyProd], [toStaging, toProd, again, onlyProd], {
      firstEnv: "dev",
      lastEnv: "prod",
    });
    expect(samples.map((s) => [s.app, s.reference, s.ms / HOUR, s.basis])).toEqual([
      ["web", "tag:2.0", 48, "earliest-row"],
      ["api", "D", 96, "evidence"],
    ]);
    expect(leadTime([toProd], [], { firstEnv: "prod", lastEnv: "prod" })).toEqual([]);
  });
});

// ---------------------------------------------------------------- properties

const arbitraryHistory = fc
  .array(
    fc.record({
      app: fc.constantFrom("api", "web"),
      env: fc.constantFrom("staging", "prod"),
      rollback: fc.boolean(),
      status: fc.constantFrom<PromotionStatus>("MERGED", "MERGED", "MERGED", "CLOSED", "OPEN", "FAILED"),
      // Hours on a coarse grid, so merges tie often.
      at: fc.integer({ min: 0, max: 40 }),
      after: fc.integer({ min: 0, max: 6 }),
      by: fc.constantFrom("alice", "bob"),
    }),
    { maxLength: 40 },
  )
  .map((specs) =>
    specs.map((s) =>
      s.status === "MERGED"
        ? row({ app: s.app, env: s.env, rollback: s.rollback, at: s.at, merged: s.at + s.after, by: s.by })
        : row({ app: s.app, env: s.env, rollback: s.rollback, at: s.at, status: s.status, by: s.by }),
    ),
  );

/** The definition read literally: a merged promotion fails when the next merge of its app and environment is a rollback. */
function failuresByDefinition(history: readonly DeliveryRow[]): Map<string, string> {
  const merged = history
    .filter((r) => r.status === "MERGED" && r.closedAt)
    .sort(
      (a, b) =>
        (a.closedAt?.getTime() ?? 0) - (b.closedAt?.getTime() ?? 0) ||
        a.createdAt.getTime() - b.createdAt.getTime() ||
        a.id.localeCompare(b.id),
    );
  const out = new Map<string, string>();
  merged.forEach((p, i) => {
    if (p.rollback) return;
    const next = merged.slice(i + 1).find((r) => r.repository === p.repository && r.app === p.app && r.toEnv === p.toEnv);
    if (next?.rollback) out.set(p.id, next.id);
  });
  return out;
}

describe("properties", () => {
  it("changeFailures matches the definition, whatever the order of the rows", () => {
    fc.assert(
      fc.property(
        arbitraryHistory.chain((h) => fc.tuple(fc.constant(h), fc.shuffledSubarray(h, { minLength: h.length }))),
        ([history, shuffled]) => {
          const expected = failuresByDefinition(history);
          for (const rows of [history, shuffled]) {
            const found = changeFailures(rows);
            expect(new Map(found.map((f) => [f.promotion.id, f.rollback.id]))).toEqual(expected);
            for (const f of found) expect(f.restoreMs).toBeGreaterThanOrEqual(0);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("rows that never merged change no figure", () => {
    fc.assert(
      fc.property(arbitraryHistory, (history) => {
        const merged = history.filter((r) => r.status === "MERGED");
        const options = { environments: ENVS };
        expect(changeFailureRate(history, options)).toEqual(changeFailureRate(merged, options));
        expect(timeToRestore(history, options).overall.medianMs).toEqual(timeToRestore(merged, options).overall.medianMs);
      }),
      { numRuns: 200 },
    );
  });

  it("each environment's figures add up to the overall ones, and restores are as many as failures", () => {
    fc.assert(
      fc.property(arbitraryHistory, fc.constantFrom("alice", "bob", undefined), (history, person) => {
        const options = { environments: ENVS, counts: (r: DeliveryRow) => !person || r.requestedBy === person };
        const cfr = changeFailureRate(history, options);
        const ttr = timeToRestore(history, options);
        expect(cfr.byEnv.reduce((n, e) => n + e.promotions, 0)).toBe(cfr.overall.promotions);
        expect(cfr.byEnv.reduce((n, e) => n + e.failed, 0)).toBe(cfr.overall.failed);
        expect(ttr.overall.samples).toHaveLength(cfr.overall.failed);
        for (const e of cfr.byEnv) {
          expect(e.failed).toBeLessThanOrEqual(e.promotions);
          expect(e.rate).toBe(e.promotions === 0 ? null : e.failed / e.promotions);
          expect(ttr.byEnv.find((t) => t.env === e.env)?.samples).toHaveLength(e.failed);
        }
        // Each rollback replaces at most one promotion.
        const rollbacks = ttr.overall.samples.map((s) => s.rollback.id);
        expect(new Set(rollbacks).size).toBe(rollbacks.length);
      }),
      { numRuns: 300 },
    );
  });

  it("promotionFrequency counts every row once, merges among them", () => {
    fc.assert(
      fc.property(arbitraryHistory, (history) => {
        const weeks = promotionFrequency(history, { environments: ENVS });
        const sum = (pick: (w: (typeof weeks)[number]) => Record<string, number>) =>
          weeks.reduce((n, w) => n + Object.values(pick(w)).reduce((a, b) => a + b, 0), 0);
        expect(sum((w) => w.requested)).toBe(history.length);
        expect(sum((w) => w.merged)).toBe(history.filter((r) => r.status === "MERGED").length);
      }),
      { numRuns: 200 },
    );
  });
});
