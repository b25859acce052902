/**
 * Water-storage units and their conversion: metres, centimetres and millimetres of liquid water equivalent,
 * and `kg m-2` (mass per area, equal to millimetres of water at 1000 kg m⁻³).
 */
import { GridUnitsError } from './errors.js';

/** Canonical water-storage units this package converts between. */
export type WaterUnit = 'm' | 'cm' | 'mm' | 'kg m-2';

/** The canonical units, each with its size in millimetres of water (1 kg m⁻² = 1 mm at 1000 kg m⁻³). */
export const WATER_UNITS: Readonly<Record<WaterUnit, number>> = Object.freeze({ m: 1000, cm: 10, mm: 1, 'kg m-2': 1 });

const ALIASES: Readonly<Record<string, WaterUnit>> = Object.freeze({
  m: 'm',
  meter: 'm',
  meters: 'm',
  metre: 'm',
  metres: 'm',
  'm of water equivalent': 'm',
  'm water equivalent': 'm',
  cm: 'cm',
  centimeter: 'cm',
  centimeters: 'cm',
  centimetre: 'cm',
  centimetres: 'cm',
  mm: 'mm',
  millimeter: 'mm',
  millimeters: 'mm',
  millimetre: 'mm',
  millimetres: 'mm',
  'kg m-2': 'kg m-2',
  'kg/m2': 'kg m-2',
  'kg/m^2': 'kg m-2',
  'kg m^-2': 'kg m-2',
  'kg m**-2': 'kg m-2',
  'kg.m-2': 'kg m-2',
  'kg/m**2': 'kg m-2',
  'kg*m-2': 'kg m-2',
  'kgm-2': 'kg m-2',
  'kg/(m2)': 'kg m-2',
  'kg/(m^2)': 'kg m-2',
});

/**
 * The canonical {@link WaterUnit} of a units string, or `undefined` when it is not a water-storage unit.
 *
 * ## Method
 * Lower-cases, trims, collapses spaces and looks the result up in a table of spellings
 * (`"kg/m2"`, `"kg m^-2"`, `"kg m**-2"`, `"metres"`, …).
 * @param units - a units attribute, e.g. `"kg/m2"`.
 * @returns the canonical unit or `undefined`.
 * @example
 * ```ts
 * normalizeUnits("kg/m2"); // => "kg m-2"
 * normalizeUnits("K");     // => undefined
 * ```
 */
export function normalizeUnits(units: string): WaterUnit | undefined {
  if (typeof units !== 'string') return undefined;
  const key = units.trim().toLowerCase().replace(/\s+/g, ' ');
  return ALIASES[key];
}

/** Options of {@link unitScale}. */
export interface UnitScaleOptions {
  /** The file the units come from, for error messages. */
  readonly file?: string;
  /** The variable or attribute the units come from, for error messages. Default `"units"`. */
  readonly field?: string;
}

/**
 * The factor that converts values in `from` units to `to` units: `value_to = value_from × factor`.
 *
 * ## Method
 * factor = mm(from) / mm(to), with mm(m) = 1000, mm(cm) = 10, mm(mm) = 1, mm(kg m⁻²) = 1.
 * @param from - units of the data (any spelling {@link normalizeUnits} knows).
 * @param to - requested units.
 * @param options - file and field named in errors.
 * @returns the multiplicative factor.
 * @throws {@link GridUnitsError} when either unit is missing, unknown or not a water-storage unit.
 * @example
 * ```ts
 * unitScale("m", "mm");        // => 1000
 * unitScale("kg/m2", "cm");    // => 0.1
 * ```
 */
export function unitScale(from: string | undefined, to: string, options: UnitScaleOptions = {}): number {
  const where = `${options.field ?? 'units'}${options.file ? ` of ${options.file}` : ''}`;
  const known = Object.keys(WATER_UNITS).join(', ');
  const target = normalizeUnits(to);
  if (!target)
    throw new GridUnitsError(`Requested units '${to}' are not supported: expected one of ${known}`, {
      ...errorLocation(options),
      field: 'units',
    });
  if (from === undefined || from.trim() === '') {
    throw new GridUnitsError(
      `Cannot convert ${where} to '${to}': the data have no units attribute; expected one of ${known}`,
      errorLocation(options),
    );
  }
  const source = normalizeUnits(from);
  if (!source)
    throw new GridUnitsError(
      `Cannot convert ${where} from '${from}' to '${to}': '${from}' is not a water-storage unit (expected one of ${known})`,
      errorLocation(options),
    );
  return WATER_UNITS[source] / WATER_UNITS[target];
}

function errorLocation(options: UnitScaleOptions): { file?: string; field: string } {
  return { ...(options.file !== undefined ? { file: options.file } : {}), field: options.field ?? 'units' };
}

/**
 * Converts a grid or stack to other water-storage units, returning a new record (the input is not mutated).
 *
 * ## Method
 * Multiplies every value by {@link unitScale}(`g.units`, `to`); NaN stays NaN. Returns the input unchanged
 * (same object) when the factor is exactly 1 and the canonical units already match.
 * @param g - a {@link Grid} or {@link GridStack} with `units` set.
 * @param to - requested units (`"m"`, `"cm"`, `"mm"`, `"kg m-2"`).
 * @returns a record with converted Float32 data and `units: to` in canonical spelling.
 * @throws {@link GridUnitsError} when the record has no units or they cannot be converted.
 * @example
 * ```ts
 * const g = createGrid(new Float32Array([0.25]), { shape: [1, 1], bounds: [0, 0, 1, 1], crs: "EPSG:4326", units: "m" });
 * Array.from(convertUnits(g, "mm").data); // => [250]
 * convertUnits(g, "mm").units;            // => "mm"
 * ```
 */
export function convertUnits<G extends { readonly data: Float32Array; readonly units?: string }>(g: G, to: string): G {
  const factor = unitScale(g.units, to, { field: 'units' });
  const canonical = normalizeUnits(to)!;
  if (factor === 1 && normalizeUnits(g.units ?? '') === canonical && g.units === canonical) return g;
  const out = new Float32Array(g.data.length);
  for (let i = 0; i < out.length; i++) out[i] = g.data[i]! * factor;
  return { ...g, data: out, units: canonical };
}
