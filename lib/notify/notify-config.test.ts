import { describe, expect, it } from "vitest";
import { parseLadderConfig } from "../gitops/ladder-config";

const base = ["environments: [dev, staging, prod]", "apps:", "  - path: apps/{app}/overlays/{env}", "notify:"];
const parse = (...lines: string[]) => parseLadderConfig([...base, ...lines, ""].join("\n"));

describe("ladder.yaml notify:", () => {
  it("reads a Slack target and a signed webhook with their filters", () => {
    const result = parse(
      "  - name: team-slack",
      "    kind: slack",
      "    urlEnv: LADDER_NOTIFY_SLACK_URL",
      "    environments: [prod]",
      "    events: [merged, failed]",
      "  - name: ops",
      "    kind: webhook",
      "    url: https://ops.example.com/hooks/ladder",
      "    secretEnv: LADDER_NOTIFY_OPS_SECRET",
    );
    expect(result.ok && result.warnings).toEqual([]);
    expect(result.ok && result.config.notify).toEqual([
      {
        name: "team-slack",
        kind: "slack",
        urlEnv: "LADDER_NOTIFY_SLACK_URL",
        environments: ["prod"],
        events: ["merged", "failed"],
      },
      { name: "ops", kind: "webhook", url: "https://ops.example.com/hooks/ladder", secretEnv: "LADDER_NOTIFY_OPS_SECRET" },
    ]);
  });

  it.each([
    [
      ["  - name: s", "    kind: slack", "    url: https://hooks.slack.com/services/T/B/x"],
      /notify\.0\.url: a Slack incoming-webhook URL is a secret/,
    ],
    [["  - name: w", "    kind: webhook", "    url: https://ops.example.com/"], /notify\.0\.secretEnv: a webhook is signed/],
    [["  - name: w", "    kind: webhook", "    secretEnv: LADDER_NOTIFY_X"], /notify\.0\.urlEnv: a target needs `urlEnv`/],
    [
      ["  - name: w", "    kind: webhook", "    urlEnv: GITHUB_TOKEN", "    secretEnv: LADDER_NOTIFY_X"],
      /notify\.0\.urlEnv: must be an environment variable named LADDER_NOTIFY_/,
    ],
    [
      ["  - name: w", "    kind: webhook", "    url: https://u:p@ops.example.com/", "    secretEnv: LADDER_NOTIFY_X"],
      /notify\.0\.url: a URL with credentials is a secret/,
    ],
    [
      ["  - name: w", "    kind: webhook", "    url: ftp://x/", "    secretEnv: LADDER_NOTIFY_X"],
      /notify\.0\.url: must be an http\(s\) URL/,
    ],
    [["  - name: s", "    kind: slack", "    urlEnv: LADDER_NOTIFY_S", "    events: [deployed]"], /notify\.0\.events\.0/],
    [["  - name: s", "    kind: teams", "    urlEnv: LADDER_NOTIFY_S"], /notify\.0\.kind/],
    [
      ["  - name: s", "    kind: slack", "    urlEnv: LADDER_NOTIFY_S", "    channel: '#ops'"],
      /unknown key 'channel' in notify\.0/,
    ],
    [
      [
        "  - name: s",
        "    kind: slack",
        "    urlEnv: LADDER_NOTIFY_S",
        "  - name: s",
        "    kind: slack",
        "    urlEnv: LADDER_NOTIFY_T",
      ],
      /notify\.1\.name: target 's' is listed twice/,
    ],
  ])("an invalid entry makes ladder.yaml invalid, naming the field (%#)", (lines, message) => {
    const result = parse(...lines);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.message).join("\n")).toMatch(message);
    // The line points into the notify list, not at the top of the file.
    expect(result.errors[0]?.line).toBeGreaterThan(4);
  });

  it("an unknown environment is a warning on its line", () => {
    const result = parse("  - name: s", "    kind: slack", "    urlEnv: LADDER_NOTIFY_S", "    environments: [production]");
    expect(result.ok && result.warnings).toEqual([
      expect.objectContaining({ line: 8, message: "notify target s: unknown environment 'production'" }),
    ]);
  });
});
