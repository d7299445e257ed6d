#!/usr/bin/env bash
# Regenerates reports/: the sample report of a demo run (HTML, Markdown, CSV, JSON, and PDF plus
# screenshots when Chromium is installed), the report of the 2023 reply log in English and French,
# the demo compared with 2023, an anonymized version, the history of three tests, and the letters
# to the parties after the demo run. Usage: scripts/sample-report.sh [seed]
set -euo pipefail
cd "$(dirname "$0")/.."

seed="${1:-2023}"
tz="Europe/Paris" # the secretariat's zone (Strasbourg)
out="reports"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

npm run build --silent
rollcall() { node bin/rollcall.js "$@"; }

chromium=""
for c in /usr/bin/chromium /usr/bin/chromium-browser; do [ -x "$c" ] && chromium="$c" && break; done
formats="html,md,csv,json"
[ -n "$chromium" ] && formats="$formats,pdf"

echo "demo run (seed $seed)..." >&2
rollcall demo --seed "$seed" --runs-dir "$tmp/runs" --json > "$tmp/demo.json"
run="$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).runDir)' "$tmp/demo.json")"

mkdir -p "$out"
rm -rf "$out"/demo-report* "$out"/replies-2023-report* "$out"/history* "$out"/letters

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
# The issue's "done when": the 2023 reply log, with the directory for time zones and network name,
# in English and in French.
rollcall report fixtures/replies-2023.csv --directory fixtures/directory.yaml --format html,md --tz "$tz" --out "$tmp/r2023" > /dev/null
place "$tmp/r2023" replies-2023-report
fr_formats="html,md"
[ -n "$chromium" ] && fr_formats="$fr_formats,pdf"
rollcall report fixtures/replies-2023.csv --directory fixtures/directory.yaml --locale fr --format "$fr_formats" --tz "$tz" --out "$tmp/r2023fr" > /dev/null
place "$tmp/r2023fr" replies-2023-report-fr

# Years side by side: 2023 (the reply log), a small rehearsal of six countries (the fixture
# run-small, moved 52 weeks on to June 2024), and the demo run.
node --input-type=module -e '
  import { cpSync, readFileSync, writeFileSync } from "node:fs";
  const [from, to] = process.argv.slice(1);
  const shift = 364 * 86400_000;
  const moved = (text) => text.replace(/"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z)"/g, (_, t) => JSON.stringify(new Date(Date.parse(t) + shift).toISOString()));
  cpSync(from, to, { recursive: true });
  for (const f of ["events.jsonl", "run.json"]) writeFileSync(`${to}/${f}`, moved(readFileSync(`${to}/${f}`, "utf8")).replaceAll("2023-06-07T0800Z-small", "2024-06-05T0800Z-small"));
' fixtures/events/run-small "$tmp/2024-06-05T0800Z-small"
rollcall report --history fixtures/replies-2023.csv "$tmp/2024-06-05T0800Z-small" "$run" --directory fixtures/directory.yaml --format html,md,csv,json --tz "$tz" --out "$tmp/history" > /dev/null
place "$tmp/history" history
rollcall report --history fixtures/replies-2023.csv "$tmp/2024-06-05T0800Z-small" "$run" --directory fixtures/directory.yaml --locale fr --format html,md --tz "$tz" --out "$tmp/history-fr" > /dev/null
place "$tmp/history-fr" history-fr

# After the meeting: a letter to each party that did not answer within 15 minutes or whose
# address failed, in its own language.
rollcall report "$run" --letters --format md,html --out "$tmp/letters" > /dev/null
mv "$tmp/letters/letters" "$out/letters"

if [ -n "$chromium" ] && [ -d node_modules/playwright-core ]; then
  # Full-page screenshots for reviewers (playwright-core drives the system Chromium; nothing is downloaded).
  CHROMIUM="$chromium" node --input-type=module -e '
    import { chromium } from "playwright-core";
    import { pathToFileURL } from "node:url";
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"] });
    for (const name of ["demo-report", "demo-report-vs-2023", "replies-2023-report", "replies-2023-report-fr", "history"]) {
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
