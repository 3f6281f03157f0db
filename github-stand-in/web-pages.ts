/**
 * The few web pages the demo needs from "GitHub": a pull request with its
 * description and a Merge button (the demo's stand-in for reviewing on
 * github.com), and a plain page for anything else. Everything interpolated is
 * HTML-escaped: PR titles and bodies are repository content.
 */
import type { PullRecord } from "./github-objects";

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);
}

const style = `body{font:14px/1.5 system-ui,sans-serif;max-width:56rem;margin:2rem auto;padding:0 1rem;color:#1f2328}
header{border-bottom:1px solid #d0d7de;margin-bottom:1rem;padding-bottom:.5rem;color:#57606a}
.state{display:inline-block;border-radius:2em;padding:.15rem .75rem;color:#fff;font-weight:600}
.open{background:#1f883d}.merged{background:#8250df}.closed{background:#cf222e}
pre{background:#f6f8fa;padding:1rem;overflow:auto;border-radius:6px;white-space:pre-wrap}
button{background:#1f883d;color:#fff;border:0;border-radius:6px;padding:.5rem 1rem;font-weight:600;cursor:pointer}
.secondary{background:#eaeef2;color:#24292f}`;

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${style}</style></head><body><header>Local GitHub stand-in for Ladder's demo</header>${body}</body></html>`;
}

export function pullRequestPage(owner: string, repo: string, pr: PullRecord, backUrl?: string): string {
  const state = pr.merged ? "merged" : pr.state;
  const actions =
    pr.state === "open"
      ? `<form method="post" action="/${owner}/${repo}/pull/${pr.number}/merge" style="display:inline"><button type="submit">Merge pull request</button></form>
         <form method="post" action="/${owner}/${repo}/pull/${pr.number}/close" style="display:inline"><button class="secondary" type="submit">Close</button></form>`
      : "";
  return page(
    `${pr.title} · #${pr.number}`,
    `<h1>${escapeHtml(pr.title)} <span style="color:#57606a">#${pr.number}</span></h1>
     <p><span class="state ${state}">${state}</span> ${escapeHtml(pr.user)} wants to merge <code>${escapeHtml(pr.head)}</code> into <code>${escapeHtml(pr.base)}</code></p>
     ${actions}
     ${backUrl ? `<p><a href="${escapeHtml(backUrl)}">Back to Ladder</a></p>` : ""}
     <pre>${escapeHtml(pr.body ?? "")}</pre>`,
  );
}

export function plainPage(title: string, text: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p>`);
}
