/** What replaces a secret wherever it would have been shown. */
export const REDACTED = '[redacted]';

/**
 * Replaces every occurrence of each secret value. Values shorter than 6
 * characters are ignored: redacting "1" would mangle every line and protect
 * nothing.
 */
export function redactSecrets(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length < 6) continue;
    out = out.split(secret).join(REDACTED);
  }
  return out;
}

/**
 * Secret placeholders the hub substitutes just before it sends a task:
 * `${secret:join-token}`, or `${secret:join-token|id}` for the part before
 * the dot (a bootstrap token's public id, for a guard that asks whether it exists).
 */
export const SECRET_PLACEHOLDER = /\$\{secret:([a-z0-9-]+)(\|id)?\}/g;

export function secretRef(name: string): string {
  return `\${secret:${name}}`;
}

export function secretIdRef(name: string): string {
  return `\${secret:${name}|id}`;
}

/** Names of the secrets a string refers to. */
export function secretNamesIn(text: string): string[] {
  return [...text.matchAll(SECRET_PLACEHOLDER)].map((m) => m[1]!);
}
