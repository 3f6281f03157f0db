// The counting behind `npm test`'s last line, kept pure so every way a run can
// go wrong has a unit test (test/unit/summary.test.ts). run-all.mjs runs the
// steps and reads the reports; this decides what they add up to. The rule: a
// step that failed, or that should have produced test results and did not,
// is at least one failure, so "0 failed" only ever means nothing failed.

/** Every test a vitest JSON report counts, plus files that failed outside any test. */
function vitestCounts(report, problems, name) {
  let failed = report.numFailedTests;
  // A file that failed to import or collect, or whose hooks threw, fails its suite
  // without failing a test: numFailedTests alone would say 0.
  const files = Array.isArray(report.testResults) ? report.testResults : [];
  for (const file of files) {
    const testFailed = (file.assertionResults ?? []).some((a) => a.status === "failed");
    if (file.status === "failed" && !testFailed) {
      failed += 1;
      problems.push(`${name}: ${file.name} failed outside its tests: ${firstLine(file.message) || "no message"}`);
    }
  }
  if (files.length === 0 && report.numFailedTestSuites > 0 && failed === 0) {
    failed = report.numFailedTestSuites;
    problems.push(`${name}: ${report.numFailedTestSuites} suite(s) failed without a failed test`);
  }
  return {
    passed: report.numPassedTests,
    failed,
    skipped: report.numPendingTests + (report.numTodoTests ?? 0),
    flaky: [],
    // vitest sets success false for unhandled errors, which no count shows.
    claimsFailure: report.success === false,
  };
}

function playwrightCounts(report, problems, name) {
  const { expected, unexpected, flaky, skipped } = report.stats;
  let failed = unexpected;
  // Top-level errors are the run's own: the web server never came up, global setup threw, a file did not load.
  for (const e of Array.isArray(report.errors) ? report.errors : []) {
    failed += 1;
    problems.push(`${name}: ${firstLine(e?.message) || "error outside any test"}`);
  }
  const flakyNames = [];
  const walk = (suite, titles) => {
    const here = suite.title ? [...titles, suite.title] : titles;
    for (const spec of suite.specs ?? [])
      for (const t of spec.tests ?? []) if (t.status === "flaky") flakyNames.push([...here, spec.title].join(" › "));
    for (const child of suite.suites ?? []) walk(child, here);
  };
  for (const suite of Array.isArray(report.suites) ? report.suites : []) walk(suite, []);
  // A test that passed on retry did pass; it is named on its own line so it is not forgotten.
  return { passed: expected + flaky, failed, skipped, flaky: flakyNames, claimsFailure: false };
}

const isCount = (v) => Number.isInteger(v) && v >= 0;

function readable(format, report) {
  if (!report || typeof report !== "object") return false;
  if (format === "vitest")
    return ["numPassedTests", "numFailedTests", "numPendingTests", "numFailedTestSuites"].every((k) => isCount(report[k]));
  const s = report.stats;
  return !!s && typeof s === "object" && ["expected", "unexpected", "flaky", "skipped"].every((k) => isCount(s[k]));
}

function firstLine(text) {
  return typeof text === "string" ? (text.split("\n").find((l) => l.trim()) ?? "").trim() : "";
}

/**
 * @param {{ steps: { name: string, ok: boolean, exit?: string, format?: "vitest" | "playwright", report?: string }[],
 *           reports: Record<string, unknown> }} input
 *   `steps` are the steps that ran; `reports` maps a report path to its parsed JSON
 *   (absent when the file was not written, an Error when it could not be read).
 */
export function summarise({ steps, reports }) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const flaky = [];
  const problems = [];
  for (const step of steps) {
    // Reasons this step failed that no test count may cover; any of them makes it count at least 1.
    const reasons = step.ok ? [] : [`${step.name} failed (${step.exit ?? "non-zero exit"})`];
    let stepFailed = 0;
    if (step.format) {
      const report = step.report === undefined ? undefined : reports[step.report];
      if (report === undefined) reasons.push(`${step.name}: no report at ${step.report ?? "(none configured)"}`);
      else if (report instanceof Error) reasons.push(`${step.name}: report ${step.report} unreadable: ${report.message}`);
      else if (!readable(step.format, report)) reasons.push(`${step.name}: report ${step.report} has no ${step.format} counts`);
      else {
        const c = (step.format === "vitest" ? vitestCounts : playwrightCounts)(report, problems, step.name);
        passed += c.passed;
        skipped += c.skipped;
        stepFailed = c.failed;
        flaky.push(...c.flaky);
        if (c.passed + c.failed + c.skipped === 0) reasons.push(`${step.name}: ran no test`);
        if (c.claimsFailure) reasons.push(`${step.name}: report says the run did not succeed`);
      }
    }
    if (reasons.length > 0 && stepFailed === 0) stepFailed = 1;
    problems.push(...reasons);
    failed += stepFailed;
  }
  return { passed, failed, skipped, flaky, problems };
}

/** The closing lines: problems, then flaky tests, then the one line CI parses, always last. */
export function summaryLines({ passed, failed, skipped, flaky, problems }) {
  return [
    ...problems.map((p) => `problem: ${p}`),
    ...(flaky.length ? [`flaky: ${flaky.length} (${flaky.join("; ")})`] : []),
    `${passed} passed, ${failed} failed, ${skipped} skipped`,
  ];
}
