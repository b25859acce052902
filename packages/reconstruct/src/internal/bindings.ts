/**
 * Looks up a function exported by a sibling `@twsa` package at run time, with a clear error when the installed
 * version lacks it (so a mismatched install fails with a message naming the package and the export).
 */
import { DependencyMissingError } from '../errors.js';

const LOADERS = {
  '@twsa/grid': () => import('@twsa/grid'),
  '@twsa/metrics': () => import('@twsa/metrics'),
  '@twsa/datasets': () => import('@twsa/datasets'),
  '@twsa/models': () => import('@twsa/models'),
} as const;

/** A `@twsa` package this package calls into. */
export type SiblingPackage = keyof typeof LOADERS;

/** True when `pkg` exports a function named `name`. */
export async function hasExport(pkg: SiblingPackage, name: string): Promise<boolean> {
  const mod = (await LOADERS[pkg]()) as unknown as Record<string, unknown>;
  return typeof mod[name] === 'function' || (typeof mod[name] === 'object' && mod[name] !== null);
}

/**
 * The export `name` of `pkg`, typed as the caller expects.
 * @throws {@link DependencyMissingError} when it is missing.
 */
export async function exportOf<T>(pkg: SiblingPackage, name: string): Promise<T> {
  const mod = (await LOADERS[pkg]()) as unknown as Record<string, unknown>;
  const value = mod[name];
  if (value === undefined) throw new DependencyMissingError(pkg, name);
  return value as T;
}
