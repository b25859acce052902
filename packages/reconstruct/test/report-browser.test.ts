/**
 * The HTML report in a real browser: headless Chromium (Debian's `chromium`, driven by playwright-core) opens a
 * smoke run's report.html from disk with no network, and we check that it renders without console errors, that
 * hovering a map cell shows its value and coordinates, that the model and month pickers redraw the map, that Table 1
 * sorts, and that a screenshot is the expected size and not blank. Skipped (saying why) when Chromium is absent.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pngjs from 'pngjs';
import { chromium, type BrowserContext } from 'playwright-core';
import { runPipeline } from '../src/pipeline.js';
import { resolveConfig } from '../src/config.js';
import { fakeEngine } from './fake-engine.js';

const CHROMIUM = process.env['TWSA_CHROMIUM'] ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium)
  console.warn(
    `skipped: the browser test needs Chromium at ${CHROMIUM} (Debian: apt-get install -y chromium; or set TWSA_CHROMIUM)`,
  );

(haveChromium ? describe : describe.skip)('report.html in headless Chromium', () => {
  const base = mkdtempSync(join(tmpdir(), 'twsa-browser-'));
  let context: BrowserContext;
  let reportPath: string;

  beforeAll(async () => {
    const config = resolveConfig({
      profile: 'smoke',
      models: { names: ['seunet', 'dcae'] },
      hindcast: { start: '2001-10' },
    });
    const result = await runPipeline(config, { out: join(base, 'run'), engine: fakeEngine({ twin: true }) });
    reportPath = result.reportPath!;
    context = await chromium.launchPersistentContext(join(base, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 900 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    // Offline: any request that is not the file itself (or a data: URI) fails the page.
    await context.route(/^(?!file:|data:)/, (route) => route.abort());
  }, 240_000);

  afterAll(async () => {
    await context?.close();
    rmSync(base, { recursive: true, force: true });
  });

  it('renders offline without console errors; hover, pickers and sorting work; the screenshot is not blank', async () => {
    const page = await context.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(reportPath).href);
    await page.waitForSelector('body[data-explorer-ready="1"]', { timeout: 30_000 });
    await page.waitForSelector('#view-0 svg', { timeout: 30_000 });

    // Hover a cell of the map explorer: the readout shows a value with units and coordinates.
    await page.locator('#explorer-map').scrollIntoViewIfNeeded();
    const cells = page.locator('#explorer-map svg g.mark-rect path');
    const n = await cells.count();
    expect(n).toBeGreaterThan(10);
    const box = (await cells.nth(Math.floor(n / 2)).boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const readout = page.locator('#readout');
    await page.waitForFunction("/ at /.test(document.getElementById('readout').textContent)", null, {
      timeout: 15_000,
    });
    await expect(readout.textContent()).resolves.toMatch(
      /: (-?\d+(\.\d+)? mm|no value) at \d+\.\d+°N \d+\.\d+°W \(row \d+, col \d+\)/,
    );
    const first = await readout.textContent();
    console.log(`hover readout: ${first}`);

    // Another model and month redraw the map; the readout follows.
    const fields = await page.locator('#pick-field option').allTextContents();
    const times = await page.locator('#pick-time option').allTextContents();
    expect(fields).toEqual(expect.arrayContaining(['GRACE', 'SEUNet', 'DCAE']));
    expect(times.length).toBeGreaterThan(1);
    await page.selectOption('#pick-field', 'DCAE');
    await page.selectOption('#pick-time', { index: times.length - 1 });
    await page.mouse.move(box.x + 1, box.y + 1);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.waitForFunction("/^DCAE /.test(document.getElementById('readout').textContent)", null, {
      timeout: 15_000,
    });
    await expect(readout.textContent()).resolves.toMatch(
      new RegExp(`^DCAE ${times[times.length - 1]!.replace(/[()]/g, '\\$&')}: `),
    );

    // Another kind of map (per-pixel CC) loads its own colour scale.
    await page.selectOption('#pick-layer', { label: 'Per-pixel CC (test)' });
    await page.waitForFunction("document.querySelectorAll('#explorer-map svg g.mark-rect path').length > 10");

    // The series zoom: the mouse wheel over a panel narrows its time axis (its year labels change).
    const view = page.locator('#view-0');
    await view.scrollIntoViewIfNeeded();
    const yearLabels = (): Promise<string[]> =>
      view.locator('g.role-axis-label').first().locator('text').allTextContents();
    const before = await yearLabels();
    const vbox = (await view.locator('svg').boundingBox())!;
    await page.mouse.move(vbox.x + vbox.width / 2, vbox.y + 150);
    for (let k = 0; k < 5; k++) await page.mouse.wheel(0, -300);
    await page.waitForTimeout(300);
    const after = await yearLabels();
    console.log(`series zoom: year labels ${before.join(' ')} → ${after.join(' ')}`);
    expect(after).not.toEqual(before);

    // Table 1 sorts by a clicked column.
    const th = page.locator('table th').nth(0);
    await th.click();
    await expect(th.getAttribute('aria-sort')).resolves.toBe('ascending');

    await page.locator('#explorer-map').scrollIntoViewIfNeeded();
    // Kept after the test (the run folder is not) so a person can look at it.
    const shot = process.env['TWSA_SCREENSHOT'] ?? join(tmpdir(), 'twsa-report-browser.png');
    await page.screenshot({ path: shot, fullPage: false });
    const png = pngjs.PNG.sync.read(readFileSync(shot));
    expect([png.width, png.height]).toEqual([1280, 900]);
    let nonWhite = 0;
    const colours = new Set<number>();
    for (let i = 0; i < png.data.length; i += 4) {
      const [r, g, b] = [png.data[i]!, png.data[i + 1]!, png.data[i + 2]!];
      if (r < 245 || g < 245 || b < 245) nonWhite++;
      colours.add((r << 16) | (g << 8) | b);
    }
    const fraction = nonWhite / (png.width * png.height);
    console.log(
      `screenshot ${shot}: ${png.width}×${png.height}, ${(fraction * 100).toFixed(1)} % non-white, ${colours.size} colours`,
    );
    expect(fraction).toBeGreaterThan(0.03);
    expect(colours.size).toBeGreaterThan(50);
    expect(errors).toEqual([]);
    expect(requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:'))).toEqual([]);
    await page.close();
  }, 120_000);
});
