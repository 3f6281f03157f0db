/**
 * Values safe for the browser, kept apart from lib/env.ts so that a client
 * component can import them without pulling server settings into its bundle.
 * Nothing secret may ever be added here.
 */
export const clientEnv = {
  /** How often the dashboard asks whether the branch head moved, in milliseconds. */
  headPollMs: 15_000,
} as const;
