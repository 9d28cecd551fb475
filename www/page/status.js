// The status line, the progress bar and the error box of the intake.

import { el, plural, richText } from '../view.js';

const megabytes = (bytes) => `${(bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0)} MB`;
// Grouped by hand: the first toLocaleString() of a page loads locale data, a long task of its own.
const grouped = (n) => String(n).replace(/\B(?=(\d{3})+$)/g, ',');

/** Shows a run's progress: bytes read, calls parsed, or that the analyser is at work. */
export function showProgress(ui, run, { phase, done = 0, total = 1, name, bytes = 0, totalBytes = 0, calls = 0 }) {
  ui.progress.hidden = false;
  // Counted for the long-task measurement (scripts/page-longtasks.mjs), which watches this attribute.
  ui.progress.dataset.updates = String((run.progressUpdates += 1));
  const which = total > 1 ? ` (${Math.min(done + 1, total)} of ${total})` : '';
  const parsed = calls > 0 ? `, ${grouped(calls)} calls parsed` : '';
  if (phase === 'reading' && totalBytes > 0) {
    ui.progress.max = totalBytes;
    ui.progress.value = bytes;
    ui.status.textContent = `Reading ${name ?? 'files'}${which}: ${megabytes(bytes)} of ${megabytes(totalBytes)}${parsed}…`;
  } else {
    ui.progress.removeAttribute('value'); // indeterminate while the analyser works
    ui.status.textContent = `Analysing ${name ?? `${total} files together`}${which}${parsed}…`;
  }
}

/** Marks the report busy (or not) and shows or hides the progress bar and the cancel button. */
export function showBusy(ui, busy) {
  ui.progress.hidden = !busy;
  ui.cancel.hidden = !busy;
  if (busy) ui.report.setAttribute('aria-busy', 'true');
  else ui.report.removeAttribute('aria-busy');
}

/** What the status line says once a run is over. */
export function runSummary(run) {
  if (run.total === 1) return '';
  const failed = run.total - run.analysed;
  const together = run.shown && run.analysed > 1 ? ' together' : '';
  return `Analysed ${plural(run.analysed, 'file')}${together}` + (failed > 0 ? `; ${failed} could not be analysed.` : '.');
}

/** Shows an error; `name` is the file it concerns, or null for a general failure. */
export function showError(ui, name, message, excerpt = null) {
  const item = el(
    'div',
    { class: 'error-item', 'data-file': name ?? '' },
    el('p', { class: 'error-title', text: name == null ? 'Something went wrong' : `Could not analyse ${name}` }),
    el('p', {}, richText(message, () => null)),
  );
  if (excerpt) {
    // The offending line, with a caret under the position the analyser reported.
    item.append(el('pre', { class: 'excerpt', text: `${excerpt.text}\n${' '.repeat(excerpt.caret)}^` }));
  }
  ui.error.append(item);
  ui.error.hidden = false;
}

export function clearErrors(ui) {
  ui.error.hidden = true;
  ui.error.replaceChildren();
}
