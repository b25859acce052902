/**
 * NetCDF-4 / HDF5 backend over `h5wasm` (node build, host file system through NODERAWFS). Hyperslabs are read
 * with `Dataset.slice`, so memory stays bounded by one frame. Internal: not re-exported from the package.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import * as nodePath from 'node:path';
import type h5wasmModule from 'h5wasm/node';
import { GridError, GridFormatError, GridVariableError } from '../errors.js';
import type { AttributeValue, BackendVariable, NetcdfBackend } from './netcdf-backend.js';

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
const HIDDEN_ATTRIBUTES = new Set([
  'DIMENSION_LIST',
  'REFERENCE_LIST',
  'CLASS',
  'NAME',
  '_Netcdf4Dimid',
  '_Netcdf4Coordinates',
  '_NCProperties',
  '_nc3_strict',
  '_IsNetcdf4',
]);

/** Offset of the HDF5 superblock (0, 512, 1024, ... for files with a user block), or -1. */
export function hdf5SuperblockOffset(bytes: Uint8Array): number {
  for (let offset = 0; offset + 8 <= bytes.length; offset = offset === 0 ? 512 : offset * 2) {
    if (HDF5_SIGNATURE.every((b, i) => bytes[offset + i] === b)) return offset;
  }
  return -1;
}

/**
 * Checks the superblock's end-of-file address against the file size, so a truncated file is reported as a
 * {@link GridFormatError} before the HDF5 library sees it.
 */
function checkSuperblock(path: string): void {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(Math.min(size, 4096));
    readSync(fd, head, 0, head.length, 0);
    const at = hdf5SuperblockOffset(head);
    if (at < 0)
      throw new GridFormatError(`${path} is not an HDF5 file: no HDF5 signature`, { file: path, field: 'superblock' });
    const version = head[at + 8];
    const view = new DataView(head.buffer, head.byteOffset, head.length);
    const readAddress = (offset: number, width: number): number => {
      if (offset + width > head.length)
        throw new GridFormatError(`HDF5 superblock of ${path} is truncated`, { file: path, field: 'superblock' });
      let v = 0;
      for (let i = width - 1; i >= 0; i--) v = v * 256 + view.getUint8(offset + i);
      return v;
    };
    let sizeOfOffsets: number;
    let eofAt: number;
    let baseAt: number;
    if (version === 0 || version === 1) {
      sizeOfOffsets = head[at + 13]!;
      baseAt = at + 24 + (version === 1 ? 4 : 0);
      eofAt = baseAt + 2 * sizeOfOffsets;
    } else if (version === 2 || version === 3) {
      sizeOfOffsets = head[at + 9]!;
      baseAt = at + 12;
      eofAt = baseAt + 2 * sizeOfOffsets;
    } else {
      throw new GridFormatError(`HDF5 file ${path} has an unknown superblock version ${String(version)}`, {
        file: path,
        field: 'superblock',
      });
    }
    if (![2, 4, 8].includes(sizeOfOffsets))
      throw new GridFormatError(`HDF5 superblock of ${path} is corrupt (size of offsets ${sizeOfOffsets})`, {
        file: path,
        field: 'superblock',
      });
    const base = readAddress(baseAt, sizeOfOffsets);
    const eof = readAddress(eofAt, sizeOfOffsets);
    if (base + eof > size) {
      throw new GridFormatError(
        `HDF5 file ${path} is truncated: its superblock records ${base + eof} bytes but the file has ${size}`,
        { file: path, field: 'superblock' },
      );
    }
  } finally {
    closeSync(fd);
  }
}

function toAttributeValue(value: unknown): AttributeValue | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const arr = Array.from(value as unknown as ArrayLike<number | bigint>, Number);
    return arr.length === 1 ? arr[0]! : arr;
  }
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v === 'string')) return value.join('');
    if (value.every((v) => typeof v === 'number' || typeof v === 'bigint')) {
      const arr = value.map(Number);
      return arr.length === 1 ? arr[0]! : arr;
    }
  }
  return undefined;
}

function typeName(dtype: unknown, metadata: { type: number; size: number; signed: boolean }): string {
  // h5wasm type classes: 0 integer, 1 float, 3 string.
  if (metadata.type === 1) return metadata.size === 4 ? 'float' : 'double';
  if (metadata.type === 3) return 'string';
  if (metadata.type === 0) {
    const base = metadata.size === 1 ? 'byte' : metadata.size === 2 ? 'short' : metadata.size === 4 ? 'int' : 'int64';
    return metadata.signed ? base : `u${base}`;
  }
  return String(dtype);
}

type H5File = InstanceType<typeof h5wasmModule.File>;
type H5Dataset = InstanceType<typeof h5wasmModule.Dataset>;

/** Opens a NetCDF-4 (HDF5) file. @throws {@link GridFormatError} when the file is truncated or not HDF5. */
export async function openHdf5(path: string): Promise<NetcdfBackend> {
  checkSuperblock(path);
  // Loaded on first use: the HDF5 WebAssembly module costs ~600 MiB of RSS, which users of GeoTIFF or
  // NetCDF-3 files alone should not pay at import time.
  const h5wasm = (await import('h5wasm/node')).default;
  await h5wasm.ready;
  let file: H5File;
  try {
    file = new h5wasm.File(nodePath.resolve(path), 'r');
  } catch (error) {
    throw new GridFormatError(`Cannot open HDF5 file ${path}: ${(error as Error).message}`, {
      file: path,
      field: 'superblock',
      cause: error,
    });
  }
  try {
    const datasets = new Map<string, H5Dataset>();
    const variables: BackendVariable[] = [];
    for (const key of file.keys()) {
      const entity = file.get(key);
      if (!(entity instanceof h5wasm.Dataset)) continue;
      const attrs = entity.attrs as Record<string, { value: unknown }>;
      const className = attrs.CLASS ? toAttributeValue(attrs.CLASS.value) : undefined;
      const nameAttr = attrs.NAME ? toAttributeValue(attrs.NAME.value) : undefined;
      // A netCDF dimension without a variable: hide it, as the netCDF library does.
      if (
        className === 'DIMENSION_SCALE' &&
        typeof nameAttr === 'string' &&
        nameAttr.startsWith('This is a netCDF dimension but not a netCDF variable')
      )
        continue;
      const shape = (entity.shape ?? []).map(Number);
      const dims = dimensionNames(file, entity, key, shape.length);
      const attributes: Record<string, AttributeValue> = {};
      for (const name of Object.keys(attrs)) {
        if (HIDDEN_ATTRIBUTES.has(name)) continue;
        let raw: unknown;
        try {
          raw = attrs[name]!.value;
        } catch {
          continue;
        }
        const value = toAttributeValue(raw);
        if (value !== undefined) attributes[name] = value;
      }
      datasets.set(key, entity);
      variables.push({
        name: key,
        dims,
        shape,
        type: typeName(entity.dtype, entity.metadata as { type: number; size: number; signed: boolean }),
        attributes,
      });
    }
    const globalAttributes: Record<string, AttributeValue> = {};
    const fileAttrs = file.attrs as Record<string, { value: unknown }>;
    for (const name of Object.keys(fileAttrs)) {
      if (HIDDEN_ATTRIBUTES.has(name)) continue;
      let raw: unknown;
      try {
        raw = fileAttrs[name]!.value;
      } catch {
        continue;
      }
      const value = toAttributeValue(raw);
      if (value !== undefined) globalAttributes[name] = value;
    }
    let open = true;
    const lookup = (name: string): H5Dataset => {
      if (!open) throw new GridFormatError(`${path} is closed`, { file: path });
      const d = datasets.get(name);
      if (!d)
        throw new GridVariableError(
          `Variable '${name}' not found in ${path}; variables present: ${variables.map((v) => v.name).join(', ')}`,
          { file: path, field: name },
        );
      return d;
    };
    return {
      format: 'NetCDF-4',
      driver: 'h5wasm',
      globalAttributes,
      variables,
      readSlab(name: string, start: readonly number[], count: readonly number[]): ArrayLike<number> {
        const d = lookup(name);
        try {
          const ranges = start.map((s, i) => [s, s + count[i]!] as [number, number]);
          const out = ranges.length === 0 ? d.value : d.slice(ranges);
          if (out === null || out === undefined) throw new Error('no data');
          if (typeof out === 'number' || typeof out === 'bigint') return [Number(out)];
          if (out instanceof BigInt64Array || out instanceof BigUint64Array) return Array.from(out, Number);
          return out as ArrayLike<number>;
        } catch (error) {
          if (error instanceof GridFormatError) throw error;
          throw new GridFormatError(`Cannot read variable '${name}' from ${path}: ${(error as Error).message}`, {
            file: path,
            field: name,
            cause: error,
          });
        }
      },
      readStrings(name: string): string[] {
        const d = lookup(name);
        const value = d.value as unknown;
        if (Array.isArray(value)) return value.map((v) => String(v).replace(/\0+$/, '').trimEnd());
        if (typeof value === 'string') return [value];
        throw new GridFormatError(`Variable '${name}' in ${path} is not a string variable`, {
          file: path,
          field: name,
        });
      },
      close(): void {
        if (open) {
          open = false;
          file.close();
        }
      },
    };
  } catch (error) {
    try {
      file.close();
    } catch {
      /* already unusable */
    }
    if (error instanceof GridError) throw error;
    throw new GridFormatError(`Corrupt HDF5 file ${path}: ${(error as Error).message}`, {
      file: path,
      field: 'header',
      cause: error,
    });
  }
}

/** Dimension names from the netCDF-4 `DIMENSION_LIST` references, falling back to `<name>_dim<i>`. */
function dimensionNames(file: H5File, dataset: H5Dataset, key: string, rank: number): string[] {
  const names: string[] = [];
  const attrs = dataset.attrs as Record<string, { value: unknown }>;
  let list: unknown;
  try {
    list = attrs.DIMENSION_LIST?.value;
  } catch {
    list = undefined;
  }
  const refs = Array.isArray(list) ? list : [];
  const isScale = toAttributeValue(attrs.CLASS?.value) === 'DIMENSION_SCALE';
  for (let i = 0; i < rank; i++) {
    let name: string | undefined;
    if (rank === 1 && isScale) name = key;
    const entry = refs[i] as unknown;
    const ref = Array.isArray(entry) ? entry[0] : entry;
    if (name === undefined && ref !== undefined) {
      try {
        const target = file.dereference(ref as never) as { path?: string } | null;
        if (target?.path) name = target.path.replace(/^\//, '');
      } catch {
        name = undefined;
      }
    }
    names.push(name ?? `${key}_dim${i}`);
  }
  return names;
}
