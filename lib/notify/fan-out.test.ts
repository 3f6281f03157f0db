import { describe, expect, it } from "vitest";
import { wants } from "./fan-out";
import type { NotifyTarget } from "./notify-config";

describe("routing by environments and events", () => {
  const target = (extra: Partial<NotifyTarget>): NotifyTarget => ({
    name: "t",
    kind: "slack",
    urlEnv: "LADDER_NOTIFY_T",
    ...extra,
  });

  it("without filters a target wants every event", () => {
    expect(wants(target({}), { type: "environment.locked", env: "dev" })).toBe(true);
    expect(wants(target({}), { type: "promotion.refused", env: null })).toBe(true);
  });

  it("filters by the event's environment and by event name", () => {
    const prodMerges = target({ environments: ["prod"], events: ["merged", "locked"] });
    expect(wants(prodMerges, { type: "promotion.merged", env: "prod" })).toBe(true);
    expect(wants(prodMerges, { type: "promotion.merged", env: "staging" })).toBe(false);
    expect(wants(prodMerges, { type: "promotion.opened", env: "prod" })).toBe(false);
    expect(wants(prodMerges, { type: "environment.locked", env: "prod" })).toBe(true);
    expect(wants(prodMerges, { type: "environment.unlocked", env: "prod" })).toBe(false);
  });
});
