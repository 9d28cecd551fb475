// The page's side of the worker protocol (worker.js): starts the worker, sends it a run's inputs,
// asks it about the report it keeps, and replaces it when it fails or must be interrupted.

const WORKER_URL = new URL('../worker.js', import.meta.url);

export class Analyser {
  #worker = null;
  #broken = false; // the wasm in #worker trapped: replaced before the next request
  #waiting = new Map(); // replies awaited, by request id: resolve functions
  #asked = 0;

  /**
   * `onStart()` when a new worker starts, `onReady()` when its wasm is loaded; `onMessage(message)` for what an analysis sends
   * (progress, parts, results, errors, each with its run's id); `onFailure(sentence)` when the
   * worker cannot start or its messages cannot be read.
   */
  constructor({ onStart, onReady, onMessage, onFailure }) {
    this.handlers = { onStart, onReady, onMessage, onFailure };
  }

  /** The worker, started (again) when there is none or its wasm trapped. */
  start() {
    if (this.#worker && !this.#broken) return this.#worker;
    this.#worker?.terminate();
    this.#broken = false;
    const created = new Worker(WORKER_URL, { type: 'module' });
    // Anything from a worker that has since been replaced is ignored.
    created.onmessage = ({ data }) => created === this.#worker && this.#receive(data);
    created.onerror = (event) => {
      if (created !== this.#worker) return;
      event.preventDefault();
      // A module worker that fails to import gives no details: say what usually causes it.
      this.handlers.onFailure(
        'The analyser could not be started: ./pkg/callstate.js or its wasm file did not load. ' +
          'If you built this page yourself, run `make build` first.',
      );
    };
    created.onmessageerror = () => created === this.#worker && this.handlers.onFailure('A message from the analyser could not be read.');
    this.#worker = created;
    this.handlers.onStart();
    return created;
  }

  /** Starts analysing `files` ([{name, blob}]) as run `id`, with the rules and policy chosen. */
  analyse(id, files, { rules = null, policy = null } = {}) {
    this.start().postMessage({ type: 'analyse', id, files, rules, policy });
  }

  /** Asks the worker something (an export, a call's exchange, a check) and waits for the answer. */
  ask(message) {
    const id = `ask-${(this.#asked += 1)}`;
    return new Promise((resolve) => {
      this.#waiting.set(id, resolve);
      this.start().postMessage({ ...message, id });
    });
  }

  /** The wasm trapped (a Rust panic): the next request goes to a new worker. */
  markBroken() {
    this.#broken = true;
  }

  /** Stops whatever the worker is doing: the only way to interrupt the wasm. */
  stop() {
    this.#worker?.terminate();
    this.#worker = null;
    for (const resolve of this.#waiting.values()) resolve({ error: 'The analyser was stopped.' });
    this.#waiting.clear();
  }

  #receive(message) {
    if (message.type === 'ready') return this.handlers.onReady();
    const resolve = this.#waiting.get(message.id);
    if (!resolve) return this.handlers.onMessage(message);
    this.#waiting.delete(message.id);
    resolve(message);
  }
}
