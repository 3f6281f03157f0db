import type { ReactNode } from "react";
import { requireViewer } from "@/app/_auth/require-viewer";

/** Sign-in and viewers are decided here, before loading.tsx starts streaming, so 401/403 stay real. */
export default async function DriftLayout({ children }: { children: ReactNode }) {
  await requireViewer();
  return children;
}
