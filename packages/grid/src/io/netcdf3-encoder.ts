/**
 * A NetCDF-3 encoder (64-bit offset format, `CDF\x02`, fixed-size dimensions only), per the NetCDF classic
 * format specification. Internal: not re-exported from the package.
 */

/** NetCDF-3 external types. */
export type Nc3Type = 'byte' | 'char' | 'short' | 'int' | 'float' | 'double';

const TYPE_CODE: Readonly<Record<Nc3Type, number>> = { byte: 1, char: 2, short: 3, int: 4, float: 5, double: 6 };
const TYPE_SIZE: Readonly<Record<Nc3Type, number>> = { byte: 1, char: 1, short: 2, int: 4, float: 4, double: 8 };

/** An attribute to encode: text (char) or numbers of a type. */
export interface Nc3Attribute {
  readonly name: string;
  readonly type: Nc3Type;
  readonly value: string | readonly number[];
}

/** A variable to encode; `data` holds `product(shape)` values (char data: one string per outer index). */
export interface Nc3Variable {
  readonly name: string;
  readonly dims: readonly string[];
  readonly type: Nc3Type;
  readonly attributes: readonly Nc3Attribute[];
  readonly data: ArrayLike<number> | readonly string[];
}

/** A whole file. */
export interface Nc3File {
  readonly dimensions: readonly { readonly name: string; readonly size: number }[];
  readonly attributes: readonly Nc3Attribute[];
  readonly variables: readonly Nc3Variable[];
}

class Writer {
  private bytes = new Uint8Array(4096);
  private view = new DataView(this.bytes.buffer);
  length = 0;
  private ensure(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
    this.view = new DataView(next.buffer);
  }
  u8(v: number): void {
    this.ensure(1);
    this.view.setUint8(this.length, v);
    this.length += 1;
  }
  i32(v: number): void {
    this.ensure(4);
    this.view.setInt32(this.length, v, false);
    this.length += 4;
  }
  u32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.length, v, false);
    this.length += 4;
  }
  u64(v: number): void {
    this.u32(Math.floor(v / 2 ** 32));
    this.u32(v % 2 ** 32);
  }
  pad(): void {
    while (this.length % 4 !== 0) this.u8(0);
  }
  text(s: string): void {
    for (let i = 0; i < s.length; i++) this.u8(s.charCodeAt(i) & 0xff);
  }
  name(s: string): void {
    this.i32(utf8Length(s));
    this.rawUtf8(s);
    this.pad();
  }
  rawUtf8(s: string): void {
    const b = Buffer.from(s, 'utf8');
    this.ensure(b.length);
    this.bytes.set(b, this.length);
    this.length += b.length;
  }
  number(type: Nc3Type, v: number): void {
    this.ensure(8);
    const at = this.length;
    switch (type) {
      case 'byte':
        this.view.setInt8(at, v);
        break;
      case 'char':
        this.view.setUint8(at, v);
        break;
      case 'short':
        this.view.setInt16(at, v, false);
        break;
      case 'int':
        this.view.setInt32(at, v, false);
        break;
      case 'float':
        this.view.setFloat32(at, v, false);
        break;
      case 'double':
        this.view.setFloat64(at, v, false);
        break;
    }
    this.length += TYPE_SIZE[type];
  }
  setU64(at: number, v: number): void {
    this.view.setUint32(at, Math.floor(v / 2 ** 32), false);
    this.view.setUint32(at + 4, v % 2 ** 32, false);
  }
  result(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}

function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

function writeAttributes(w: Writer, list: readonly Nc3Attribute[]): void {
  if (list.length === 0) {
    w.u32(0);
    w.u32(0);
    return;
  }
  w.u32(0x0c);
  w.u32(list.length);
  for (const a of list) {
    w.name(a.name);
    w.u32(TYPE_CODE[a.type]);
    if (typeof a.value === 'string') {
      w.u32(utf8Length(a.value));
      w.rawUtf8(a.value);
    } else {
      w.u32(a.value.length);
      for (const v of a.value) w.number(a.type, v);
    }
    w.pad();
  }
}

/** A file's structure without its values: what {@link encodeNetcdf3Header} needs. */
export interface Nc3Layout {
  readonly dimensions: Nc3File['dimensions'];
  readonly attributes: Nc3File['attributes'];
  readonly variables: readonly Omit<Nc3Variable, 'data'>[];
}

/** The encoded header, each variable's data offset (`begin`), shape and padded byte size, and the file size. */
export interface Nc3Header {
  readonly header: Uint8Array;
  readonly begins: readonly number[];
  readonly shapes: readonly (readonly number[])[];
  readonly vsizes: readonly number[];
  readonly total: number;
}

/**
 * Encodes the header of a NetCDF-3 64-bit offset file; variables' data follow one after the other at `begins`
 * (big-endian, each padded to 4 bytes). Lets a caller stream the values to disk instead of building the file in memory.
 */
export function encodeNetcdf3Header(file: Nc3Layout): Nc3Header {
  const dimIndex = new Map(file.dimensions.map((d, i) => [d.name, i]));
  const shapes = file.variables.map((v) =>
    v.dims.map((d) => {
      const i = dimIndex.get(d);
      if (i === undefined) throw new Error(`variable ${v.name} uses undeclared dimension ${d}`);
      return file.dimensions[i]!.size;
    }),
  );
  const vsizes = file.variables.map((v, i) => {
    const raw = shapes[i]!.reduce((a, b) => a * b, 1) * TYPE_SIZE[v.type];
    return raw + ((4 - (raw % 4)) % 4);
  });
  const w = new Writer();
  w.text('CDF');
  w.u8(2);
  w.u32(0); // numrecs: no record dimension
  if (file.dimensions.length === 0) {
    w.u32(0);
    w.u32(0);
  } else {
    w.u32(0x0a);
    w.u32(file.dimensions.length);
    for (const d of file.dimensions) {
      w.name(d.name);
      w.u32(d.size);
    }
  }
  writeAttributes(w, file.attributes);
  const beginAt: number[] = [];
  if (file.variables.length === 0) {
    w.u32(0);
    w.u32(0);
  } else {
    w.u32(0x0b);
    w.u32(file.variables.length);
    file.variables.forEach((v, i) => {
      w.name(v.name);
      w.u32(v.dims.length);
      for (const d of v.dims) w.u32(dimIndex.get(d)!);
      writeAttributes(w, v.attributes);
      w.u32(TYPE_CODE[v.type]);
      w.u32(Math.min(vsizes[i]!, 0xffffffff));
      beginAt.push(w.length);
      w.u64(0);
    });
  }
  const begins: number[] = [];
  let total = w.length;
  for (const size of vsizes) {
    begins.push(total);
    total += size;
  }
  for (let i = 0; i < beginAt.length; i++) w.setU64(beginAt[i]!, begins[i]!);
  return { header: w.result(), begins, shapes, vsizes, total };
}

/** Encodes `file` as NetCDF-3 64-bit offset bytes. */
export function encodeNetcdf3(file: Nc3File): Uint8Array {
  // Allocate the whole file once and fill the data section with tight typed loops.
  const { header, begins, shapes, total } = encodeNetcdf3Header(file);
  const out = new Uint8Array(total);
  out.set(header);
  const view = new DataView(out.buffer);
  file.variables.forEach((v, i) => {
    const shape = shapes[i]!;
    const count = shape.reduce((a, b) => a * b, 1);
    const at = begins[i]!;
    if (v.type === 'char' && Array.isArray(v.data) && (v.data.length === 0 || typeof v.data[0] === 'string')) {
      const width = shape.length > 0 ? shape[shape.length - 1]! : 1;
      const strings = v.data as readonly string[];
      for (let k = 0; k < count / width; k++) {
        const b = Buffer.from(strings[k] ?? '', 'utf8');
        out.set(b.subarray(0, width), at + k * width);
      }
      return;
    }
    const data = v.data as ArrayLike<number>;
    if (data.length !== count)
      throw new Error(`variable ${v.name} has ${data.length} values for shape [${shape.join(', ')}]`);
    switch (v.type) {
      case 'byte':
        for (let k = 0; k < count; k++) view.setInt8(at + k, data[k]!);
        break;
      case 'char':
        for (let k = 0; k < count; k++) view.setUint8(at + k, data[k]!);
        break;
      case 'short':
        for (let k = 0; k < count; k++) view.setInt16(at + 2 * k, data[k]!, false);
        break;
      case 'int':
        for (let k = 0; k < count; k++) view.setInt32(at + 4 * k, data[k]!, false);
        break;
      case 'float':
        for (let k = 0; k < count; k++) view.setFloat32(at + 4 * k, data[k]!, false);
        break;
      case 'double':
        for (let k = 0; k < count; k++) view.setFloat64(at + 8 * k, data[k]!, false);
        break;
    }
  });
  return out;
}
