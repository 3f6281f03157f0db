/**
 * The OCI labels that say where an image came from (`org.opencontainers.image.source`,
 * `.revision`, `.version`; image-spec annotations.md), and a link to the application
 * repository's commit when they name one. Only http(s) links are made: the labels are written by
 * whoever built the image and end up in a page and a pull request.
 */
export const OCI_SOURCE = "org.opencontainers.image.source";
export const OCI_REVISION = "org.opencontainers.image.revision";
export const OCI_VERSION = "org.opencontainers.image.version";
export const OCI_CREATED = "org.opencontainers.image.created";

export interface SourceInfo {
  /** The repository URL as labelled. */
  url: string | null;
  revision: string | null;
  version: string | null;
  /** The repository as a web URL (`git@github.com:a/b.git` → `https://github.com/a/b`), when it is one. */
  repositoryUrl: string | null;
  /** The commit's page, when `revision` is a commit SHA and the host is one Ladder knows the commit path of. */
  commitUrl: string | null;
}

/** `https://github.com/a/b`, `git+https://…/b.git`, `git@github.com:a/b.git` → `https://github.com/a/b`; else null. */
export function repositoryWebUrl(source: string): string | null {
  let text = source.trim().replace(/^git\+/, "");
  const scp = /^[\w.-]+@([\w.-]+):(?!\/\/)(.+)$/.exec(text);
  if (scp) text = `https://${scp[1]}/${scp[2]}`;
  text = text.replace(/^ssh:\/\/[\w.-]+@/, "https://").replace(/^git:\/\//, "https://");
  if (!URL.canParse(text)) return null;
  const url = new URL(text);
  if (url.protocol !== "https:" && url.protocol !== "http:") return null;
  url.username = "";
  url.password = "";
  url.search = "";
  url.hash = "";
  return url
    .toString()
    .replace(/\/+$/, "")
    .replace(/\.git$/, "");
}

/** Where a host shows one commit: GitHub and Gitea `/commit/`, GitLab `/-/commit/`, Bitbucket `/commits/`. */
function commitPath(host: string): string {
  if (host === "gitlab.com" || host.startsWith("gitlab.")) return "/-/commit/";
  if (host === "bitbucket.org") return "/commits/";
  return "/commit/";
}

export function sourceInfo(labels: Readonly<Record<string, string>>): SourceInfo | null {
  const url = labels[OCI_SOURCE]?.trim() || null;
  const revision = labels[OCI_REVISION]?.trim() || null;
  const version = labels[OCI_VERSION]?.trim() || null;
  if (!url && !revision && !version) return null;
  const repositoryUrl = url ? repositoryWebUrl(url) : null;
  const sha = revision && /^[0-9a-f]{7,64}$/i.test(revision) ? revision.toLowerCase() : null;
  const commitUrl =
    repositoryUrl && sha ? `${repositoryUrl}${commitPath(new URL(repositoryUrl).hostname)}${encodeURIComponent(sha)}` : null;
  return { url, revision, version, repositoryUrl, commitUrl };
}
