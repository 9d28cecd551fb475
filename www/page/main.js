// The callstate page: takes recordings (dropped, picked, pasted or a bundled sample), hands them
// to the wasm analyser in a worker (../worker.js) and shows the report: the verdict first, then
// a picture of the traffic (../timeline.js), the evidence, each call, and exports.
//
//   elements.js  the page's elements       analyser.js  the worker protocol
//   page.js      runs: start, cancel, end  run.js       one run's state
//   render.js    the report on screen      rows.js      rows of its tables
//   call-view.js one call                  exports.js   JSON, Markdown, SVG, PNG, print
//   input.js     files, drops, paste, samples, rules and policy    status.js  progress and errors
//
// Everything in a report comes from an untrusted trace, so it only ever reaches the DOM as
// textContent or attribute values, never as HTML.

import { SIGNAL_HINTS, chip, el, signalName } from '../view.js';
import { closeCall, openCall } from './call-view.js';
import { findElements } from './elements.js';
import { exportPng, exportReport, exportSvg, printReport } from './exports.js';
import { bindInputs } from './input.js';
import { Page } from './page.js';
import { applyFilter, showMore } from './render.js';
import { showError } from './status.js';

function bindExports(page) {
  const { exports } = page.ui;
  exports.json.addEventListener('click', () => exportReport(page, 'json'));
  exports.markdown.addEventListener('click', () => exportReport(page, 'markdown'));
  exports.svg.addEventListener('click', () => exportSvg(page));
  exports.png.addEventListener('click', () => exportPng(page).catch((err) => showError(page.ui, null, `The PNG export failed: ${err?.message || err}`)));
  exports.print.addEventListener('click', () => printReport(page));
}

function bindReport(page) {
  const { ui } = page;
  for (const select of Object.values(ui.filters)) select.addEventListener('change', () => applyFilter(page, page.run));
  ui.filterClear.addEventListener('click', () => {
    for (const select of Object.values(ui.filters)) select.value = '';
    applyFilter(page, page.run);
  });
  ui.callsMore.addEventListener('click', () => showMore(page, page.run, 'calls'));
  ui.evidenceMore.addEventListener('click', () => showMore(page, page.run, 'evidence'));
  ui.sessionsMore.addEventListener('click', () => showMore(page, page.run, 'sessions'));
  ui.callViewClose.addEventListener('click', () => closeCall(page));
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !ui.callView.hidden) closeCall(page);
  });
  // Links to calls open them in the call view; buttons in the calls table too.
  ui.report.addEventListener('click', (event) => {
    const target = event.target.closest?.('[data-call], [data-open]');
    if (!target || !ui.report.contains(target)) return;
    const index = Number(target.dataset.call ?? target.dataset.open);
    if (!Number.isInteger(index)) return;
    event.preventDefault();
    openCall(page, index);
  });
}

function bindTheme(page) {
  page.ui.theme.addEventListener('change', (event) => {
    const theme = event.target.value;
    if (theme) document.documentElement.dataset.theme = theme;
    else delete document.documentElement.dataset.theme;
    page.timeline.schedule();
  });
}

function fillSignalGuide(ui) {
  const entry = ([signal, hint]) => [el('dt', {}, chip(signalName(signal), { 'data-signal': signal })), el('dd', { text: hint })];
  ui.signalGuide.append(...Object.entries(SIGNAL_HINTS).flatMap(entry));
}

const page = new Page(findElements());
bindInputs(page);
bindExports(page);
bindReport(page);
bindTheme(page);
fillSignalGuide(page.ui);
// Load the analyser now, so that the first file is analysed at once and the page keeps working
// offline once it has loaded.
page.analyser.start();
