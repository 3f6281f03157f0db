// `postbuild`: Next's standalone output leaves static assets and public/ out
// (a CDN usually serves them); copy them in so .next/standalone/server.js
// serves everything itself, as `npm start`, the tests and the container do.
import { cpSync, existsSync, rmSync } from "node:fs";
import path from "node:path";

const standalone = path.resolve(".next", "standalone");
if (!existsSync(path.join(standalone, "server.js"))) {
  console.error("copy-standalone-assets: no .next/standalone/server.js (is output: 'standalone' set?)");
  process.exit(1);
}
const staticTarget = path.join(standalone, ".next", "static");
rmSync(staticTarget, { recursive: true, force: true });
cpSync(path.resolve(".next", "static"), staticTarget, { recursive: true });
if (existsSync("public")) cpSync("public", path.join(standalone, "public"), { recursive: true });
