/**
 * A real browser for the tests: Debian's chromium, driven by the pinned playwright-core, headless
 * and without a sandbox (CI runs as root), with every background request of its own turned off so
 * that any request a test sees came from the page. The executable is CHROMIUM_PATH, by default
 * Debian's /usr/bin/chromium. A missing browser is a failure, never a skip: .ci/run installs it.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Launch headless Chromium; throws, naming the path and the fix, when it is not installed. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH))
    throw new Error(
      `no Chromium at ${CHROMIUM_PATH}: install Debian's chromium (.ci/apt-packages) or set CHROMIUM_PATH`,
    );
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-default-apps',
      '--disable-sync',
      '--metrics-recording-only',
      '--no-first-run',
      '--disable-domain-reliability',
      '--disable-breakpad',
    ],
  });
}
