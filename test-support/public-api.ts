// Shared by the packages' public-API tests (STYLE.md 3.6): before the exact `expect(Object.keys(api).sort())
// .toEqual([...])`, report a changed export list as the names added and removed, so a failure says what changed
// instead of showing two long arrays.

/**
 * Throws when the runtime exports of `api` differ from `expected`, naming the exports that are new (not in the
 * list) and the listed names that are gone, and which test file to update if the change is intended.
 */
export function reportExportChanges(pkg: string, api: object, expected: readonly string[], testFile: string): void {
  const actual = Object.keys(api);
  const added = actual.filter((k) => !expected.includes(k)).sort();
  const removed = expected.filter((k) => !actual.includes(k));
  if (added.length === 0 && removed.length === 0) return;
  const lines = [`The public API of ${pkg} changed.`];
  if (added.length) lines.push(`  added (exported, not in the list):   ${added.join(', ')}`);
  if (removed.length) lines.push(`  removed (in the list, not exported): ${removed.join(', ')}`);
  lines.push(`If the change is intended, update the sorted list in ${testFile}.`);
  throw new Error(lines.join('\n'));
}
