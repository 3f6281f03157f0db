/**
 * The repository and its git data: `repos/get`, refs (read, create, delete), trees (read,
 * recursive with GitHub's truncation, create), blobs, commits (read, list by path, create) and
 * contents. Every answer comes from the bare repository through `GitStore`; writes that move a
 * ref announce a push webhook.
 */
import { checkRepo, repoJson, type StandIn } from "./context";
import { type CommitInfo, type TreeEntry, ZERO_SHA } from "./git-store";
import { base64Lines, contentEntry, gitCommit, gitRef, gitTree, restCommit } from "./github-objects";
import { HttpError, notFound, type RouteTable, record, str, unprocessable } from "./http";
import { announcePush } from "./webhooks";

/** Branch name, full ref, or SHA → commit SHA. */
export async function resolveCommitish(s: StandIn, ref: string): Promise<string | undefined> {
  if (/^[0-9a-f]{40}$/.test(ref)) return (await s.store.objectType(ref)) === "commit" ? ref : undefined;
  const candidates = ref.startsWith("refs/") ? [ref] : [`refs/heads/${ref}`, `refs/tags/${ref}`];
  for (const candidate of candidates) {
    const sha = await s.store.resolveRef(candidate);
    if (sha) return sha;
  }
  return undefined;
}

export function registerGitEndpoints(routes: RouteTable, s: StandIn): void {
  const { store } = s;
  const R = "/repos/{owner}/{repo}";

  routes.add("GET", R, "repos/get", async ({ params }) => {
    checkRepo(s, params);
    return { status: 200, body: repoJson(s) };
  });

  routes.add("GET", `${R}/git/ref/{ref}`, "git/get-ref", async ({ params }) => {
    checkRepo(s, params);
    const fullRef = `refs/${params.ref ?? ""}`;
    const sha = await store.resolveRef(fullRef);
    if (!sha) throw notFound();
    return { status: 200, body: gitRef(s.urls, s.identity, fullRef, sha) };
  });

  routes.add("GET", `${R}/git/trees/{tree_sha}`, "git/get-tree", async ({ params, query }) => {
    checkRepo(s, params);
    const treeish = params.tree_sha ?? "";
    const commit = /^[0-9a-f]{40}$/.test(treeish) ? treeish : await resolveCommitish(s, treeish);
    const tree = commit ? await store.treeOf(commit) : undefined;
    if (!tree) throw notFound();
    const recursive = query.has("recursive");
    const entries = await store.lsTree(tree, recursive);
    const limit = s.treeEntryLimit;
    const truncated = entries.length > limit;
    return {
      status: 200,
      body: gitTree(s.urls, s.identity, tree, truncated ? entries.slice(0, limit) : entries, truncated),
    };
  });

  routes.add("GET", `${R}/git/blobs/{file_sha}`, "git/get-blob", async ({ params }) => {
    checkRepo(s, params);
    const sha = params.file_sha ?? "";
    if (!/^[0-9a-f]{40}$/.test(sha)) throw notFound();
    // One git process per blob: cat-file fails for a missing or non-blob object.
    const content = await store.readBlob(sha).catch(() => {
      throw notFound();
    });
    return {
      status: 200,
      body: {
        sha,
        node_id: Buffer.from(`Blob:${sha}`).toString("base64"),
        size: content.length,
        url: `${s.urls.api}/repos/${s.owner}/${s.repoName}/git/blobs/${sha}`,
        content: base64Lines(content),
        encoding: "base64",
      },
    };
  });

  routes.add("GET", `${R}/git/commits/{commit_sha}`, "git/get-commit", async ({ params }) => {
    checkRepo(s, params);
    const c = await store.readCommit(params.commit_sha ?? "");
    if (!c) throw notFound();
    return { status: 200, body: gitCommit(s.urls, s.identity, c) };
  });

  routes.add("GET", `${R}/commits`, "repos/list-commits", async ({ params, query }) => {
    checkRepo(s, params);
    const ref = query.get("sha") ?? s.defaultBranch;
    const head = await resolveCommitish(s, ref);
    if (!head) throw notFound();
    const perPage = Math.min(Number(query.get("per_page") ?? 30) || 30, 100);
    const page = Math.max(Number(query.get("page") ?? 1) || 1, 1);
    const path = query.get("path");
    const shas = await store.log(head, path ? [path] : [], perPage, (page - 1) * perPage);
    const commits = await Promise.all(shas.map((sha) => store.readCommit(sha)));
    return {
      status: 200,
      body: commits.filter((c): c is CommitInfo => c !== undefined).map((c) => restCommit(s.urls, s.identity, c)),
    };
  });

  routes.add("GET", `${R}/contents/{path}`, "repos/get-content", async ({ params, query }) => {
    checkRepo(s, params);
    const ref = query.get("ref") ?? s.defaultBranch;
    const commit = await resolveCommitish(s, ref);
    if (!commit) throw notFound();
    const path = (params.path ?? "").replace(/^\/+|\/+$/g, "");
    const found = await store.object(path === "" ? `${commit}^{tree}` : `${commit}:${path}`);
    if (!found) throw notFound();
    if (found.type === "tree") {
      const children = await store.lsTree(found.sha, false);
      const prefix = path === "" ? "" : `${path}/`;
      return {
        status: 200,
        body: children.map((c) => contentEntry(s.urls, s.identity, ref, { ...c, path: `${prefix}${c.path}` }, c.path)),
      };
    }
    if (found.type !== "blob") throw notFound();
    const entry: TreeEntry = { mode: "100644", type: "blob", sha: found.sha, path, size: found.content.length };
    const name = path.slice(path.lastIndexOf("/") + 1);
    return {
      status: 200,
      body: {
        ...contentEntry(s.urls, s.identity, ref, entry, name),
        content: base64Lines(found.content),
        encoding: "base64",
      },
    };
  });

  routes.add("POST", `${R}/git/trees`, "git/create-tree", async ({ params, body }) => {
    checkRepo(s, params);
    const input = record(body);
    const baseTree = str(input.base_tree);
    if (baseTree && (await store.objectType(baseTree)) !== "tree") throw unprocessable("base_tree is not a valid tree oid");
    const items = Array.isArray(input.tree) ? input.tree.map(record) : [];
    const changes = await Promise.all(
      items.map(async (item) => {
        const path = str(item.path) ?? "";
        const mode = str(item.mode) ?? "100644";
        if (typeof item.content === "string") return { path, mode, sha: await store.writeBlob(item.content) };
        if (item.sha === null) return { path, mode, sha: null };
        const sha = str(item.sha);
        if (!sha || !(await store.objectType(sha))) throw unprocessable("tree.sha is not a valid blob");
        return { path, mode, sha };
      }),
    );
    const tree = await store.buildTree(baseTree, changes);
    const entries = await store.lsTree(tree, false);
    return { status: 201, body: gitTree(s.urls, s.identity, tree, entries, false) };
  });

  routes.add("POST", `${R}/git/commits`, "git/create-commit", async ({ params, body }) => {
    checkRepo(s, params);
    const input = record(body);
    const tree = str(input.tree) ?? "";
    if ((await store.objectType(tree)) !== "tree") throw unprocessable("Tree SHA does not exist");
    const parents = Array.isArray(input.parents) ? input.parents.filter((p): p is string => typeof p === "string") : [];
    for (const p of parents)
      if ((await store.objectType(p)) !== "commit") throw unprocessable("Parent SHA does not exist or is not a commit object");
    const person = (value: unknown) => {
      const r = record(value);
      const date = str(r.date);
      return {
        name: str(r.name) ?? s.actor,
        email: str(r.email) ?? `${s.actor}@users.noreply.github.com`,
        ...(date ? { time: Math.floor(Date.parse(date) / 1000) } : {}),
      };
    };
    const author = person(input.author);
    const committer = input.committer === undefined ? author : person(input.committer);
    const sha = await store.commitTree(tree, parents, str(input.message) ?? "", author, committer);
    const c = await store.readCommit(sha);
    if (!c) throw new HttpError(500, "commit vanished");
    return { status: 201, body: gitCommit(s.urls, s.identity, c) };
  });

  routes.add("POST", `${R}/git/refs`, "git/create-ref", async ({ params, body }) => {
    checkRepo(s, params);
    const input = record(body);
    const ref = str(input.ref) ?? "";
    const sha = str(input.sha) ?? "";
    if (!/^refs\/[^/]+\/.+/.test(ref))
      throw unprocessable("Reference name must start with 'refs/' and contain at least two slashes");
    if ((await store.objectType(sha)) !== "commit") throw unprocessable("Object does not exist");
    // Git's compare-and-swap against the zero SHA makes concurrent creations collide exactly once.
    if (!(await store.updateRef(ref, sha, ZERO_SHA))) throw unprocessable("Reference already exists");
    await announcePush(s, ref, undefined, sha);
    return {
      status: 201,
      body: gitRef(s.urls, s.identity, ref, sha),
      headers: { location: `${s.urls.api}/repos/${s.owner}/${s.repoName}/git/${ref}` },
    };
  });

  routes.add("DELETE", `${R}/git/refs/{ref}`, "git/delete-ref", async ({ params }) => {
    checkRepo(s, params);
    const ref = `refs/${params.ref ?? ""}`;
    const before = await store.resolveRef(ref);
    if (!before || !(await store.deleteRef(ref))) throw unprocessable("Reference does not exist");
    await announcePush(s, ref, before, undefined);
    return { status: 204 };
  });
}
