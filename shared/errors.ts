/**
 * An error whose message is written for the operator: the CLIs print it as
 * it is, without a stack trace, and exit non-zero. Anything else that
 * reaches the top level is a bug and is reported as one.
 */
export class UserError extends Error {
  readonly hint: string | undefined;
  constructor(message: string, hint?: string) {
    super(message);
    this.name = 'UserError';
    this.hint = hint;
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
