// Loads an ecoband HTML report in Debian's headless Chromium with the
// network cut off, and checks what a reader's browser would do with it.
//
// Usage: node check-report.mjs REPORT.html SCREENSHOT.png [SVG_DIR]
//
// "No request attempted" is established three ways, each enough alone:
//  * the browser context is offline (no connection can be made);
//  * every request the page makes goes through a route that lets only the
//    report's own file: URL through and aborts anything else;
//  * every request the page issues (page `request` events, which fire for
//    routed, aborted and failed requests alike; also WebSockets) is
//    recorded, and any but the report file itself fails the check.
// Then: every <figure> holds an <svg> that the DOM parsed as SVG, the
// sections and tables are there and no table is wider than the page (at
// a 1200 px wide window), nothing was logged as an error, every
// SVG file of SVG_DIR parses as XML (Chromium's own XML parser), and a
// full-page screenshot is written.
//
// Prints one JSON line with the counts on success; exits 1 with the
// reasons otherwise.

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { resolve, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const [htmlArg, screenshotArg, svgDirArg] = process.argv.slice(2);
if (!htmlArg || !screenshotArg) {
  console.error('usage: node check-report.mjs REPORT.html SCREENSHOT.png [SVG_DIR]');
  process.exit(2);
}
const reportUrl = pathToFileURL(resolve(htmlArg)).href;
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';

const failures = [];
const requests = [];
const aborted = [];
const consoleErrors = [];

const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-domain-reliability',
    '--disable-default-apps',
    '--metrics-recording-only',
    '--no-pings',
    // Any host name resolves to nothing: a request that slipped past
    // every other guard still could not reach a server.
    '--host-resolver-rules=MAP * ~NOTFOUND',
  ],
});
try {
  const context = await browser.newContext({
    offline: true,
    serviceWorkers: 'block',
    viewport: { width: 1200, height: 900 },
  });
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url === reportUrl) {
      return route.continue();
    }
    aborted.push(url);
    return route.abort('blockedbyclient');
  });
  const page = await context.newPage();
  page.on('request', (r) => requests.push(r.url()));
  page.on('websocket', (ws) => requests.push(ws.url()));
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));

  const response = await page.goto(reportUrl, { waitUntil: 'load' });
  if (!response) failures.push('the report did not load');
  // Anything lazy (images, fonts) would start by now.
  await page.waitForLoadState('networkidle');

  const dom = await page.evaluate(() => {
    const figures = [...document.querySelectorAll('figure')];
    return {
      title: document.title,
      sections: [...document.querySelectorAll('section[id]')].map((s) => s.id),
      tables: document.querySelectorAll('table').length,
      figures: figures.length,
      figuresWithSvg: figures.filter((f) => {
        const svg = f.querySelector(':scope > svg');
        return svg !== null && svg.namespaceURI === 'http://www.w3.org/2000/svg';
      }).length,
      scripts: document.querySelectorAll('script').length,
      // Tables wider than the column of text: a reader must scroll them.
      overflowing: [...document.querySelectorAll('.table-wrap')]
        .filter((w) => w.scrollWidth > w.clientWidth + 1)
        .map((w) => `${w.querySelector('table')?.id} (${w.scrollWidth} px in ${w.clientWidth})`),
      height: document.documentElement.scrollHeight,
    };
  });

  const others = requests.filter((u) => u !== reportUrl);
  if (others.length > 0) failures.push(`requests other than the report: ${others.join(', ')}`);
  if (aborted.length > 0) failures.push(`requests aborted by the route: ${aborted.join(', ')}`);
  if (!requests.includes(reportUrl)) failures.push(`the report itself was never requested (${requests.join(', ')})`);
  if (consoleErrors.length > 0) failures.push(`console errors: ${consoleErrors.join(' | ')}`);
  if (dom.figuresWithSvg !== dom.figures) {
    failures.push(`${dom.figures - dom.figuresWithSvg} of ${dom.figures} <figure> elements lack an <svg> child`);
  }
  if (dom.scripts !== 0) failures.push(`${dom.scripts} <script> elements`);
  if (dom.overflowing.length > 0) failures.push(`tables wider than the page: ${dom.overflowing.join(', ')}`);
  if (dom.sections.length === 0) failures.push('no <section id=…>');
  if (dom.tables === 0) failures.push('no <table>');

  let svgFiles = null;
  if (svgDirArg) {
    const names = readdirSync(svgDirArg).filter((n) => n.endsWith('.svg')).sort();
    svgFiles = names.length;
    const texts = names.map((n) => [n, readFileSync(join(svgDirArg, n), 'utf8')]);
    const bad = await page.evaluate((files) => files
      .map(([name, text]) => {
        const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
        const error = doc.querySelector('parsererror');
        if (error) return `${name}: ${error.textContent}`;
        if (doc.documentElement.localName !== 'svg') return `${name}: root is <${doc.documentElement.localName}>`;
        return null;
      })
      .filter((x) => x !== null), texts);
    failures.push(...bad.map((b) => `not well-formed SVG: ${b}`));
    if (svgFiles !== dom.figures) {
      failures.push(`${svgFiles} SVG files in ${svgDirArg} but ${dom.figures} <figure> elements in the report`);
    }
  }

  await page.screenshot({ path: screenshotArg, fullPage: true });
  const png = readFileSync(screenshotArg);
  const magic = png.subarray(0, 8).toString('hex');
  if (magic !== '89504e470d0a1a0a') failures.push(`${screenshotArg} is not a PNG`);
  // Width and height from the IHDR chunk: a full page is taller than the
  // viewport.
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  if (height < 900 || width < 1000) failures.push(`screenshot is ${width}×${height}`);

  const summary = {
    title: dom.title,
    requests,
    sections: dom.sections,
    tables: dom.tables,
    figures: dom.figures,
    figures_with_svg: dom.figuresWithSvg,
    svg_files: svgFiles,
    screenshot: { path: screenshotArg, width, height, bytes: statSync(screenshotArg).size },
  };
  if (failures.length > 0) {
    console.error(`FAILED:\n  ${failures.join('\n  ')}`);
    console.error(JSON.stringify(summary));
    process.exitCode = 1;
  } else {
    console.log(JSON.stringify(summary));
  }
} finally {
  await browser.close();
}
