/**
 * The emulator's and synthetic scenario's decimal year of a day number. Internal. Not @twsa/metrics'
 * `decimalYear` (ISO date, calendar-exact years): this one uses 365.2425-day years, and the seeded synthetic
 * and emulated fields depend on it bit for bit. The month/day helpers are @twsa/grid's (`monthIndex`, ...).
 */

/** Decimal year of a day number (for trends and seasonal phases; 365.2425-day years). */
export function decimalYear(day: number): number {
  return 1970 + day / 365.2425;
}
