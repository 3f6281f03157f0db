import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { checkoutHelm, prepareCheckoutHelm } from "./checkout-helm";

describe("checkoutHelm", () => {
  const roots: string[] = [];
  afterEach(() => {
    for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
  });
  const root = (versions: string[]) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "ladder-helm-"));
    roots.push(dir);
    for (const v of versions) {
      const d = path.join(dir, "node_modules", ".cache", "ladder", `helm-${v}`);
      mkdirSync(d, { recursive: true });
      writeFileSync(path.join(d, "helm"), "");
    }
    return dir;
  };

  it("finds the newest unpacked Helm by version, not by spelling", () => {
    const dir = root(["v3.9.0", "v3.17.1"]);
    expect(checkoutHelm(dir)).toBe(path.join(dir, "node_modules", ".cache", "ladder", "helm-v3.17.1", "helm"));
  });

  it("finds none in a directory that is not a checkout with an unpacked Helm", () => {
    expect(checkoutHelm(root([]))).toBeUndefined();
    expect(checkoutHelm(path.join(os.tmpdir(), "no-such-ladder-checkout"))).toBeUndefined();
  });
});

describe("prepareCheckoutHelm", () => {
  it("in a directory without the layer package: absent, saying to run npm ci", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "ladder-helm-"));
    try {
      const got = await prepareCheckoutHelm(dir);
      expect(got.binary).toBeUndefined();
      if (process.platform === "linux" && process.arch === "x64") {
        expect(got.absent).toBe(true);
        expect(got.problem).toContain("run npm ci");
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
