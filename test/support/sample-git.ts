/** Writes the demo's sample history into a real git repository (for tests of readers and views). */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { type SampleCommit, sampleRepoCommits } from "@/cmd/demo/sample-repo";

const run = promisify(execFile);

export async function createSampleGitRepo(
  now = new Date(),
): Promise<{ dir: string; commits: SampleCommit[]; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "ladder-sample-"));
  await run("git", ["init", "-q", "-b", "main", dir]);
  const commits = sampleRepoCommits(now);
  for (const commit of commits) {
    for (const [file, content] of Object.entries(commit.files)) {
      const target = path.join(dir, file);
      if (content === null) await rm(target, { force: true });
      else {
        await mkdir(path.dirname(target), { recursive: true });
        await writeFile(target, content);
      }
    }
    await run("git", ["-C", dir, "add", "-A"]);
    const date = commit.date.toISOString();
    await run(
      "git",
      [
        "-C",
        dir,
        "-c",
        `user.name=${commit.author.name}`,
        "-c",
        `user.email=${commit.author.email}`,
        "commit",
        "-q",
        "-m",
        commit.message,
        "--date",
        date,
      ],
      { env: { ...process.env, GIT_COMMITTER_DATE: date } },
    );
  }
  return { dir, commits, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
