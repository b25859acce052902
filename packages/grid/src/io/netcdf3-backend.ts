/**
 * NetCDF-3 (classic and 64-bit offset) backend: the header is parsed by `netcdfjs` from the first bytes of the
 * file; values are read on demand with positioned reads, so memory stays bounded by one hyperslab.
 * Internal: not re-exported from the package.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { NetCDFReader } from 'netcdfjs';
import { GridFormatError, GridVariableError } from '../errors.js';
import type { AttributeValue, BackendVariable, NetcdfBackend } from './netcdf-backend.js';

const TYPE_SIZE: Readonly<Record<string, number>> = { byte: 1, char: 1, short: 2, int: 4, float: 4, double: 8 };

interface Layout {
  readonly begin: number;
  readonly record: boolean;
  readonly elementSize: number;
}

function toAttributes(list: readonly { name: string; type: string; value: unknown }[]): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const a of list) {
    const v = a.value;
    if (typeof v === 'string' || typeof v === 'number') out[a.name] = v;
    else if (Array.isArray(v)) out[a.name] = v.length === 1 ? Number(v[0]) : v.map(Number);
  }
  return out;
}

/** Opens a NetCDF-3 file. @throws {@link GridFormatError} when the header is corrupt or data are truncated. */
export function openNetcdf3(path: string): NetcdfBackend {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    let reader: NetCDFReader | undefined;
    let prefix = Math.min(size, 65_536);
    for (;;) {
      const bytes = Buffer.alloc(prefix);
      readSync(fd, bytes, 0, prefix, 0);
      try {
        reader = new NetCDFReader(bytes);
        break;
      } catch (error) {
        if (prefix >= size) {
          throw new GridFormatError(`Corrupt or truncated NetCDF-3 header in ${path}: ${(error as Error).message}`, {
            file: path,
            field: 'header',
            cause: error,
          });
        }
        prefix = Math.min(size, prefix * 4);
      }
    }
    const header = reader.header;
    const numRecords = header.recordDimension.length;
    const recordStep = header.recordDimension.recordStep ?? 0;
    const dims = header.dimensions.map((d, i) => ({
      name: d.name,
      size: i === header.recordDimension.id ? numRecords : d.size,
    }));
    const layouts = new Map<string, Layout>();
    const variables: BackendVariable[] = header.variables.map((v) => {
      const elementSize = TYPE_SIZE[v.type];
      if (elementSize === undefined)
        throw new GridFormatError(`Variable '${v.name}' in ${path} has unsupported type '${v.type}'`, {
          file: path,
          field: v.name,
        });
      const shape = v.dimensions.map((id) => {
        const d = dims[id];
        if (!d)
          throw new GridFormatError(
            `Variable '${v.name}' in ${path} refers to dimension #${id}, which does not exist`,
            { file: path, field: v.name },
          );
        return d.size;
      });
      const count = shape.reduce((a, b) => a * b, 1);
      const end = v.record
        ? v.offset + Math.max(0, numRecords - 1) * recordStep + (numRecords > 0 ? v.size : 0)
        : v.offset + count * elementSize;
      if (end > size) {
        throw new GridFormatError(
          `NetCDF-3 file ${path} is truncated: variable '${v.name}' needs bytes up to ${end} but the file has ${size}`,
          { file: path, field: v.name },
        );
      }
      layouts.set(v.name, { begin: v.offset, record: v.record, elementSize });
      return {
        name: v.name,
        dims: v.dimensions.map((id) => dims[id]!.name),
        shape,
        type: v.type,
        attributes: toAttributes(v.attributes as unknown as { name: string; type: string; value: unknown }[]),
      };
    });
    const byName = new Map(variables.map((v) => [v.name, v]));
    const lookup = (name: string): [BackendVariable, Layout] => {
      const v = byName.get(name);
      if (!v)
        throw new GridVariableError(
          `Variable '${name}' not found in ${path}; variables present: ${variables.map((x) => x.name).join(', ')}`,
          { file: path, field: name },
        );
      return [v, layouts.get(name)!];
    };
    let open = true;
    const readBytes = (offset: number, length: number): DataView => {
      if (!open) throw new GridFormatError(`${path} is closed`, { file: path });
      const buffer = Buffer.alloc(length);
      const got = readSync(fd, buffer, 0, length, offset);
      if (got !== length)
        throw new GridFormatError(
          `NetCDF-3 file ${path} is truncated: wanted ${length} bytes at ${offset}, got ${got}`,
          { file: path },
        );
      return new DataView(buffer.buffer, buffer.byteOffset, length);
    };
    const readSlab = (name: string, start: readonly number[], count: readonly number[]): Float64Array => {
      const [v, layout] = lookup(name);
      const rank = v.shape.length;
      if (start.length !== rank || count.length !== rank)
        throw new GridFormatError(`Slab of '${name}' in ${path} needs ${rank} start/count entries`, {
          file: path,
          field: name,
        });
      const total = count.reduce((a, b) => a * b, 1);
      const out = new Float64Array(total);
      if (total === 0) return out;
      // Element strides within one record (record variables) or the whole array (fixed variables).
      const inner = v.shape.slice(layout.record ? 1 : 0);
      const innerStart = start.slice(layout.record ? 1 : 0);
      const innerCount = count.slice(layout.record ? 1 : 0);
      const strides = new Array<number>(inner.length);
      let s = 1;
      for (let d = inner.length - 1; d >= 0; d--) {
        strides[d] = s;
        s *= inner[d]!;
      }
      const outer = layout.record ? count[0]! : 1;
      const perOuter = total / outer;
      for (let o = 0; o < outer; o++) {
        const base = layout.record ? layout.begin + (start[0]! + o) * recordStep : layout.begin;
        // Bounding byte range of this block, read in one call.
        let first = 0;
        let last = 0;
        for (let d = 0; d < inner.length; d++) {
          first += innerStart[d]! * strides[d]!;
          last += (innerStart[d]! + innerCount[d]! - 1) * strides[d]!;
        }
        const view = readBytes(base + first * layout.elementSize, (last - first + 1) * layout.elementSize);
        const get = getter(v.type, view);
        if (last - first + 1 === perOuter) {
          // Contiguous block (e.g. whole rows of one frame): decode sequentially.
          for (let k = 0; k < perOuter; k++) out[o * perOuter + k] = get(k * layout.elementSize);
          continue;
        }
        // Iterate the block in row-major order.
        const index = new Array<number>(inner.length).fill(0);
        for (let k = 0; k < perOuter; k++) {
          let e = 0;
          for (let d = 0; d < inner.length; d++) e += (innerStart[d]! + index[d]!) * strides[d]!;
          out[o * perOuter + k] = get((e - first) * layout.elementSize);
          for (let d = inner.length - 1; d >= 0; d--) {
            if (++index[d]! < innerCount[d]!) break;
            index[d] = 0;
          }
        }
      }
      return out;
    };
    const backend: NetcdfBackend = {
      format: 'NetCDF-3',
      driver: 'netcdfjs',
      globalAttributes: toAttributes(
        header.globalAttributes as unknown as { name: string; type: string; value: unknown }[],
      ),
      variables,
      readSlab,
      readStrings(name: string): string[] {
        const [v] = lookup(name);
        if (v.type !== 'char')
          throw new GridFormatError(`Variable '${name}' in ${path} is ${v.type}, not char`, {
            file: path,
            field: name,
          });
        const width = v.shape.length > 0 ? v.shape[v.shape.length - 1]! : 1;
        const n = v.shape.length > 1 ? v.shape.slice(0, -1).reduce((a, b) => a * b, 1) : 1;
        const raw = readSlab(
          name,
          v.shape.map(() => 0),
          v.shape,
        );
        const strings: string[] = [];
        for (let i = 0; i < n; i++) {
          let str = '';
          for (let j = 0; j < width; j++) {
            const c = raw[i * width + j]!;
            if (c === 0) break;
            str += String.fromCharCode(c);
          }
          strings.push(str.trimEnd());
        }
        return strings;
      },
      close(): void {
        if (open) {
          open = false;
          closeSync(fd);
        }
      },
    };
    return backend;
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

function getter(type: string, view: DataView): (byteOffset: number) => number {
  switch (type) {
    case 'byte':
      return (o) => view.getInt8(o);
    case 'char':
      return (o) => view.getUint8(o);
    case 'short':
      return (o) => view.getInt16(o, false);
    case 'int':
      return (o) => view.getInt32(o, false);
    case 'float':
      return (o) => view.getFloat32(o, false);
    default:
      return (o) => view.getFloat64(o, false);
  }
}
