/**
 * One self-contained HTML report that opens offline: text, a sortable Table 1, the static figures inlined as data
 * URIs, and interactive views drawn in the page by Vega (its runtime is inlined): a map explorer (pick the map,
 * the model and the month; hover a cell to read its value and coordinates) and zoomable series.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { MapPalette } from './figures-maps.js';
import { ReconstructError } from './errors.js';

/** A figure of the report. */
export interface ReportFigure {
  readonly caption: string;
  /** `"image/png"` or `"image/svg+xml"`. */
  readonly mime: 'image/png' | 'image/svg+xml';
  readonly bytes: Uint8Array | string;
}

/** A Vega view drawn in the page (e.g. a zoomable series). */
export interface ReportVegaView {
  readonly title: string;
  /** A compiled Vega spec (`compileFigure(...)`) with its data inline. */
  readonly spec: object;
}

/** One kind of map in the explorer (e.g. monthly TWSA, per-pixel CC). */
export interface ExplorerLayer {
  /** Shown in the "map" picker. */
  readonly title: string;
  readonly units: string;
  readonly palette: MapPalette;
  /** Choices of the "model" picker (e.g. `"GRACE"`, `"DCAE"`). */
  readonly fields: readonly string[];
  /** Choices of the "month" picker; `[""]` for a map without time (a trend, a score). */
  readonly times: readonly string[];
  /** `frames[field][time]`: base64 of little-endian Int16 values of the explorer's cells; −32768 = no value. */
  readonly frames: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Value of one Int16 step. */
  readonly scale: number;
  /** This map's `color` scale and legends, swapped into the explorer's base spec (compiled Vega). */
  readonly colorScale: object;
  readonly legends: readonly object[];
}

/** The map explorer: the cells inside the mask (geometry and coordinates) and the maps that can be shown. */
export interface ReportMapExplorer {
  /** `[x, x2, y, y2, lon, lat, row, col]` of each cell, in the order of every frame. */
  readonly cells: readonly (readonly number[])[];
  /** A compiled Vega spec of one map panel whose cells come from the named data source `cells`. */
  readonly spec: { readonly scales: readonly object[]; readonly legends?: readonly object[] };
  readonly layers: readonly ExplorerLayer[];
}

/** A section of the report. */
export interface ReportSection {
  readonly heading: string;
  /** Paragraphs of plain text (escaped). */
  readonly paragraphs?: readonly string[];
  /** A pre-rendered HTML table (trusted: built by this package); sortable by clicking a column head. */
  readonly tableHtml?: string;
  readonly figures?: readonly ReportFigure[];
  /** The map explorer (at most one per report). */
  readonly explorer?: ReportMapExplorer;
  /** Vega views drawn in the page. */
  readonly views?: readonly ReportVegaView[];
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
 * Int16 base64 encoding of values for the explorer: `round(v / scale)`, NaN → −32768.
 * @returns the base64 text.
 */
export function encodeExplorerFrame(values: ArrayLike<number>, scale: number): string {
  const out = new Int16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    out[i] = Number.isFinite(v) ? Math.max(-32767, Math.min(32767, Math.round(v / scale))) : -32768;
  }
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength).toString('base64');
}

let vegaRuntime: string | null = null;
/** The Vega runtime (`vega/build/vega.min.js`) inlined in reports that have interactive views. */
function vegaScript(): string {
  if (vegaRuntime) return vegaRuntime;
  try {
    // The package exports only its module entry (build/vega.module.js); the browser bundle sits beside it.
    const entry = createRequire(import.meta.url).resolve('vega');
    vegaRuntime = readFileSync(join(dirname(entry), 'vega.min.js'), 'utf8');
  } catch (cause) {
    throw new ReconstructError(
      'renderHtmlReport: cannot read vega/build/vega.min.js (install the dependencies of @twsa/reconstruct)',
      { cause },
    );
  }
  return vegaRuntime;
}

/** JSON safe inside a `<script>` element. */
const scriptJson = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c');

const STYLE = `body{font-family:"Noto Sans",system-ui,sans-serif;max-width:1180px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #bbb;padding:3px 8px;text-align:right}
th{background:#eee;cursor:pointer;user-select:none}th[aria-sort=ascending]::after{content:" \\25B2"}th[aria-sort=descending]::after{content:" \\25BC"}
td:first-child{text-align:left}figure{margin:1.5em 0}img{max-width:100%;border:1px solid #ddd}
.banner{background:#fde8e8;border:2px solid #a01010;color:#a01010;padding:.6em;font-weight:bold}
figcaption{font-size:90%;color:#444}.controls label{margin-right:1.2em}.controls select{margin-left:.3em}
#readout{font-family:monospace;min-height:1.4em;margin:.4em 0;padding:.2em .4em;background:#f4f4f4}
.view{margin:1em 0}details{margin:1em 0}`;

/** The page script: sortable tables, the map explorer and the Vega views. Plain ES2017, no dependency but Vega. */
const SCRIPT = String.raw`
(function () {
  function sortable(table) {
    var heads = table.querySelectorAll('thead th');
    heads.forEach(function (th, col) {
      th.title = 'Sort by this column';
      th.addEventListener('click', function () {
        var asc = th.getAttribute('aria-sort') !== 'ascending';
        heads.forEach(function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        var key = function (r) {
          var t = r.cells[col] ? r.cells[col].textContent.trim() : '';
          var n = parseFloat(t.replace(/,/g, ''));
          return t === '' ? null : isNaN(n) ? t.toLowerCase() : n;
        };
        rows.sort(function (a, b) {
          var x = key(a), y = key(b);
          if (x === null) return 1;
          if (y === null) return -1;
          if (typeof x !== typeof y) return typeof x === 'number' ? -1 : 1;
          return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1);
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  }
  document.querySelectorAll('table').forEach(sortable);

  document.querySelectorAll('script[type="application/vega+json"]').forEach(function (el) {
    var spec = JSON.parse(el.textContent);
    var view = new vega.View(vega.parse(spec), { renderer: 'svg', container: '#' + el.dataset.target, hover: true });
    view.runAsync().catch(function (e) { console.error(e); });
  });

  var dataEl = document.getElementById('explorer-data');
  if (!dataEl) return;
  var EX = JSON.parse(dataEl.textContent);
  var pick = { layer: document.getElementById('pick-layer'), field: document.getElementById('pick-field'), time: document.getElementById('pick-time') };
  var readout = document.getElementById('readout');
  var view = null, shownLayer = -1, shown = null;
  function fill(select, items, keep) {
    var old = select.value;
    select.innerHTML = '';
    items.forEach(function (t) { var o = document.createElement('option'); o.value = t; o.textContent = t === '' ? '(no time)' : t; select.appendChild(o); });
    if (keep && items.indexOf(old) >= 0) select.value = old;
    select.disabled = items.length < 2;
  }
  function decode(b64, scale) {
    var bin = atob(b64), n = bin.length / 2, out = new Array(n);
    for (var i = 0; i < n; i++) {
      var v = bin.charCodeAt(2 * i) | (bin.charCodeAt(2 * i + 1) << 8);
      if (v >= 32768) v -= 65536;
      out[i] = v === -32768 ? null : v * scale;
    }
    return out;
  }
  function rows(values) {
    return EX.cells.map(function (c, i) {
      var r = { x: c[0], x2: c[1], y: c[2], y2: c[3], lon: c[4], lat: c[5], row: c[6], col: c[7], v: values[i] };
      if (values[i] === null) r.nodata = 'no value inside the mask';
      return r;
    });
  }
  function fmt(v) { return Math.abs(v) >= 100 ? v.toFixed(1) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toFixed(3); }
  function onHover(event, item) {
    var d = item && item.datum;
    if (!d || d.lat === undefined || !shown) return;
    var L = EX.layers[shown.layer];
    readout.textContent = shown.field + (shown.time ? ' ' + shown.time : '') + ': ' +
      (d.v === null || d.v === undefined ? 'no value' : fmt(d.v) + ' ' + L.units) +
      ' at ' + d.lat.toFixed(2) + '°N ' + Math.abs(d.lon).toFixed(2) + '°' + (d.lon < 0 ? 'W' : 'E') +
      ' (row ' + d.row + ', col ' + d.col + ')';
  }
  async function show(layerChanged) {
    var li = +pick.layer.value, L = EX.layers[li];
    if (layerChanged) { fill(pick.field, L.fields, true); fill(pick.time, L.times, true); }
    var field = pick.field.value, time = pick.time.value;
    var frame = L.frames[field] && L.frames[field][time];
    if (li !== shownLayer) {
      if (view) view.finalize();
      var spec = JSON.parse(JSON.stringify(EX.spec));
      spec.scales = spec.scales.map(function (sc) { return sc.name === 'color' ? L.colorScale : sc; });
      spec.legends = L.legends;
      view = new vega.View(vega.parse(spec), { renderer: 'svg', container: '#explorer-map', hover: true });
      view.addEventListener('mousemove', onHover);
      shownLayer = li;
    }
    var values = frame ? decode(frame, L.scale) : EX.cells.map(function () { return null; });
    view.change('cells', vega.changeset().remove(vega.truthy).insert(rows(values)));
    await view.runAsync();
    shown = { layer: li, field: field, time: time };
    readout.textContent = 'Showing ' + field + (time ? ' ' + time : '') + ': hover a cell to read its value and coordinates.';
    document.getElementById('explorer-note').textContent = frame ? '' : 'No map for ' + field + (time ? ' in ' + time : '') + '.';
  }
  fill(pick.layer, EX.layers.map(function (l, i) { return String(i); }), false);
  Array.prototype.forEach.call(pick.layer.options, function (o, i) { o.textContent = EX.layers[i].title; });
  pick.layer.addEventListener('change', function () { show(true).catch(console.error); });
  pick.field.addEventListener('change', function () { show(false).catch(console.error); });
  pick.time.addEventListener('change', function () { show(false).catch(console.error); });
  show(true).then(function () { document.body.dataset.explorerReady = '1'; }).catch(console.error);
})();
`;

/**
 * Renders the report as one HTML document that opens offline: images as `data:` URIs, the Vega runtime and the
 * interactive views' data inline.
 * @example
 * ```ts
 * renderHtmlReport([{ heading: "A", paragraphs: ["x < y"] }], { title: "R" }).includes("x &lt; y"); // => true
 * ```
 */
export function renderHtmlReport(sections: readonly ReportSection[], options: HtmlReportOptions): string {
  const parts: string[] = [];
  const interactive = sections.some((s) => s.explorer || (s.views && s.views.length));
  parts.push(
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(options.title)}</title>`,
    `<style>${STYLE}</style>`,
  );
  if (interactive) parts.push(`<script>${vegaScript()}</script>`);
  parts.push('</head><body>', `<h1>${escapeHtml(options.title)}</h1>`);
  if (options.banner) parts.push(`<p class="banner">${escapeHtml(options.banner)}</p>`);
  let viewId = 0;
  let explorers = 0;
  for (const s of sections) {
    parts.push(`<h2>${escapeHtml(s.heading)}</h2>`);
    for (const p of s.paragraphs ?? []) parts.push(`<p>${escapeHtml(p)}</p>`);
    if (s.tableHtml) parts.push(s.tableHtml);
    if (s.explorer) {
      if (explorers++ > 0) throw new ReconstructError('renderHtmlReport: at most one map explorer per report');
      parts.push(
        '<div class="controls"><label>Map<select id="pick-layer"></select></label><label>Model<select id="pick-field"></select></label><label>Month<select id="pick-time"></select></label></div>',
        '<div id="readout" aria-live="polite">Hover a cell to read its value and coordinates.</div>',
        '<div id="explorer-map" class="view"></div><p id="explorer-note"></p>',
        `<script type="application/json" id="explorer-data">${scriptJson(s.explorer)}</script>`,
      );
    }
    for (const v of s.views ?? []) {
      const id = `view-${viewId++}`;
      parts.push(
        `<h3>${escapeHtml(v.title)}</h3><div id="${id}" class="view"></div>`,
        `<script type="application/vega+json" data-target="${id}">${scriptJson(v.spec)}</script>`,
      );
    }
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
  parts.push(`<script>${SCRIPT}</script>`, '</body></html>');
  return parts.join('\n');
}
