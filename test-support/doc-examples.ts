// Shared by the packages' doc-example tests (tfjs `test_snippets` style): extracts the ```ts blocks of TSDoc
// comments and runs each as async code with a package's exports in scope, checking every stated result.
//
// A stated result is `expr; // => expected` on one line, or `// => expected` on the line after a one-line `expr;`.
// It asserts that `await expr` equals the JavaScript value `expected`. `import` lines are dropped (the exports are
// already in scope). A typed-array name before an array literal (`// => Float32Array [1, 2]`) is dropped, and with
// `remarks: true` so is a trailing parenthesised remark (`// => 3 (three cells)`).
//
// A block whose first line is `// not run: <reason>` is not run; its `notRun` holds the reason, and the tests
// report it as a skipped case named with that reason (for examples that need a whole pipeline run, say).
import { readFileSync } from 'node:fs';
import ts from 'typescript';

/** One ```ts block of a source file. */
export interface DocExample {
  /** `<file label> #<n>`, 1-based in file order. */
  readonly name: string;
  readonly block: string;
  /** The reason from a first line `// not run: <reason>`; such an example is reported, not run. */
  readonly notRun?: string;
}

/** The ```ts blocks of the TSDoc in `files`, with the comment's leading ` * ` stripped. */
export function docExamples(files: readonly string[], label: (file: string) => string = (f) => f): DocExample[] {
  return files.flatMap((file) => {
    const text = readFileSync(file, 'utf8');
    const out: DocExample[] = [];
    const re = /```ts\n([\s\S]*?)```/g;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      const block = m[1]!
        .split('\n')
        .map((l) => l.replace(/^\s*\* ?/, ''))
        .join('\n');
      const notRun = /^\s*\/\/ not run: (.+)$/m.exec(block.split('\n')[0] ?? '')?.[1]?.trim();
      out.push({ name: `${label(file)} #${out.length + 1}`, block, ...(notRun ? { notRun } : {}) });
    }
    return out;
  });
}

/** Options of {@link runDocExample}. */
export interface RunDocExampleOptions {
  /** Drop a trailing ` (…)` remark after the expected value. Default false. */
  readonly remarks?: boolean;
  /** Equality of an actual and an expected value. Default: Jest's `toEqual` (NaN equals NaN). */
  readonly same?: (actual: unknown, expected: unknown) => boolean;
}

/** Rewrites the stated results of `block` into `__check(actual, expected, line)` calls. */
export function instrumentDocExample(
  block: string,
  options: RunDocExampleOptions = {},
): { code: string; checks: number } {
  const lines = block.split('\n').filter((l) => !/^\s*import\s/.test(l));
  const out: string[] = [];
  let checks = 0;
  const expectedOf = (text: string): string => {
    let e = text.trim();
    if (options.remarks) e = e.replace(/\s+\([^()]*\)\s*$/, '');
    return e.replace(/^(Float32Array|Float64Array|Int16Array|Uint8Array)\s+(?=\[)/, '');
  };
  for (const line of lines) {
    const inline = /^(.*?);\s*\/\/ => (.*)$/.exec(line);
    const alone = /^\s*\/\/ => (.*)$/.exec(line);
    if (inline && inline[1]!.trim() !== '') {
      out.push(`__check(await (${inline[1]}), (${expectedOf(inline[2]!)}), ${JSON.stringify(line.trim())});`);
      checks++;
    } else if (alone) {
      const prev = out.pop() ?? '';
      const expr = /^(.*);\s*$/.exec(prev);
      if (!expr || prev.startsWith('__check('))
        throw new Error(`"// =>" line without a preceding one-line expression: ${line}`);
      out.push(
        `__check(await (${expr[1]}), (${expectedOf(alone[1]!)}), ${JSON.stringify(`${prev.trim()} ${line.trim()}`)});`,
      );
      checks++;
    } else {
      out.push(line);
    }
  }
  return { code: out.join('\n'), checks };
}

const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (
  ...args: string[]
) => (...values: unknown[]) => Promise<void>;

/**
 * Runs one example with every export of `api` in scope. Resolves to the number of stated results checked and the
 * failed ones (each with its line and the actual value); throws if the example itself throws.
 */
export async function runDocExample(
  block: string,
  api: Record<string, unknown>,
  options: RunDocExampleOptions = {},
): Promise<{ checks: number; failures: string[] }> {
  const { code, checks } = instrumentDocExample(block, options);
  const js = ts.transpileModule(code, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
  }).outputText;
  const failures: string[] = [];
  const same = options.same ?? jestEqual;
  const check = (actual: unknown, expected: unknown, line: string): void => {
    if (!same(actual, expected)) failures.push(`${line}\n  got ${show(actual)}`);
  };
  const names = Object.keys(api);
  await new AsyncFunction('__check', ...names, js)(check, ...names.map((n) => api[n]));
  return { checks, failures };
}

function jestEqual(actual: unknown, expected: unknown): boolean {
  try {
    expect(actual).toEqual(expected);
    return true;
  } catch {
    return false;
  }
}

function show(value: unknown): string {
  try {
    return JSON.stringify(ArrayBuffer.isView(value) ? Array.from(value as unknown as ArrayLike<number>) : value);
  } catch {
    return String(value);
  }
}
