// Debian's Chromium through playwright-core, with the launch flags the
// project's browser tests use.
import fs from "node:fs";

// playwright-core asks at load time whether it runs under WSL by probing
// /proc/sys/fs/binfmt_misc/WSLInterop; Deno refuses any read under /proc/sys
// without --allow-all. The answer here is known (not WSL), so that one probe
// is answered instead of granting every permission to the tests.
const existsSync = fs.existsSync;
fs.existsSync = (path: fs.PathLike) =>
  String(path).startsWith("/proc/sys/") ? false : existsSync(path);
const { chromium } = await import("playwright-core");

/** Launches headless Chromium from `/usr/bin/chromium`. */
export function launchChromium(): ReturnType<typeof chromium.launch> {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
