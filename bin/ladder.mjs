#!/usr/bin/env node
// Runs the TypeScript CLI through tsx so `lib/` needs no build step.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../cmd/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
