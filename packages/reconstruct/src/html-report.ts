/**
 * One self-contained HTML report: text, tables and figures, with every image inlined as a data URI.
 */

/** A figure of the report. */
export interface ReportFigure {
  readonly caption: string;
  /** `"image/png"` or `"image/svg+xml"`. */
  readonly mime: 'image/png' | 'image/svg+xml';
  readonly bytes: Uint8Array | string;
}

/** A section of the report. */
export interface ReportSection {
  readonly heading: string;
  /** Paragraphs of plain text (escaped). */
  readonly paragraphs?: readonly string[];
  /** A pre-rendered HTML table (trusted: built by this package). */
  readonly tableHtml?: string;
  readonly figures?: readonly ReportFigure[];
}

/** Options of {@link renderHtmlReport}. */
export interface HtmlReportOptions {
  readonly title: string;
  /** A banner shown in red at the top (e.g. the twin-experiment warning). */
  readonly banner?: string;
}

/** Escapes text for HTML. */
export const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Converts a simple Markdown table (`| a | b |` lines) to an HTML table. */
export function markdownTableToHtml(markdown: string): string {
  const rows = markdown.split('\n').filter((l) => l.trim().startsWith('|'));
  if (rows.length < 2) return '';
  const cells = (l: string): string[] =>
    l
      .trim()
      .replace(/^\||\|$/g, '')
      .split('|')
      .map((c) => c.trim());
  const head = cells(rows[0]!);
  const body = rows.slice(2).map(cells);
  return `<table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${body.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

/**
 * Renders the report as one HTML document with images as `data:` URIs, so it can be mailed or archived alone.
 * @example
 * ```ts
 * renderHtmlReport([{ heading: "A", paragraphs: ["x < y"] }], { title: "R" }).includes("x &lt; y"); // => true
 * ```
 */
export function renderHtmlReport(sections: readonly ReportSection[], options: HtmlReportOptions): string {
  const parts: string[] = [];
  parts.push(
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeHtml(options.title)}</title>`,
  );
  parts.push(
    '<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #bbb;padding:3px 8px;text-align:right}th{background:#eee}td:first-child{text-align:left}figure{margin:1.5em 0}img{max-width:100%;border:1px solid #ddd}.banner{background:#fde8e8;border:2px solid #a01010;color:#a01010;padding:.6em;font-weight:bold}figcaption{font-size:90%;color:#444}</style>',
  );
  parts.push('</head><body>', `<h1>${escapeHtml(options.title)}</h1>`);
  if (options.banner) parts.push(`<p class="banner">${escapeHtml(options.banner)}</p>`);
  for (const s of sections) {
    parts.push(`<h2>${escapeHtml(s.heading)}</h2>`);
    for (const p of s.paragraphs ?? []) parts.push(`<p>${escapeHtml(p)}</p>`);
    if (s.tableHtml) parts.push(s.tableHtml);
    for (const f of s.figures ?? []) {
      const b64 =
        typeof f.bytes === 'string'
          ? Buffer.from(f.bytes, 'utf8').toString('base64')
          : Buffer.from(f.bytes).toString('base64');
      parts.push(
        `<figure><img alt="${escapeHtml(f.caption)}" src="data:${f.mime};base64,${b64}"><figcaption>${escapeHtml(f.caption)}</figcaption></figure>`,
      );
    }
  }
  parts.push('</body></html>');
  return parts.join('\n');
}
