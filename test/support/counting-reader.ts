import type { RepoReader } from "@/lib/snapshot/types";

/**
 * A reader that counts what it is asked for. Without `commitChange` it hides the reader's own, as a
 * reader that cannot say what a commit changed (the service then walks whole trees).
 */
export function countingReader(reader: RepoReader, options: { commitChange: boolean }) {
  const calls = { snapshot: 0, history: 0, commitChange: 0 };
  const wrapped: RepoReader = {
    snapshot: (ref) => {
      calls.snapshot++;
      return reader.snapshot(ref);
    },
    history: (paths, o) => {
      calls.history++;
      return reader.history(paths, o);
    },
  };
  if (options.commitChange)
    wrapped.commitChange = (sha) => {
      calls.commitChange++;
      if (!reader.commitChange) throw new Error("no commitChange");
      return reader.commitChange(sha);
    };
  return { wrapped, calls };
}
