// Debian's Chromium, driven by playwright-core (no downloaded browser), with the flags this kind
// of machine needs: as root, headless, and without the background connections a closed network
// refuses. Shared by the page and npm package tests.

import { chromium } from 'playwright-core';

export function launchChromium() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
