#!/usr/bin/env node
// Runs the TypeScript CLI through tsx so `lib/` needs no build step.
import { register } from "tsx/esm/api";

register();
// In a checkout, the Helm the tests render with (unpacked from a devDependency on first use) renders charts when none is configured (docs/helm.md).
const { adoptCheckoutHelm } = await import("../cmd/cli/checkout-helm.ts");
await adoptCheckoutHelm();
const { main } = await import("../cmd/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
