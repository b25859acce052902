/**
 * A small baseline-TIFF encoder for single-band Float32 rasters with GeoTIFF tags: uncompressed strips,
 * little-endian, one IFD. Written here because geotiff.js's writer packs several ASCII GeoKeys in a way GDAL
 * rejects. Internal: not re-exported from the package.
 */

const ASCII = 2;
const SHORT = 3;
const LONG = 4;
const DOUBLE = 12;

interface Entry {
  readonly tag: number;
  readonly type: number;
  readonly values: readonly number[] | string;
}

/** What {@link encodeFloat32Tiff} writes. */
export interface TiffContent {
  readonly width: number;
  readonly height: number;
  /** Row-major values, row 0 first. */
  readonly data: Float32Array;
  /** ModelPixelScaleTag (33550): `[dx, dy, 0]`. */
  readonly pixelScale: readonly [number, number, number];
  /** ModelTiepointTag (33922): `[i, j, k, x, y, z]`. */
  readonly tiepoint: readonly number[];
  /** GeoKeyDirectoryTag (34735) as SHORTs, header included. */
  readonly geoKeys: readonly number[];
  /** GeoAsciiParamsTag (34737), `|`-terminated entries; omitted when empty. */
  readonly geoAscii: string;
  /** GDAL_METADATA (42112) XML, when any. */
  readonly gdalMetadata?: string;
  /** GDAL_NODATA (42113) text, e.g. `"nan"` or `"-9999"`. */
  readonly gdalNodata?: string;
}

/** Encodes a Float32 GeoTIFF into bytes. */
export function encodeFloat32Tiff(content: TiffContent): Uint8Array {
  const { width, height, data } = content;
  const rowBytes = width * 4;
  const rowsPerStrip = Math.max(1, Math.min(height, Math.floor(65_536 / rowBytes)));
  const strips = Math.ceil(height / rowsPerStrip);
  const stripCounts: number[] = [];
  for (let s = 0; s < strips; s++) stripCounts.push(Math.min(rowsPerStrip, height - s * rowsPerStrip) * rowBytes);
  const entries: Entry[] = [
    { tag: 256, type: LONG, values: [width] },
    { tag: 257, type: LONG, values: [height] },
    { tag: 258, type: SHORT, values: [32] },
    { tag: 259, type: SHORT, values: [1] },
    { tag: 262, type: SHORT, values: [1] },
    { tag: 273, type: LONG, values: new Array<number>(strips).fill(0) }, // patched below
    { tag: 277, type: SHORT, values: [1] },
    { tag: 278, type: LONG, values: [rowsPerStrip] },
    { tag: 279, type: LONG, values: stripCounts },
    { tag: 284, type: SHORT, values: [1] },
    { tag: 339, type: SHORT, values: [3] },
    { tag: 33550, type: DOUBLE, values: content.pixelScale },
    { tag: 33922, type: DOUBLE, values: content.tiepoint },
    { tag: 34735, type: SHORT, values: content.geoKeys },
  ];
  if (content.geoAscii.length > 0) entries.push({ tag: 34737, type: ASCII, values: content.geoAscii });
  if (content.gdalMetadata) entries.push({ tag: 42112, type: ASCII, values: content.gdalMetadata });
  if (content.gdalNodata !== undefined) entries.push({ tag: 42113, type: ASCII, values: content.gdalNodata });
  entries.sort((a, b) => a.tag - b.tag);

  const typeSize = (type: number): number => (type === DOUBLE ? 8 : type === LONG ? 4 : type === SHORT ? 2 : 1);
  const count = (e: Entry): number =>
    typeof e.values === 'string' ? Buffer.byteLength(e.values, 'latin1') + 1 : e.values.length;
  const ifdSize = 2 + entries.length * 12 + 4;
  let cursor = 8 + ifdSize;
  const outOfLine = new Map<Entry, number>();
  for (const e of entries) {
    const bytes = count(e) * typeSize(e.type);
    if (bytes > 4) {
      cursor += cursor % 8 === 0 ? 0 : 8 - (cursor % 8);
      outOfLine.set(e, cursor);
      cursor += bytes;
    }
  }
  cursor += cursor % 8 === 0 ? 0 : 8 - (cursor % 8);
  const dataStart = cursor;
  const stripOffsets = stripCounts.map((_, s) => dataStart + s * rowsPerStrip * rowBytes);
  const offsetsEntry = entries.find((e) => e.tag === 273)!;
  (offsetsEntry as { values: readonly number[] | string }).values = stripOffsets;
  const total = dataStart + width * height * 4;
  const buffer = new ArrayBuffer(total);
  const view = new DataView(buffer);
  const bytes = new Uint8Array(buffer);
  bytes[0] = 0x49;
  bytes[1] = 0x49;
  view.setUint16(2, 42, true);
  view.setUint32(4, 8, true);
  view.setUint16(8, entries.length, true);
  const writeValues = (e: Entry, at: number): void => {
    if (typeof e.values === 'string') {
      for (let i = 0; i < e.values.length; i++) bytes[at + i] = e.values.charCodeAt(i) & 0xff;
      bytes[at + e.values.length] = 0;
      return;
    }
    e.values.forEach((v, i) => {
      if (e.type === DOUBLE) view.setFloat64(at + i * 8, v, true);
      else if (e.type === LONG) view.setUint32(at + i * 4, v, true);
      else view.setUint16(at + i * 2, v, true);
    });
  };
  entries.forEach((e, i) => {
    const at = 10 + i * 12;
    view.setUint16(at, e.tag, true);
    view.setUint16(at + 2, e.type, true);
    view.setUint32(at + 4, count(e), true);
    const offset = outOfLine.get(e);
    if (offset === undefined) writeValues(e, at + 8);
    else {
      view.setUint32(at + 8, offset, true);
      writeValues(e, offset);
    }
  });
  view.setUint32(10 + entries.length * 12, 0, true);
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] === 1) {
    new Float32Array(buffer, dataStart, width * height).set(data);
  } else {
    for (let i = 0; i < width * height; i++) view.setFloat32(dataStart + i * 4, data[i]!, true);
  }
  return bytes;
}

/** Builds a GeoKeyDirectory from `[keyId, value]` SHORT keys and `[keyId, text]` ASCII keys. */
export function geoKeyDirectory(
  shortKeys: readonly (readonly [number, number])[],
  asciiKeys: readonly (readonly [number, string])[],
): { geoKeys: number[]; geoAscii: string } {
  const keys: [number, number, number, number][] = shortKeys.map(([id, v]) => [id, 0, 1, v]);
  let ascii = '';
  for (const [id, text] of asciiKeys) {
    const clean = text.replace(/\|/g, '/');
    keys.push([id, 34737, clean.length + 1, ascii.length]);
    ascii += `${clean}|`;
  }
  keys.sort((a, b) => a[0] - b[0]);
  return { geoKeys: [1, 1, 0, keys.length, ...keys.flat()], geoAscii: ascii };
}
