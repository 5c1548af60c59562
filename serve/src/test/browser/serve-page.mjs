// Drives Debian's chromium (headless) through the web page of videojam serve:
//   node serve-page.mjs URL SCREENSHOT.png
// types a prompt, clicks Generate, follows the progress bar, waits until both <video> elements can
// play (readyState >= 2, duration > 0) and the video is playing, then takes a screenshot. Prints one
// line of JSON with what it saw; exit code 1 with the reason on any failure.
import { chromium } from "playwright-core";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const [url, screenshot] = process.argv.slice(2);
if (!url || !screenshot) {
  console.error("usage: node serve-page.mjs URL SCREENSHOT.png");
  process.exit(2);
}
const profile = fs.mkdtempSync(path.join(os.tmpdir(), "videojam-chromium-"));
let context;
try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
    viewport: { width: 1100, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(120_000);
  const errors = [];
  page.on("pageerror", e => errors.push(String(e)));
  await page.goto(url);
  await page.waitForFunction(() => document.getElementById("model").textContent.startsWith("model "));
  await page.fill("#prompt", "a red square moving right");
  await page.fill("#steps", "60");
  await page.fill("#seed", "7");
  // every value the progress bar shows, as the events set it
  await page.evaluate(() => {
    window.seen = [];
    const bar = document.getElementById("bar");
    new MutationObserver(() => window.seen.push([Number(bar.value), Number(bar.max)])).observe(bar, { attributes: true });
  });
  await page.click("#generate");
  for (const id of ["video", "motion"]) {
    await page.waitForFunction(id => {
      const v = document.getElementById(id);
      return v.readyState >= 2 && v.duration > 0 && v.videoWidth > 0;
    }, id);
  }
  await page.evaluate(() => document.getElementById("video").play());
  await page.waitForFunction(() => document.getElementById("video").currentTime > 0);
  const seen = await page.evaluate(() => {
    const info = id => {
      const v = document.getElementById(id);
      return { src: v.currentSrc, readyState: v.readyState, duration: v.duration, width: v.videoWidth, height: v.videoHeight,
        currentTime: v.currentTime, error: v.error && v.error.code };
    };
    return { video: info("video"), motion: info("motion"), status: document.getElementById("status").textContent,
      bar: window.seen, settings: document.querySelectorAll("#settings tr").length };
  });
  await page.screenshot({ path: screenshot, fullPage: true });
  seen.pageErrors = errors;
  console.log(JSON.stringify(seen));
} catch (e) {
  console.error("browser test failed: " + (e && e.message ? e.message.split("\n")[0] : e));
  process.exitCode = 1;
} finally {
  if (context) await context.close();
  fs.rmSync(profile, { recursive: true, force: true });
}
