/**
 * The one "expect a failure" helper of the test suites: returns the error an action throws or rejects with, so
 * a test can assert on its type and fields; fails the test when the action completes instead.
 */

/** An error as the packages' typed error families carry it (`file`, `field`, `argument` where they apply). */
export type CaughtError = Error & { readonly file?: string; readonly field?: string; readonly argument?: string };

/**
 * Awaits `action` (a promise, or a function that is called and may be sync or async) and returns what it
 * throws or rejects with.
 * @throws Error `expected a failure` when the action completes normally.
 * @example
 * ```ts
 * const error = await caught(() => JSON.parse("{"));
 * error instanceof SyntaxError; // => true
 * ```
 */
export async function caught(action: Promise<unknown> | (() => unknown)): Promise<CaughtError> {
  try {
    await (typeof action === 'function' ? action() : action);
  } catch (error) {
    return error as CaughtError;
  }
  throw new Error('expected a failure, but the action completed');
}
