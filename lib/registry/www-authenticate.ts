/**
 * `WWW-Authenticate` challenges (RFC 9110 §11.6.1), as registries send them:
 * `Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"`.
 * Values may be quoted strings holding commas (`scope="repository:a:pull,push"`) and escaped quotes.
 */
export interface Challenge {
  /** Lower-cased: `bearer`, `basic`. */
  scheme: string;
  /** Parameter names lower-cased. */
  params: Record<string, string>;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/;

export function parseWwwAuthenticate(header: string): Challenge[] {
  const challenges: Challenge[] = [];
  let rest = header;
  let current: Challenge | undefined;
  const skip = (re: RegExp) => {
    rest = rest.replace(re, "");
  };
  while (rest.length > 0) {
    skip(/^[\s,]+/);
    const word = TOKEN.exec(rest)?.[0];
    if (!word) break;
    rest = rest.slice(word.length);
    skip(/^\s*/);
    if (rest.startsWith("=") && current) {
      rest = rest.slice(1);
      skip(/^\s*/);
      let value = "";
      if (rest.startsWith('"')) {
        let i = 1;
        for (; i < rest.length && rest[i] !== '"'; i++) {
          if (rest[i] === "\\" && i + 1 < rest.length) i++;
          value += rest[i];
        }
        rest = rest.slice(i + 1);
      } else {
        value = TOKEN.exec(rest)?.[0] ?? "";
        rest = rest.slice(value.length);
      }
      current.params[word.toLowerCase()] = value;
    } else {
      // A token68 (`Basic dXNlcg==`) is not a parameter; registries do not send one in a challenge.
      current = { scheme: word.toLowerCase(), params: {} };
      challenges.push(current);
    }
  }
  return challenges;
}
