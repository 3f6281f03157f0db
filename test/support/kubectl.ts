import { execFileSync } from "node:child_process";

/** `kubectl` (with Kustomize) is on the PATH: the oracle the Kustomize tests compare against. Asked once. */
export const hasKubectl: boolean = (() => {
  try {
    execFileSync("kubectl", ["version", "--client"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();
