/**
 * The small interface the NetCDF reader needs from a file backend (NetCDF-3 via netcdfjs, NetCDF-4/HDF5 via
 * h5wasm). Internal: not re-exported from the package.
 */

/** An attribute value as read from a file: a string, a number or a list of numbers. */
export type AttributeValue = string | number | readonly number[];

/** Metadata of one variable. */
export interface BackendVariable {
  readonly name: string;
  /** Dimension names, outermost first. */
  readonly dims: readonly string[];
  readonly shape: readonly number[];
  /** Element type, NetCDF spelling: `byte`, `char`, `short`, `int`, `float`, `double`, `string`, ... */
  readonly type: string;
  readonly attributes: Readonly<Record<string, AttributeValue>>;
}

/** An open file. */
export interface NetcdfBackend {
  readonly format: 'NetCDF-3' | 'NetCDF-4';
  readonly driver: 'netcdfjs' | 'h5wasm';
  readonly globalAttributes: Readonly<Record<string, AttributeValue>>;
  readonly variables: readonly BackendVariable[];
  /** Raw (undecoded) numeric values of a hyperslab, row-major. `start`/`count` have one entry per dimension. */
  readSlab(name: string, start: readonly number[], count: readonly number[]): ArrayLike<number>;
  /** A char (…, strlen) or string variable as one string per outer index. */
  readStrings(name: string): string[];
  close(): void;
}

/** First element of a numeric attribute, or undefined. */
export function attributeNumber(value: AttributeValue | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return undefined;
  return value.length > 0 ? value[0] : undefined;
}

/** Numeric attribute as a list, or []. */
export function attributeNumbers(value: AttributeValue | undefined): number[] {
  if (value === undefined || typeof value === 'string') return [];
  return typeof value === 'number' ? [value] : [...value];
}

/** String attribute, or undefined. */
export function attributeString(value: AttributeValue | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
