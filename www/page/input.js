// Where recordings come from: the file picker, a drop anywhere on the page, pasted text and the
// bundled samples; and the rules and policy files that apply to the runs after they are picked.

import { showError } from './status.js';

const SAMPLES = new URL('../samples/', import.meta.url);
const fromFiles = (fileList) => [...fileList].map((file) => ({ name: file.name, blob: file }));
const reason = (err) => String(err?.message || err).replace(/\.$/, '');

export function bindInputs(page) {
  const { ui } = page;
  ui.file.addEventListener('change', () => {
    page.analyse(fromFiles(ui.file.files));
    // Lets the same file be picked again later (a change event needs a different value).
    ui.file.value = '';
  });
  ui.pasteGo.addEventListener('click', () => {
    const text = ui.pasteText.value;
    if (text.trim()) page.analyse([{ name: 'pasted text', blob: new Blob([text]) }]);
    else ui.status.textContent = 'Paste a trace into the box first.';
  });
  for (const button of document.querySelectorAll('button[data-sample]')) {
    button.addEventListener('click', () => openSample(page, button.dataset.sample));
  }
  ui.cancel.addEventListener('click', () => page.cancel());
  ui.rules.addEventListener('change', () => pickRules(page));
  ui.policy.addEventListener('change', () => pickPolicy(page));
  bindDrop(page);
}

async function openSample(page, name) {
  const url = new URL(name, SAMPLES);
  try {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`HTTP ${response.status} when fetching ${url.pathname}`);
    page.analyse([{ name, blob: await response.blob() }]);
  } catch (err) {
    page.clear();
    showError(page.ui, name, `The sample could not be loaded (${reason(err)}).`);
  }
}

/** User rules (parsed JSON) for the next runs; the analyser validates them. */
async function pickRules(page) {
  const { ui, choices } = page;
  const [file] = ui.rules.files;
  choices.rules = null;
  ui.rulesState.textContent = '';
  if (!file) return;
  try {
    choices.rules = JSON.parse(await file.text());
    ui.rulesState.textContent = `Using ${file.name}.`;
  } catch (err) {
    showError(ui, file.name, `The rules file is not valid JSON (${reason(err)}).`);
  }
}

/** A policy (the text of a JSON or YAML file) for the next runs, checked as soon as it is picked. */
async function pickPolicy(page) {
  const { ui, choices } = page;
  const [file] = ui.policy.files;
  choices.policy = null;
  ui.policyState.textContent = '';
  if (!file) return;
  const text = await file.text();
  const { error, excerpt } = await page.analyser.ask({ type: 'check', rules: choices.rules, policy: text });
  if (error) {
    ui.policy.value = '';
    showError(ui, file.name, error, excerpt);
    return;
  }
  choices.policy = text;
  ui.policyState.textContent = `Checking ${file.name}.`;
}

/**
 * Drag and drop anywhere on the page. dragenter and dragleave fire for every child element
 * crossed, so they are counted to know when the pointer has really left the window.
 */
function bindDrop(page) {
  let depth = 0;
  const carriesFiles = (event) => event.dataTransfer?.types.includes('Files');
  const setDragging = (on) => document.body.classList.toggle('dragging', on);
  document.addEventListener('dragenter', (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    depth += 1;
    setDragging(true);
  });
  document.addEventListener('dragleave', (event) => {
    if (!carriesFiles(event)) return;
    depth = Math.max(0, depth - 1);
    if (depth === 0) setDragging(false);
  });
  document.addEventListener('dragover', (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault(); // required for the drop event to fire
    event.dataTransfer.dropEffect = 'copy';
  });
  document.addEventListener('drop', (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault(); // otherwise the browser navigates to the file
    depth = 0;
    setDragging(false);
    page.analyse(fromFiles(event.dataTransfer.files));
  });
}
