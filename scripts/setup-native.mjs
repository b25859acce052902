#!/usr/bin/env node
// `npm run setup:native`: makes the native TensorFlow engine (@tensorflow/tfjs-node) usable without its
// install-time download. tfjs-node is installed with scripts off and without touching package.json or the lock
// file, the libraries come from a TensorFlow wheel (pip, or --wheel <file>), the addon is built from source.
// The work is setupNative() in @twsa/models (also behind `twsa setup native`); this file only parses flags.
//   npm run setup:native [-- --wheel <file>] [--tensorflow <version>] [--index-url <url>] [--force]
// Exit codes: 0 ready, 1 setup failed (the message names the step and what is missing), 2 usage error.
import { parseArgs } from 'node:util';
import { setupNative } from '../packages/models/src/backend/setup-native.ts';

let values;
try {
  ({ values } = parseArgs({
    options: {
      wheel: { type: 'string' },
      tensorflow: { type: 'string' },
      'index-url': { type: 'string' },
      force: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }));
} catch (e) {
  console.error(`setup:native: ${e.message}`);
  process.exit(2);
}
if (values.help) {
  console.log('Usage: npm run setup:native [-- --wheel <file>] [--tensorflow <version>] [--index-url <url>] [--force]');
  process.exit(0);
}
try {
  const r = await setupNative({
    ...(values.wheel !== undefined ? { wheel: values.wheel } : {}),
    ...(values.tensorflow !== undefined ? { tensorflow: values.tensorflow } : {}),
    ...(values['index-url'] !== undefined ? { indexUrl: values['index-url'] } : {}),
    force: values.force,
    log: (line) => console.log(line),
  });
  console.log(
    `native engine ready: tf.getBackend() = '${r.backend}', TensorFlow ${r.loadedTensorflowVersion}, @tensorflow/tfjs-node ${r.tfjsNodeVersion} (${r.seconds.toFixed(1)} s)`,
  );
} catch (e) {
  console.error(e instanceof Error && e.name === 'NativeSetupError' ? e.message : e);
  process.exit(1);
}
