#!/usr/bin/env bash
# Regenerates reports/: the sample report of a demo run (HTML, Markdown, CSV, JSON, and PDF plus
# screenshots when Chromium is installed), the report of the 2023 reply log, the demo compared
# with 2023, and an anonymized version. Usage: scripts/sample-report.sh [seed]
set -euo pipefail
cd "$(dirname "$0")/.."

seed="${1:-2023}"
tz="Europe/Paris" # the secretariat's zone (Strasbourg)
out="reports"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

npx tsc -p tsconfig.build.json
rollcall() { node bin/rollcall.js "$@"; }

chromium=""
for c in /usr/bin/chromium /usr/bin/chromium-browser; do [ -x "$c" ] && chromium="$c" && break; done
formats="html,md,csv,json"
[ -n "$chromium" ] && formats="$formats,pdf"

echo "demo run (seed $seed)..." >&2
rollcall demo --seed "$seed" --runs-dir "$tmp/runs" --json > "$tmp/demo.json"
run="$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).runDir)' "$tmp/demo.json")"

mkdir -p "$out"
rm -f "$out"/demo-report* "$out"/replies-2023-report*

# Stable names in reports/, whatever the demo's run id.
place() { # place <dir> <new base name>
  for f in "$1"/*; do mv "$f" "$out/$2.${f##*.}"; done
}
rollcall report "$run" --format "$formats" --tz "$tz" --out "$tmp/demo" > /dev/null
place "$tmp/demo" demo-report
rollcall report "$run" --compare fixtures/replies-2023.csv --format html,md --tz "$tz" --out "$tmp/compare" > /dev/null
place "$tmp/compare" demo-report-vs-2023
rollcall report "$run" --anonymize --format html,csv --tz "$tz" --out "$tmp/anon" > /dev/null
place "$tmp/anon" demo-report-anonymized
# The issue's "done when": the 2023 reply log, with the directory for time zones and network name.
rollcall report fixtures/replies-2023.csv --directory fixtures/directory.yaml --format html,md --tz "$tz" --out "$tmp/r2023" > /dev/null
place "$tmp/r2023" replies-2023-report

if [ -n "$chromium" ] && [ -d node_modules/playwright-core ]; then
  # Full-page screenshots for reviewers (playwright-core drives the system Chromium; nothing is downloaded).
  CHROMIUM="$chromium" node --input-type=module -e '
    import { chromium } from "playwright-core";
    import { pathToFileURL } from "node:url";
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"] });
    for (const name of ["demo-report", "demo-report-vs-2023", "replies-2023-report"]) {
      const page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
      await page.goto(pathToFileURL(`reports/${name}.html`).href);
      await page.screenshot({ path: `reports/${name}.png`, fullPage: true });
      await page.close();
    }
    await browser.close();
  '
else
  echo "Chromium not found: no PDF and no screenshots (apt-get install chromium)" >&2
fi
ls -1 "$out"
