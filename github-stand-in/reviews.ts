/**
 * Pull request reviews: submit (approve, request changes, comment) and list. The reviewer is the
 * user the token belongs to (an OAuth user token), else the stand-in's actor; as on GitHub, the
 * author of a pull request can neither approve it nor request changes on it. A submitted review
 * announces a `pull_request_review` webhook. `submitReview` is also the control API's way to
 * review as a named person, as one would on github.com.
 */
import { checkRepo, now, type StandIn } from "./context";
import { reviewJson } from "./gate-objects";
import { HttpError, type RouteTable, record, str } from "./http";
import type { ReviewRecord, ReviewState } from "./merge-gates";
import { findPull } from "./pulls";
import { announceReview } from "./webhooks";

export type ReviewEvent = "APPROVE" | "REQUEST_CHANGES" | "COMMENT";

const STATE_OF: Record<ReviewEvent, ReviewState> = {
  APPROVE: "APPROVED",
  REQUEST_CHANGES: "CHANGES_REQUESTED",
  COMMENT: "COMMENTED",
};

/** Records a review by `user` on pull request `number` and announces it; a missing event leaves it pending. */
export function submitReview(
  s: StandIn,
  number: number,
  review: { user: string; event?: ReviewEvent; body?: string; commitId?: string },
): ReviewRecord {
  const pr = findPull(s, String(number));
  const unprocessable = (message: string) => new HttpError(422, "Unprocessable Entity", { errors: [message] });
  if (pr.state !== "open" && review.event) throw unprocessable("Can not review a closed pull request");
  if (review.user.toLowerCase() === pr.user.toLowerCase()) {
    if (review.event === "APPROVE") throw unprocessable("Can not approve your own pull request");
    if (review.event === "REQUEST_CHANGES") throw unprocessable("Can not request changes on your own pull request");
  }
  if ((review.event === "REQUEST_CHANGES" || review.event === "COMMENT") && !review.body?.trim())
    throw unprocessable(`Body is required to ${review.event === "COMMENT" ? "comment" : "request changes"}`);
  const record: ReviewRecord = {
    id: s.gates.id(),
    pullNumber: pr.number,
    user: review.user,
    state: review.event ? STATE_OF[review.event] : "PENDING",
    body: review.body ?? "",
    commitId: review.commitId ?? pr.headSha,
    submittedAt: review.event ? now() : null,
  };
  s.gates.reviews.push(record);
  if (review.event) announceReview(s, pr, record);
  return record;
}

function reviewerOf(s: StandIn, authorization: string | undefined): string {
  const token = /^(?:token|bearer)\s+(.+)$/i.exec(authorization ?? "")?.[1] ?? "";
  return s.oauth.userForToken(token)?.login ?? s.actor;
}

export function registerReviewEndpoints(routes: RouteTable, s: StandIn): void {
  const R = "/repos/{owner}/{repo}/pulls/{pull_number}/reviews";

  routes.add("POST", R, "pulls/create-review", async ({ params, body, headers }) => {
    checkRepo(s, params);
    const input = record(body);
    const event = str(input.event) as ReviewEvent | undefined;
    const review = submitReview(s, Number(params.pull_number), {
      user: reviewerOf(s, headers.authorization),
      ...(event ? { event } : {}),
      ...(str(input.body) !== undefined ? { body: str(input.body) } : {}),
      ...(str(input.commit_id) ? { commitId: str(input.commit_id) } : {}),
    });
    return { status: 200, body: reviewJson(s.urls, s.identity, review) };
  });

  routes.add("GET", R, "pulls/list-reviews", async ({ params, query }) => {
    checkRepo(s, params);
    const pr = findPull(s, params.pull_number);
    const perPage = Math.min(Number(query.get("per_page") ?? 30) || 30, 100);
    const page = Math.max(Number(query.get("page") ?? 1) || 1, 1);
    const reviews = s.gates.reviews
      .filter((r) => r.pullNumber === pr.number)
      .sort((a, b) => a.id - b.id)
      .slice((page - 1) * perPage, page * perPage);
    return { status: 200, body: reviews.map((r) => reviewJson(s.urls, s.identity, r)) };
  });
}
