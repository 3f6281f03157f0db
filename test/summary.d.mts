export interface StepResult {
  name: string;
  /** The step's command exited 0. */
  ok: boolean;
  /** How it ended when it did not: "exit 1", "SIGKILL". */
  exit?: string;
  /** The runner whose JSON report this step writes; absent for lint, typecheck, build, generate. */
  format?: "vitest" | "playwright";
  /** Path of that report, the key into `reports`. */
  report?: string;
}

export interface Summary {
  passed: number;
  failed: number;
  skipped: number;
  /** Tests that passed only on retry, by name; counted in `passed`. */
  flaky: string[];
  /** Why something counted as failed, one line each. */
  problems: string[];
}

export declare function summarise(input: { steps: readonly StepResult[]; reports: Readonly<Record<string, unknown>> }): Summary;
export declare function summaryLines(summary: Summary): string[];
