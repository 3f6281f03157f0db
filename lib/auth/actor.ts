/** Who is acting: the signed-in person, however they signed in. */
export interface Actor {
  /** GitHub login (github), the proxy's user name (proxy) or LADDER_LOCAL_USER (local). */
  login: string;
  name: string;
  email?: string;
  via: "github" | "proxy" | "local";
}

/** GitHub's login syntax; proxy user names may also be e-mail addresses. */
const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9._@+-]{0,99})$/;

export function isValidLogin(value: string): boolean {
  return LOGIN.test(value);
}
