#!/usr/bin/env node
// The `twsa` command. A published install runs the compiled dist/cli.js; inside the workspace (right after
// `npm ci`, before any build) it runs the TypeScript sources through tsx in a worker process, so `npx twsa …` needs
// no build step. This process then stays in front of the worker: it forwards SIGINT, SIGTERM and SIGHUP to it and
// waits for it to write its checkpoint and exit; the worker watches an IPC channel to this process, so a `kill -9`
// of this process stops the worker as well (it checkpoints, marks the run interrupted and exits).
import { existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const dist = new URL('../dist/cli.js', import.meta.url);
const src = new URL('../src/cli.ts', import.meta.url);
if (existsSync(fileURLToPath(dist))) {
  const { runCli } = await import(dist.href);
  await runCli(process.argv.slice(2));
} else if (existsSync(fileURLToPath(src))) {
  const child = spawn(
    process.execPath,
    // tsx resolved from here, so that the command works from any directory.
    ['--conditions=twsa-source', '--import', import.meta.resolve('tsx'), fileURLToPath(src), ...process.argv.slice(2)],
    { stdio: ['inherit', 'inherit', 'inherit', 'ipc'], env: { ...process.env, TWSA_SUPERVISED: '1' } },
  );
  const SIGNALS = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 };
  for (const sig of Object.keys(SIGNALS)) {
    process.on(sig, () => {
      // A Ctrl-C in a terminal reaches the worker directly too (same process group); it counts signals that
      // arrive together as one, so forwarding never turns one Ctrl-C into "quit at once".
      if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    });
  }
  child.on('error', (error) => {
    console.error(`twsa: cannot start the worker: ${error.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    process.exit(code ?? (signal ? 128 + (SIGNALS[signal] ?? 1) : 1));
  });
} else {
  console.error('twsa: neither dist/cli.js nor src/cli.ts found; reinstall @twsa/reconstruct');
  process.exit(1);
}
