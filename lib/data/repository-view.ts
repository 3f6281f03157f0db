/**
 * The configured GitOps repository as the pages read it: its service, and the branch head with
 * its scan (read failures logged, their type kept for the error screens in read-failure.ts).
 */
import "server-only";
import { RepositoryNotConfiguredError, repositoryFromEnv } from "../repository-service/from-env";
import type { RepositoryService, RepositoryView } from "../repository-service/repository-service";

export { RepositoryNotConfiguredError };

/** The configured repository's service; throws RepositoryNotConfiguredError when none is set. */
export function getRepository(): RepositoryService {
  return repositoryFromEnv();
}

/** The branch head and its scan. Errors keep their type (GitHubError, …) for the error screens. */
export async function getRepositoryView(): Promise<RepositoryView> {
  const service = getRepository();
  try {
    return await service.current();
  } catch (error) {
    console.error(`reading ${service.repository}@${service.branch} failed`, error);
    throw error;
  }
}
