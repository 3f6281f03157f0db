/**
 * The environment variables a ladder.yaml signing key may be read from (`publicKeyEnv`). Only
 * these: ladder.yaml is written by whoever can commit to the GitOps repository, and must not be
 * able to point Ladder at any other variable of its process.
 */
export const SIGNING_KEY_VARIABLE_PATTERN = /^LADDER_SIGNING_KEY_[A-Z0-9_]+$/;
