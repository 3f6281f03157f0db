import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { requireViewer } from "@/app/_auth/require-viewer";
import { ReadFailureView } from "@/components/read-failure";
import { getAppEnvironments } from "@/lib/data/compare";
import { describeReadFailure } from "@/lib/data/read-failure";

/**
 * Sign-in, viewers and "no such app" are decided here, above the overview's loading.tsx, so a
 * 401, 403 or 404 is sent as such and never as a 200 that streams a skeleton. Compare checks its
 * environments in its own page, which no loading boundary wraps.
 */
export default async function AppLayout({ children, params }: { children: ReactNode; params: Promise<{ app: string }> }) {
  await requireViewer();
  const app = decodeURIComponent((await params).app);
  let environments: string[] | null;
  try {
    environments = await getAppEnvironments(app);
  } catch (error) {
    return <ReadFailureView failure={describeReadFailure(error)} />;
  }
  if (!environments) notFound();
  return children;
}
