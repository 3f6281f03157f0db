/**
 * The `notify:` targets that route an event: those of the ladder.yaml at the branch head. An
 * invalid ladder.yaml routes nothing — the events wait, they are not sent by an older file, the
 * same fail-closed rule as for policy — and a missing one has no targets.
 */
import { policyConfig } from "../gitops/ladder-yaml-status";
import type { RepositoryService } from "../repository-service/repository-service";
import type { Routing } from "./fan-out";

export function routingFromRepository(repo: RepositoryService): () => Promise<Routing> {
  return async () => {
    const view = await repo.current();
    const status = view.scan.layout.ladderYaml;
    if (status.state === "invalid") {
      const first = status.errors[0];
      const error = first ? `${first.file}:${first.line}: ${first.message}` : "it does not validate";
      return {
        ok: false,
        reason: `${status.file} at ${status.commit.slice(0, 7)} is invalid (${error}); notifications wait until it is fixed`,
      };
    }
    return { ok: true, targets: policyConfig(view.scan)?.notify ?? [] };
  };
}
