import Link from "next/link";
import { UserMenu } from "./auth/user-menu";
import { ThemeToggle } from "./theme-toggle";

const nav = [
  { href: "/", label: "Environments" },
  { href: "/drift", label: "Drift" },
  { href: "/history", label: "History" },
  { href: "/layout", label: "Layout" },
] as const;

export function SiteHeader() {
  return (
    <header className="border-b border-zinc-200 bg-white/80 backdrop-blur dark:border-zinc-800 dark:bg-zinc-950/80">
      <div className="mx-auto flex h-14 max-w-7xl items-center gap-6 px-4 sm:px-6">
        <Link href="/" className="flex items-center gap-2 font-semibold tracking-tight">
          <svg aria-hidden="true" viewBox="0 0 24 24" className="h-5 w-5 text-indigo-600 dark:text-indigo-400">
            <path fill="currentColor" d="M6 2h2v3h8V2h2v20h-2v-3H8v3H6V2Zm2 5v3h8V7H8Zm0 5v3h8v-3H8Z" />
          </svg>
          Ladder
        </Link>
        <nav aria-label="Main" className="flex gap-4 text-sm text-zinc-600 dark:text-zinc-400">
          {nav.map((item) => (
            <Link key={item.href} href={item.href} className="hover:text-zinc-900 dark:hover:text-zinc-100">
              {item.label}
            </Link>
          ))}
        </nav>
        <div className="ml-auto flex items-center gap-2">
          <ThemeToggle />
          <UserMenu />
        </div>
      </div>
    </header>
  );
}
