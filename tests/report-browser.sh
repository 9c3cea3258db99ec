#!/usr/bin/env bash
# `ecoband report` as issue 14's acceptance states it, on the release
# binary: run, sobol and tornado of the Moshi scenario with their default
# settings, then one report to HTML, LaTeX, CSV and SVG. Checks that
#  * r.tex compiles with pdflatex (-halt-on-error);
#  * r.html, opened in Debian's headless Chromium with the network cut
#    off, makes no request but for the file itself, has every <figure>
#    with its <svg> in the DOM, and gives a full-page screenshot;
#  * every SVG in fig/ is well-formed XML, one per <figure> of r.html.
# (tests/browser/check-report.mjs does the browser's part.)
#
# Usage (from anywhere; needs a release build, pdflatex, chromium, node
# and npm): tests/report-browser.sh [OUTPUT_DIR]
# OUTPUT_DIR keeps the outputs (r.html, r.pdf, screenshot.png …); without
# it they go to a temporary folder that is removed at the end.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
ecoband="$root/target/release/ecoband"
[ -x "$ecoband" ] || { echo "build first: cargo build --release" >&2; exit 1; }
for tool in pdflatex node npm "${CHROMIUM:-/usr/bin/chromium}"; do
  command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 1; }
done

step() { printf '\n== %s\n' "$*"; }
fail() { printf 'FAILED: %s\n' "$*" >&2; exit 1; }

if [ $# -ge 1 ]; then
  work=$(mkdir -p "$1" && cd "$1" && pwd)
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi

step "playwright-core (tests/browser, pinned by its package-lock.json)"
browser="$root/tests/browser"
if [ ! -f "$browser/node_modules/playwright-core/package.json" ] \
  || [ "$browser/package-lock.json" -nt "$browser/node_modules/.package-lock.json" ]; then
  (cd "$browser" && npm ci --no-audit --no-fund --loglevel=error)
fi

step "results: run, sobol, tornado of scenarios/moshi.toml (defaults)"
# From the repository's root, as a user on a fresh clone types it: the
# results record the relative scenario path, where the report finds the
# scenario again for its factor list.
cd "$root"
"$ecoband" -q run scenarios/moshi.toml --out "$work/m.json"
"$ecoband" -q sobol scenarios/moshi.toml --out "$work/s.json"
"$ecoband" -q tornado scenarios/moshi.toml --out "$work/t.json"

step "report: --html --latex --csv --svg-dir"
rm -rf "$work/out" "$work/fig"
"$ecoband" report "$work/m.json" "$work/s.json" "$work/t.json" \
  --html "$work/r.html" --latex "$work/r.tex" --csv "$work/out/" --svg-dir "$work/fig/" \
  >"$work/report.txt"
cd "$work"
for f in r.html r.tex out/impacts.csv out/histograms.csv out/convergence.csv \
  out/sobol.csv out/tornado.csv; do
  [ -s "$f" ] || fail "$f missing or empty"
done
[ -d fig ] || fail "no fig/"
grep -q '<table id="factors-1">' r.html || fail "r.html has no factor list"

step "pdflatex r.tex"
if ! pdflatex -interaction=nonstopmode -halt-on-error r.tex >pdflatex.log 2>&1; then
  tail -n 30 pdflatex.log >&2
  fail "r.tex does not compile"
fi
# Twice, as longtable needs for its column widths.
pdflatex -interaction=nonstopmode -halt-on-error r.tex >pdflatex.log 2>&1 \
  || fail "r.tex does not compile the second time"
[ -s r.pdf ] || fail "no r.pdf"
if grep -q '^! ' pdflatex.log; then fail "pdflatex reported errors"; fi
pages=$(grep -o 'Output written on r.pdf ([0-9]* page' pdflatex.log | grep -o '[0-9]* page' | cut -d' ' -f1)
echo "r.pdf: ${pages:-?} pages"

step "the browser check can fail: a copy of r.html with outside requests"
# An image, a stylesheet, a CSS url() and a figure without SVG: the check
# must see each (.invalid never resolves, and the network is off anyway).
sed -e 's|</head>|<link rel="stylesheet" href="https://example.invalid/s.css"></head>|' \
  -e 's|</main>|<img src="http://example.invalid/i.png"><div style="background: url(https://example.invalid/b.png)">x</div><figure><p>no SVG</p></figure></main>|' \
  r.html >tampered.html
if node "$browser/check-report.mjs" tampered.html tampered.png >tampered.out 2>&1; then
  cat tampered.out >&2
  fail "the browser check passed a report with outside requests"
fi
for url in https://example.invalid/s.css http://example.invalid/i.png https://example.invalid/b.png; do
  grep -q "requests other than the report:.*$url" tampered.out \
    || { cat tampered.out >&2; fail "the browser check missed $url"; }
done
grep -q 'lack an <svg> child' tampered.out || fail "the browser check missed a figure without SVG"
echo "tampered copy refused, each of its 3 outside URLs named"

step "r.html in headless Chromium, network off"
summary=$(node "$browser/check-report.mjs" r.html screenshot.png fig) \
  || fail "the browser check failed"
echo "$summary"
svgs=$(find fig -name '*.svg' | wc -l)
echo "fig/: $svgs SVG files, each parsed as XML by Chromium"
case $summary in
  *"\"svg_files\":$svgs,"*) ;;
  *) fail "the browser saw another number of SVG files than fig/ holds" ;;
esac
[ -s screenshot.png ] || fail "no screenshot"

printf '\nreport-browser: all checks passed (outputs in %s)\n' "$work"
