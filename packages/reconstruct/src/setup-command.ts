/**
 * `twsa setup native`: builds the native TensorFlow engine (@tensorflow/tfjs-node) offline from a TensorFlow
 * wheel. A thin wrapper over {@link setupNative} of @twsa/models (the same code as `npm run setup:native`).
 *
 * @packageDocumentation
 */
import { parseArgs } from 'node:util';

/** Help text of `twsa setup`. */
export const SETUP_HELP = `Usage: twsa setup native [--wheel <file>] [--tensorflow <version>] [--index-url <url>] [--force]

Makes the native TensorFlow engine (@tensorflow/tfjs-node) usable without its install-time download: installs
the package with scripts off (not saved to package.json or the lock file), takes libtensorflow from a TensorFlow
wheel (pip download tensorflow-cpu==<version>, or the --wheel you name), builds the addon with Node's headers and
loads it once. Needs pip (unless --wheel), python3, a C++ compiler and make. Idempotent; rerun after 'npm ci'.

Options:
  --wheel <file>          a tensorflow / tensorflow-cpu wheel to take the libraries from
  --tensorflow <version>  TensorFlow version for pip (default 2.21.0)
  --index-url <url>       pip index (e.g. file:///opt/pypi/simple; default TWSA_PIP_INDEX_URL, else pip's config)
  --force                 rebuild even when everything is in place
  -h, --help`;

/** Output streams of {@link commandSetup}. */
export interface SetupIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

/**
 * Runs `twsa setup <what> [options]`.
 *
 * @param args - the arguments after `setup`
 * @param io - where to print
 * @returns the exit code: 0 ready, 1 setup failed, 2 usage error
 */
export async function commandSetup(args: readonly string[], io: SetupIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        wheel: { type: 'string' },
        tensorflow: { type: 'string' },
        'index-url': { type: 'string' },
        force: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (cause) {
    io.stderr(`twsa: ${(cause as Error).message} (see 'twsa setup --help')\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    io.stdout(SETUP_HELP + '\n');
    return 0;
  }
  if (positionals.length !== 1 || positionals[0] !== 'native') {
    io.stderr(`twsa: setup needs what to set up: 'twsa setup native' (see 'twsa setup --help')\n`);
    return 2;
  }
  const { setupNative, isBackendModuleError } = await import('@twsa/models');
  try {
    const r = await setupNative({
      ...(values.wheel !== undefined ? { wheel: values.wheel } : {}),
      ...(values.tensorflow !== undefined ? { tensorflow: values.tensorflow } : {}),
      ...(values['index-url'] !== undefined ? { indexUrl: values['index-url'] } : {}),
      force: values.force === true,
      log: (line) => io.stdout(line + '\n'),
    });
    io.stdout(
      `native engine ready: tf.getBackend() = '${r.backend}', TensorFlow ${r.loadedTensorflowVersion}, @tensorflow/tfjs-node ${r.tfjsNodeVersion} (${r.seconds.toFixed(1)} s)\n`,
    );
    return 0;
  } catch (error) {
    if (isBackendModuleError(error, 'NativeSetupError')) {
      io.stderr(`twsa: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
