// Exports of the report on screen: JSON and Markdown from the worker (as Blobs, so that a big
// report's text is never copied through the main thread), the picture as SVG and PNG, and print.

import { el } from '../view.js';
import { showError } from './status.js';

const NAMES = { json: 'JSON', markdown: 'Markdown' };
const EXTENSIONS = { json: 'json', markdown: 'md' };

/** The shown report's file name without its extension, safe as a download name. */
function baseName(run) {
  return (run?.shown?.name ?? 'report').replace(/\.[^.]*$/, '').replace(/[^\w.+-]+/g, '_') || 'report';
}

function download(blob, name) {
  const url = URL.createObjectURL(blob);
  el('a', { href: url, download: name }).click();
  // The download has started once click() returns, but some browsers read the URL a little later.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Downloads the report as the library writes it (`format`: json or markdown). */
export async function exportReport(page, format) {
  const run = page.run;
  if (!run?.shown) return;
  const reply = await page.analyser.ask({ type: 'export', format });
  if (reply.error) return showError(page.ui, null, `The ${NAMES[format]} export failed: ${reply.error}`);
  download(reply.blob, `${baseName(run)}.callstate.${EXTENSIONS[format]}`);
}

export function exportSvg(page) {
  if (!page.run?.shown) return;
  download(new Blob([page.timeline.toSVG()], { type: 'image/svg+xml' }), `${baseName(page.run)}.callstate.svg`);
}

export async function exportPng(page) {
  const run = page.run;
  if (!run?.shown) return;
  const svg = page.timeline.toSVG();
  const [, width, height] = svg.match(/width="(\d+)" height="(\d+)"/).map(Number);
  const scale = Math.max(0.25, Math.min(2, 16000 / width, 16000 / height));
  const image = new Image();
  // A data: URL, which the page's Content-Security-Policy allows for images.
  image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
  await image.decode();
  const canvas = el('canvas', { width: Math.ceil(width * scale), height: Math.ceil(height * scale) });
  const context = canvas.getContext('2d');
  context.scale(scale, scale);
  context.drawImage(image, 0, 0);
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
  download(blob, `${baseName(run)}.callstate.png`);
}

export function printReport(page) {
  page.timeline.fit();
  for (const details of page.ui.report.querySelectorAll('details')) details.open = true;
  window.print();
}
