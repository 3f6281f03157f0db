import { describe, expect, it } from "vitest";
import { type StepResult, summarise, summaryLines } from "../summary.mjs";

const UNIT = "reports/vitest-unit.json";
const E2E = "reports/playwright.json";

const unitStep = (ok = true): StepResult => ({
  name: "unit",
  ok,
  exit: ok ? "exit 0" : "exit 1",
  format: "vitest",
  report: UNIT,
});
const e2eStep = (ok = true): StepResult => ({
  name: "e2e",
  ok,
  exit: ok ? "exit 0" : "exit 1",
  format: "playwright",
  report: E2E,
});

function vitestReport(over: Record<string, unknown> = {}) {
  return {
    numTotalTestSuites: 2,
    numPassedTestSuites: 2,
    numFailedTestSuites: 0,
    numPassedTests: 10,
    numFailedTests: 0,
    numPendingTests: 1,
    numTodoTests: 0,
    success: true,
    testResults: [{ name: "/a.test.ts", status: "passed", message: "", assertionResults: [{ status: "passed" }] }],
    ...over,
  };
}

function playwrightReport(stats: Partial<Record<"expected" | "unexpected" | "flaky" | "skipped", number>>, extra = {}) {
  return { suites: [], errors: [], stats: { expected: 0, unexpected: 0, flaky: 0, skipped: 0, ...stats }, ...extra };
}

const lastLine = (s: ReturnType<typeof summarise>) => summaryLines(s).at(-1);

describe("summarise", () => {
  it("counts a clean run and prints the plain line last", () => {
    const s = summarise({
      steps: [{ name: "lint", ok: true }, unitStep(), e2eStep()],
      reports: { [UNIT]: vitestReport(), [E2E]: playwrightReport({ expected: 5, skipped: 2 }) },
    });
    expect(s).toMatchObject({ passed: 15, failed: 0, skipped: 3, problems: [] });
    expect(summaryLines(s)).toEqual(["15 passed, 0 failed, 3 skipped"]);
  });

  it("counts a failed lint (or any step without a report) as at least one failure", () => {
    const s = summarise({ steps: [{ name: "lint", ok: false, exit: "exit 1" }], reports: {} });
    expect(s.failed).toBeGreaterThanOrEqual(1);
    expect(lastLine(s)).toBe("0 passed, 1 failed, 0 skipped");
    expect(s.problems.join("\n")).toContain("lint failed (exit 1)");
  });

  it("counts each failed step once, alongside the tests that did run", () => {
    const s = summarise({
      steps: [{ name: "generate", ok: false }, { name: "typecheck", ok: false }, { name: "build", ok: false }, unitStep()],
      reports: { [UNIT]: vitestReport() },
    });
    expect(s).toMatchObject({ passed: 10, failed: 3 });
  });

  it("does not count a failed vitest step twice when its report already shows the failed tests", () => {
    const s = summarise({
      steps: [unitStep(false)],
      reports: { [UNIT]: vitestReport({ numFailedTests: 3, success: false }) },
    });
    expect(s.failed).toBe(3);
  });

  it("counts a failed vitest suite (a file that failed to import) with no failed test", () => {
    const s = summarise({
      steps: [unitStep(false)],
      reports: {
        [UNIT]: vitestReport({
          numFailedTestSuites: 1,
          numFailedTests: 0,
          success: false,
          testResults: [
            { name: "/a.test.ts", status: "passed", message: "", assertionResults: [{ status: "passed" }] },
            { name: "/b.test.ts", status: "failed", message: "Cannot find module './x'", assertionResults: [] },
          ],
        }),
      },
    });
    expect(s.failed).toBeGreaterThanOrEqual(1);
    expect(s.problems.join("\n")).toContain("/b.test.ts failed outside its tests: Cannot find module './x'");
  });

  it("counts a failed suite from the totals when the report lists no files", () => {
    const s = summarise({
      steps: [unitStep()],
      reports: { [UNIT]: vitestReport({ numFailedTestSuites: 1, numFailedTests: 0, testResults: undefined }) },
    });
    expect(s.failed).toBeGreaterThanOrEqual(1);
  });

  it("counts a file whose hooks threw even though its tests passed, plus the failed tests of other files", () => {
    const s = summarise({
      steps: [unitStep(false)],
      reports: {
        [UNIT]: vitestReport({
          numFailedTests: 1,
          numFailedTestSuites: 3,
          testResults: [
            { name: "/a.test.ts", status: "failed", message: "", assertionResults: [{ status: "failed" }, { status: "passed" }] },
            { name: "/c.test.ts", status: "failed", message: "hook\nstack", assertionResults: [{ status: "passed" }] },
          ],
        }),
      },
    });
    expect(s.failed).toBe(2);
  });

  it("counts an unhandled error (success false, nothing failed) as a failure", () => {
    const s = summarise({ steps: [unitStep()], reports: { [UNIT]: vitestReport({ success: false }) } });
    expect(s.failed).toBe(1);
  });

  it("counts a missing report of a step that ran as a failure, even when the step exited 0", () => {
    const s = summarise({ steps: [unitStep(), e2eStep()], reports: {} });
    expect(s.failed).toBe(2);
    expect(s.problems).toEqual(["unit: no report at reports/vitest-unit.json", "e2e: no report at reports/playwright.json"]);
  });

  it("counts an unreadable or malformed report as a failure", () => {
    const s = summarise({
      steps: [unitStep(), e2eStep()],
      reports: { [UNIT]: new Error("Unexpected end of JSON input"), [E2E]: { stats: { expected: "many" } } },
    });
    expect(s.failed).toBe(2);
  });

  it("ignores reports of steps that did not run", () => {
    const s = summarise({ steps: [{ name: "lint", ok: true }], reports: { [UNIT]: vitestReport({ numFailedTests: 4 }) } });
    expect(s).toMatchObject({ passed: 0, failed: 0, skipped: 0 });
  });

  it("counts a vitest run with no test at all as a failure", () => {
    const s = summarise({
      steps: [unitStep()],
      reports: { [UNIT]: vitestReport({ numPassedTests: 0, numPendingTests: 0, testResults: [] }) },
    });
    expect(s.failed).toBe(1);
    expect(s.problems).toContain("unit: ran no test");
  });

  it("counts Playwright's unexpected tests as failed", () => {
    const s = summarise({ steps: [e2eStep(false)], reports: { [E2E]: playwrightReport({ expected: 4, unexpected: 2 }) } });
    expect(s).toMatchObject({ passed: 4, failed: 2 });
  });

  it("counts a Playwright run whose stats are all 0 as a failure", () => {
    const s = summarise({ steps: [e2eStep()], reports: { [E2E]: playwrightReport({}) } });
    expect(s.failed).toBeGreaterThanOrEqual(1);
    expect(s.problems).toContain("e2e: ran no test");
  });

  it("counts Playwright's top-level errors (the web server never started)", () => {
    const s = summarise({
      steps: [e2eStep(false)],
      reports: {
        [E2E]: playwrightReport(
          {},
          { errors: [{ message: "Error: Process from config.webServer was not able to start. Exit code: 1\n  at …" }] },
        ),
      },
    });
    expect(s.failed).toBe(1);
    expect(s.problems[0]).toBe("e2e: Error: Process from config.webServer was not able to start. Exit code: 1");
  });

  it("counts top-level errors on top of the tests that ran", () => {
    const s = summarise({
      steps: [e2eStep(false)],
      reports: { [E2E]: playwrightReport({ expected: 3 }, { errors: [{ message: "globalTeardown threw" }] }) },
    });
    expect(s).toMatchObject({ passed: 3, failed: 1 });
  });

  it("counts a test that passed only on retry as passed and prints it as flaky before the last line", () => {
    const suites = [
      {
        title: "promote.spec.ts",
        specs: [
          { title: "promotes", tests: [{ status: "flaky" }] },
          { title: "steady", tests: [{ status: "expected" }] },
        ],
        suites: [{ title: "locks", specs: [{ title: "unlocks", tests: [{ status: "flaky" }] }], suites: [] }],
      },
    ];
    const s = summarise({
      steps: [e2eStep()],
      reports: { [E2E]: playwrightReport({ expected: 538, flaky: 2, skipped: 1 }, { suites }) },
    });
    expect(s).toMatchObject({ passed: 540, failed: 0, skipped: 1 });
    expect(summaryLines(s)).toEqual([
      "flaky: 2 (promote.spec.ts › promotes; promote.spec.ts › locks › unlocks)",
      "540 passed, 0 failed, 1 skipped",
    ]);
  });

  it("always ends with exactly the line CI parses", () => {
    const s = summarise({
      steps: [{ name: "lint", ok: false }, unitStep(), e2eStep()],
      reports: { [UNIT]: vitestReport(), [E2E]: playwrightReport({ expected: 1, flaky: 1 }) },
    });
    expect(lastLine(s)).toMatch(/^\d+ passed, \d+ failed, \d+ skipped$/);
  });
});
