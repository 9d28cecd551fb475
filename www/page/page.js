// The page: its elements, the analyser (the worker), the picture, the rules and policy chosen for
// the next runs, and the run on screen. Starting a run makes a new Run and retires the one
// before; a run's messages from the worker carry its id, so an older run's are dropped.

import { Timeline } from '../timeline.js';
import { Analyser } from './analyser.js';
import { openCall } from './call-view.js';
import { clearReport, showReport } from './render.js';
import { Run } from './run.js';
import { clearErrors, runSummary, showBusy, showError, showProgress } from './status.js';

export class Page {
  constructor(ui) {
    this.ui = ui;
    this.run = null; // the run on screen (analysing, or finished and shown)
    this.choices = { rules: null, policy: null }; // rules (parsed JSON) and policy (text) for the next runs
    this.timeline = new Timeline(ui.timeline, { onSelect: (index) => openCall(this, index), label: 'Timeline of the calls by session' });
    this.analyser = new Analyser({
      onStart: () => delete document.body.dataset.analyser,
      onReady: () => (document.body.dataset.analyser = 'ready'),
      onMessage: (message) => this.receive(message),
      onFailure: (sentence) => this.fail(sentence),
    });
  }

  /** Analyses `sources` ([{name, blob}]) together, as a new run; a run still going is stopped. */
  analyse(sources) {
    if (sources.length === 0) return;
    if (this.run?.busy) this.analyser.stop();
    this.clear();
    const run = new Run((this.run?.id ?? 0) + 1, sources.length);
    this.run = run;
    showBusy(this.ui, true);
    showProgress(this.ui, run, { phase: 'reading', done: 0, total: sources.length, name: sources[0].name });
    this.analyser.analyse(run.id, sources, this.choices);
  }

  /** Stops the run in progress and says so; the worker is started again for the next one. */
  cancel() {
    const run = this.run;
    if (!run?.busy) return;
    this.analyser.stop();
    this.retire();
    showBusy(this.ui, false);
    this.ui.status.textContent = `Cancelled: the ${run.total === 1 ? 'file was' : `${run.total} files were`} not analysed.`;
    this.analyser.start();
  }

  /** A failure of the analyser itself: the run in progress ends with it. */
  fail(sentence) {
    this.analyser.stop();
    showError(this.ui, null, sentence);
    if (this.run?.busy) this.finish(this.run);
  }

  /** Empties the page of the run on screen and retires it. */
  clear() {
    this.retire();
    clearErrors(this.ui);
    clearReport(this.ui, this.timeline);
  }

  retire() {
    if (this.run) this.run.live = false;
    this.run = null;
  }

  /** A message of an analysis (worker.js); only the current run's count. */
  receive(message) {
    const run = this.run;
    if (!run?.busy || message.id !== run.id) return;
    if (message.type === 'progress') showProgress(this.ui, run, message);
    else if (message.type === 'part') run.take(message);
    else if (message.type === 'result') this.received(run, message);
    else if (message.type === 'error') this.failed(run, message);
    else console.warn('callstate: unexpected message from the worker', message);
  }

  received(run, { name, report, covers = 1 }) {
    const result = { name, report: run.assemble(report) };
    run.answer(covers, true);
    // A later result replaces this one on screen; the run ends once the last one is shown.
    const rendering = showReport(this, run, result);
    run.rendering = rendering;
    rendering.then(() => run.rendering === rendering && this.finishIfAnswered(run));
  }

  failed(run, { name, message, excerpt, fatal }) {
    if (fatal) this.analyser.markBroken();
    showError(this.ui, name, message, excerpt);
    run.answer(1, false);
    const rendering = run.rendering;
    rendering.then(() => run.rendering === rendering && this.finishIfAnswered(run));
  }

  finishIfAnswered(run) {
    if (run.answeredAll) this.finish(run);
  }

  finish(run) {
    if (run !== this.run || !run.busy) return;
    run.busy = false;
    showBusy(this.ui, false);
    this.ui.status.textContent = runSummary(run);
  }
}
