/**
 * Registry evidence in words, for a pull request body (Markdown) and the CLI: where the digest
 * is, when it was created, which commit of the application it was built from, and who signed it.
 * Label values come from whoever built the image, so they are shown as code and their links are
 * only ever http(s) (source-link.ts).
 */
import { shortDigest } from "../gitops/image-ref";
import type { ImageEvidence, RegistryEvidence, SignatureEvidence } from "./evidence-types";

/** Inline code that the value cannot close. */
function code(value: string): string {
  const clean = value.replace(/[\r\n]+/g, " ");
  const fence = "`".repeat(Math.max(1, ...[...clean.matchAll(/`+/g)].map((m) => m[0].length + 1)));
  return fence.length > 1 ? `${fence} ${clean} ${fence}` : `\`${clean}\``;
}

/** Link text that cannot break out of its brackets. */
function linkText(value: string): string {
  return value.replace(/[[\]\\`*_<>]/g, (c) => `\\${c}`);
}

function imageLines(image: ImageEvidence): string[] {
  switch (image.state) {
    case "found": {
      const what = image.kind === "index" ? "image index" : "image";
      const platforms = image.platforms.length ? ` (${image.platforms.join(", ")})` : "";
      const lines = [`- **Registry**: ${code(`${image.repository}@${image.digest}`)}: found, an ${what}${platforms}`];
      if (image.created) lines.push(`- **Created**: ${code(image.created)}`);
      const s = image.source;
      if (s?.revision) {
        const text = `${s.repositoryUrl ? `${s.repositoryUrl.replace(/^https?:\/\//, "")}@` : ""}${s.revision.slice(0, 12)}`;
        lines.push(`- **Source commit**: ${s.commitUrl ? `[${linkText(text)}](${s.commitUrl})` : code(text)}`);
      } else if (s?.url) lines.push(`- **Source**: ${code(s.url)}`);
      if (s?.version) lines.push(`- **Version**: ${code(s.version)}`);
      if (image.incomplete) lines.push(`- **Note**: ${image.incomplete}`);
      return lines;
    }
    case "not-found":
      return [`- **Registry**: ${code(`${image.repository}@${image.digest}`)}: **not found**`];
    case "mismatch":
      return [
        `- **Registry**: ${code(`${image.repository}@${image.digest}`)}: **mismatch**, the ${image.what} served hashes to ${code(image.got)}`,
      ];
    case "unreachable":
      return [`- **Registry**: ${code(image.repository)} unreachable: ${image.reason}`];
    case "skipped":
      return [`- **Registry**: not checked (${image.detail})`];
  }
}

function signatureLine(signature: SignatureEvidence): string | undefined {
  switch (signature.state) {
    case "signed": {
      const kinds = [...new Set(signature.signatures.filter((s) => s.verifiedBy.length && !s.problem).map((s) => s.kind))];
      return `- **Signature**: signed by ${signature.keys.map(code).join(", ")} (${kinds.map((k) => (k === "cosign" ? "cosign" : "Sigstore bundle")).join(", ")})`;
    }
    case "unsigned":
      return `- **Signature**: **unsigned** (checked ${signature.checked.map(code).join(", ")})`;
    case "invalid":
      return `- **Signature**: **invalid**: ${signature.reason}`;
    case "unreachable":
      return `- **Signature**: not checked, registry unreachable: ${signature.reason}`;
    case "skipped":
      return `- **Signature**: not checked (${signature.detail})`;
    case "no-keys":
      return undefined;
  }
}

/** The evidence as Markdown list items, for a "### Registry" section of the PR body. */
export function registryEvidenceMarkdown(evidence: RegistryEvidence): string[] {
  const signature = signatureLine(evidence.signature);
  return [...imageLines(evidence.image), ...(signature ? [signature] : [])];
}

/** One line of plain words, for a cell's tooltip or the CLI. */
export function registryEvidenceSummary(evidence: RegistryEvidence): string {
  const i = evidence.image;
  const image =
    i.state === "found"
      ? `in ${i.registry}${i.created ? `, created ${i.created}` : ""}`
      : i.state === "not-found"
        ? `not found in ${i.registry}`
        : i.state === "mismatch"
          ? `${i.registry} served other bytes for ${shortDigest(i.digest)}`
          : i.state === "unreachable"
            ? `registry unreachable (${i.reason})`
            : `registry not checked (${i.detail})`;
  const s = evidence.signature;
  const signature =
    s.state === "signed"
      ? `signed by ${s.keys.join(", ")}`
      : s.state === "unsigned"
        ? "unsigned"
        : s.state === "invalid"
          ? "signature invalid"
          : s.state === "unreachable"
            ? "signature not checked (unreachable)"
            : s.state === "skipped"
              ? "signature not checked"
              : undefined;
  return signature ? `${image}; ${signature}` : image;
}
