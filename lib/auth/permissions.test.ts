import { describe, expect, it, vi } from "vitest";
import { parseLadderConfig } from "../gitops/ladder-config";
import type { Actor } from "./actor";
import { decide, rulesFromConfig } from "./permissions";

const actor = (login: string): Actor => ({ login, name: login, via: "github" });

function rules(yaml: string) {
  const parsed = parseLadderConfig(yaml);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return rulesFromConfig(parsed.config);
}

const ladder = rules(`
environments:
  - dev
  - name: staging
    promoters: []
  - name: prod
    promoters: [alice, acme/release]
    lockers: ["@carol"]
apps:
  - path: apps/{app}/overlays/{env}
`);

const teams = (members: Record<string, string[]>) =>
  vi.fn(async (login: string, team: string) => members[team]?.includes(login) ?? false);

describe("decide", () => {
  it("refuses a promoter who is not listed and names the rule", async () => {
    const decision = await decide(actor("bob"), "promote", { env: "prod" }, ladder, teams({}));
    expect(decision).toEqual({
      allowed: false,
      rule: "prod promoters",
      reason: "prod promoters are [alice, acme/release]; bob is not one of them",
    });
  });

  it("allows a listed login (case-insensitive) and a team member", async () => {
    expect((await decide(actor("Alice"), "promote", { env: "prod" }, ladder, teams({}))).allowed).toBe(true);
    const membership = teams({ "acme/release": ["dave"] });
    expect((await decide(actor("dave"), "promote", { env: "prod" }, ladder, membership)).allowed).toBe(true);
    expect(membership).toHaveBeenCalledWith("dave", "acme/release");
  });

  it("lets any signed-in user act where the list is empty or absent", async () => {
    expect((await decide(actor("bob"), "promote", { env: "staging" }, ladder, teams({}))).allowed).toBe(true);
    expect((await decide(actor("bob"), "promote", { env: "dev" }, ladder, teams({}))).allowed).toBe(true);
    expect((await decide(actor("bob"), "lock", { env: "dev" }, ladder, teams({}))).allowed).toBe(true);
  });

  it("checks lockers separately from promoters, accepting @login", async () => {
    expect((await decide(actor("alice"), "lock", { env: "prod" }, ladder, teams({}))).reason).toBe(
      "prod lockers are [@carol]; alice is not one of them",
    );
    expect((await decide(actor("carol"), "lock", { env: "prod" }, ladder, teams({}))).allowed).toBe(true);
  });

  it("refuses an environment ladder.yaml does not list", async () => {
    const decision = await decide(actor("alice"), "promote", { env: "../../etc" }, ladder, teams({}));
    expect(decision.allowed).toBe(false);
    expect(decision.rule).toBe("environments");
  });

  it("applies viewers to every action", async () => {
    const restricted = rules(`
viewers: [acme/eng]
environments: [dev, prod]
apps:
  - path: apps/{app}/{env}
`);
    const membership = teams({ "acme/eng": ["alice"] });
    expect(await decide(actor("mallory"), "view", {}, restricted, membership)).toMatchObject({
      allowed: false,
      rule: "viewers",
      reason: "viewers are [acme/eng]; mallory is not one of them",
    });
    expect((await decide(actor("mallory"), "promote", { env: "dev" }, restricted, membership)).rule).toBe("viewers");
    expect((await decide(actor("alice"), "view", {}, restricted, membership)).allowed).toBe(true);
  });

  it("fails closed when the membership lookup throws", async () => {
    const broken = vi.fn(async () => {
      throw new Error("GitHub is down");
    });
    const spy = vi.spyOn(console, "error").mockImplementation(() => {});
    expect((await decide(actor("dave"), "promote", { env: "prod" }, ladder, broken)).allowed).toBe(false);
    spy.mockRestore();
  });

  it("without ladder.yaml, any signed-in user may do anything", async () => {
    const none = rulesFromConfig(undefined);
    expect((await decide(actor("bob"), "promote", { env: "prod" }, none, teams({}))).allowed).toBe(true);
  });
});
