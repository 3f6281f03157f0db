/**
 * A digest's signatures, cosign's `.sig` tag and Sigstore bundle referrers together, as one answer:
 * signed (by which keys), unsigned (naming each place looked), invalid (saying why each signature
 * does not count), or unreachable or skipped when Ladder could not tell — never "unsigned" for a
 * registry it could not read.
 */
import { readCosignSignatures } from "./cosign";
import type { AskedFor, SignatureCheck, SignatureEvidence } from "./evidence-types";
import type { FetchContext } from "./fetch-oci";
import type { RegistryLocation } from "./registry-hosts";
import type { SigningKey } from "./signing-keys";
import { readBundleSignatures } from "./sigstore-bundle";

export async function readSignatureEvidence(
  ctx: FetchContext,
  loc: RegistryLocation,
  asked: AskedFor,
  keys: readonly SigningKey[],
): Promise<SignatureEvidence> {
  if (keys.length === 0) return { state: "no-keys" };
  const cosign = await readCosignSignatures(ctx, loc, asked, keys);
  const checks: SignatureCheck[] = [];
  const checked: string[] = [];
  if (cosign.kind === "found") checks.push(...cosign.checks);
  if (cosign.kind === "none") checked.push(cosign.checked);
  // A good cosign signature settles it: the referrers are not read (saving the requests).
  if (!checks.some((c) => c.verifiedBy.length > 0 && !c.problem)) {
    const bundles =
      cosign.kind === "budget" || cosign.kind === "unreachable" ? cosign : await readBundleSignatures(ctx, loc, asked, keys);
    if (bundles.kind === "found") checks.push(...bundles.checks);
    if (bundles.kind === "none") checked.push(bundles.checked);
    const good = checks.some((c) => c.verifiedBy.length > 0 && !c.problem);
    if (!good && bundles.kind === "budget")
      return { state: "skipped", reason: "budget", detail: "the registry request budget of this view is spent" };
    if (!good && bundles.kind === "unreachable")
      return { ...asked, state: "unreachable", cause: bundles.cause, reason: bundles.reason };
  }
  const good = checks.filter((c) => c.verifiedBy.length > 0 && !c.problem);
  if (good.length > 0)
    return { ...asked, state: "signed", keys: [...new Set(good.flatMap((c) => c.verifiedBy))], signatures: checks };
  if (checks.length > 0)
    return { ...asked, state: "invalid", reason: checks.map((c) => `${c.where}: ${c.problem}`).join("; "), signatures: checks };
  return { ...asked, state: "unsigned", checked };
}
