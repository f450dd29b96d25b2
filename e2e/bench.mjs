// Browser bench (not a test): 200 generated forms added through the real file input of the
// release build; reports the time until every file is read and the form set is merged, and the
// longest gap between animation frames meanwhile (how long the page was unresponsive); then how
// long the review of the 200 forms takes to draw, a decision to show, and the pre-filled set
// to be made.
// Usage: node e2e/bench.mjs [DIST_DIR | dist-single/yibiao.html] [SCALE_DIR]  (scale set: bash
// benches/make-scale.sh)
import { chromium } from "playwright-core";
import { serve } from "./serve.mjs";
import { readdirSync } from "node:fs";
import { join, resolve, dirname, basename } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const target = resolve(process.argv[2] || join(root, "dist"));
// An .html file (the single offline file) is opened from disk: no workers there.
const single = target.endsWith(".html");
const dist = single ? dirname(target) : target;
const scale = resolve(process.argv[3] || join(root, "target/bench-scale/scale"));
const server = await serve(dist);
const files = readdirSync(scale).filter((f) => f.endsWith(".xlsx")).map((f) => join(scale, f));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: [...(process.env.CHROME_ARGS ? process.env.CHROME_ARGS.split(" ") : []), "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const page = await browser.newPage();
if (process.env.BENCH_LOG) { page.on("console", (m) => console.log("  page:", m.text())); page.on("worker", (w) => w.on("console", (m) => console.log("  worker:", m.text()))); }
await page.goto(single ? `file://${target}` : server.origin + "/");
await page.getByTestId("add-files").waitFor({ state: "attached" });
await page.evaluate(() => {
  window.__gap = 0;
  window.__gaps = [];
  let last = performance.now();
  const tick = (t) => {
    window.__gap = Math.max(window.__gap, t - last);
    if (t - last > 50) window.__gaps.push([Math.round(t - last), Math.round(performance.timeOrigin + t)]);
    last = t;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  document.addEventListener("change", () => { window.__changed = Date.now(); }, true);
});
// A clerk takes a moment to pick the files: the page sits idle 2 s first, as it would (its
// reading workers warm up meanwhile). BENCH_IDLE=0 adds the files the moment the page is up.
const idle = Number(process.env.BENCH_IDLE ?? 2000);
await page.waitForTimeout(idle);
const t0 = Date.now();
if (process.env.BENCH_LOG) console.log("t0", t0);
await page.getByTestId("add-files").setInputFiles(files);
await page.waitForFunction(
  (n) => {
    const s = [...document.querySelectorAll("[data-testid=file-status]")].map((e) => e.textContent);
    const all = s.length === n && s.every((t) => t.startsWith("✓") || t.startsWith("✗"));
    if (all) window.__done = Date.now();
    return all;
  },
  files.length,
  { timeout: 120000, polling: "raf" },
);
const [changed, done] = await page.evaluate(() => [window.__changed, window.__done]);
const ms = done - t0;
if (process.env.BENCH_LOG) console.log("changed", changed, "done", done);
const fromChange = done - changed;
const gap = await page.evaluate(() => window.__gap);
// Frames longer than 50 ms (a "long task"), as [length, ms before the end].
const gaps = await page.evaluate((end) => window.__gaps.filter(([, at]) => at >= end - 10000).map(([g, at]) => [g, at - end]), done);
const tr = Date.now();
await page.getByTestId("step-review").click();
await page.getByTestId("cluster").first().waitFor();
const reviewMs = Date.now() - tr;
const clusters = await page.getByTestId("cluster").count();
const ta = Date.now();
await page.getByTestId("cluster").first().getByTestId("accept").click();
await page.getByTestId("review-note").waitFor();
const decideMs = Date.now() - ta;
const steps = [];
for (const step of ["step-forms", "step-set", "step-export", "step-review"]) {
  const t = Date.now();
  await page.getByTestId(step).click();
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));
  steps.push(`${step.slice(5)} ${Date.now() - t} ms`);
}
// The pre-filled set of the 200 forms: read again, filled and written in the page.
await page.getByTestId("step-export").click();
await page.evaluate(() => { window.__gap = 0; });
const tp = Date.now();
const [prefilled] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-prefilled").click()]);
await page.getByTestId("prefill-summary").waitFor();
const prefillMs = Date.now() - tp;
const prefillLine = await page.getByTestId("prefill-summary").textContent();
const prefillGap = await page.evaluate(() => window.__gap);
console.log(`pre-filled set of the 200 forms downloaded in ${prefillMs} ms, longest frame ${prefillGap.toFixed(0)} ms (${prefillLine}; ${(await prefilled.path()) ? "saved" : "not saved"})`);
// Issue 16.6: the review at real volume. Real forms give 700+ clusters; the 200 generated forms
// give 237, so the real development files are added to them (tests/fixtures/real-dev, the first
// 47 by name: about 700 clusters in all), in a fresh page.
const dev = join(root, "tests/fixtures/real-dev");
const devFiles = [];
for (const d of readdirSync(dev, { withFileTypes: true }).filter((d) => d.isDirectory())) {
  for (const f of readdirSync(join(dev, d.name))) if (!/\.(json|md|tsv)$/.test(f)) devFiles.push(join(dev, d.name, f));
}
devFiles.sort((a, b) => (basename(a) < basename(b) ? -1 : basename(a) > basename(b) ? 1 : 0));
const big = [...files, ...devFiles.slice(0, Number(process.env.BENCH_DEV ?? 47))];
const page2 = await browser.newPage();
await page2.goto(single ? `file://${target}` : server.origin + "/");
await page2.getByTestId("add-files").waitFor({ state: "attached" });
await page2.waitForTimeout(idle);
await page2.getByTestId("add-files").setInputFiles(big);
await page2.waitForFunction((n) => {
  const s = [...document.querySelectorAll("[data-testid=file-status]")].map((e) => e.textContent);
  return s.length === n && s.every((t) => t.startsWith("✓") || t.startsWith("✗"));
}, big.length, { timeout: 180000 });
// Times inside the page, from the click to the frame painted after the DOM shows what is
// waited for (no round trips to the test driver in between).
const painted = () => page2.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))));
const clickUntil = (click, until) => page2.evaluate(([click, until]) => new Promise((res) => {
  const t = performance.now();
  document.querySelector(click).click();
  const check = () => {
    if (document.querySelector(until)) requestAnimationFrame(() => setTimeout(() => res(Math.round(performance.now() - t)), 0));
    else setTimeout(check, 1);
  };
  check();
}), [click, until]);
const bigReviewMs = await clickUntil("[data-testid=step-review]", "[data-testid=cluster]");
const bigClusters = (await page2.getByTestId("cluster-count").textContent()).split(" / ")[1];
const bigDecideMs = await clickUntil("[data-testid=cluster] [data-testid=accept]", "[data-testid=review-note]");
await page2.getByTestId("review-note").getByRole("button", { name: "知道了" }).click();
const bigDropMs = await clickUntil("[data-testid=cluster] [data-testid=drop]", "[data-testid=review-note]");
const t4 = Date.now();
await page2.getByTestId("bulk-accept").click();
await page2.waitForFunction(() => /^已确认 \d+ 个字段/.test(document.querySelector("[data-testid=review-note]")?.textContent || ""));
await painted();
const bigBulkMs = Date.now() - t4;
const bulkNote = await page2.getByTestId("review-note").textContent();
const t5 = Date.now();
await page2.getByTestId("cluster").first().getByTestId("merge").click();
await page2.getByTestId("target-filter").waitFor();
await painted();
const openMergeMs = Date.now() - t5;
const t6 = Date.now();
await page2.getByTestId("target-filter").pressSequentially("姓名");
await painted();
const typeMs = Date.now() - t6;
console.log(`review of ${big.length} files (${bigClusters} clusters, the first 50 drawn) drawn in ${bigReviewMs} ms; a decision shown in ${bigDecideMs} ms (确认), ${bigDropMs} ms (取消此项); 全部确认 (${bulkNote.split("（")[0]}) in ${bigBulkMs} ms; 合并到… opened in ${openMergeMs} ms, 2 characters typed into its filter in ${typeMs} ms`);
console.log(`review of the 200 forms drawn in ${reviewMs} ms; a decision (确认) shown in ${decideMs} ms; steps drawn: ${steps.join(", ")}`);
console.log(`${files.length} files read and merged in the browser in ${fromChange} ms after ${idle} ms idle from the page's change event (${ms} ms from the setInputFiles call); longest frame gap ${gap.toFixed(0)} ms; ${clusters} clusters; frames over 50 ms [length, ms to the end]: ${JSON.stringify(gaps)}`);
await browser.close();
server.close();
