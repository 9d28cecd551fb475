// The picture of the traffic: one row (lane) per session, calls from left to right, coloured by
// mode, with arrows for handle flows (minted here, sent there), replays (this request carries
// that one's history), kept context and parent calls. Layered traces are drawn as two bands of
// lanes: the runtime above, the model calls below.
//
// Two horizontal axes: the order axis gives each call a column, in trace order; the time axis
// (when every call has a start time) puts each call at its start, as wide as it took, so calls
// that overlap show side by side (one under another in their lane) and a long-lived WebSocket as
// a long bar. Used by the page and by the widget. Only what is in view is drawn (redrawn on scroll
// in an animation frame), so a trace of many thousands of calls stays responsive. The same
// drawing code writes the exported SVG, with the colours of the current theme embedded.

import { AXIS, LANE_MID, ROW, fansOf, layout, placeLanes, timeAxis } from './timeline-layout.js';
import { SVG, arrowDefs, svgDocument, themeColours, toDom } from './timeline-svg.js';
import { Pacer, callTitle, formatDuration, formatStart, linksOf, timing, untimed } from './view.js';

const GUTTER = 118; // lane labels
const MAX_LIFT = 24; // the highest an arc rises above its calls
const MIN_COL = 3;
const MAX_COL = 96;
const MAX_LINKS = 4000; // drawn at once
const FAN_LIFT = 8; // height of the rail that a handle sent by many calls is drawn with (plus 5 a level)
const BAR = 18; // a call's height on the order axis
const TIME_BAR = 12; // ... and on the time axis, where calls that overlap stack in rows
const PAD = 12; // time axis: room before the first call and after the last
const MIN_BAR = 3; // the narrowest bar (a call without a duration, or a very short one)
const MAX_TRACK = 4_000_000; // pixels: the widest the time axis is drawn
// Steps between the time axis's ticks, in microseconds.
const TIME_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6, 2e6, 5e6, 1e7, 15e6, 3e7, 6e7, 12e7, 3e8, 6e8, 18e8, 36e8, 72e8, 216e8, 864e8];



const MODE_CLASS = { stateless: 'm-stateless', stateful: 'm-stateful', 'resource-dependent': 'm-resource' };
const LINK_NAMES = {
  handle: 'handle minted in call %from, sent in call %to',
  replay: 'call %to carries the history of call %from',
  kept: 'the runtime kept what call %to carries for call %from',
  parent: 'call %to was made for call %from',
};

/** The label of a tick of the time axis: its distance from the first start. */
const timeTick = (us) => (us === 0 ? '0' : `+${formatDuration(us)}`);

export class Timeline {
  /**
   * @param {HTMLElement} host  where to draw (its content is replaced)
   * @param {{onSelect?: (index: number|null) => void, label?: string, axis?: 'order'|'time'}} options
   *   `axis` is the one to show first (the time axis only where every call has a start)
   */
  constructor(host, { onSelect = () => {}, label = 'Timeline of the calls', axis = 'order' } = {}) {
    this.host = host;
    this.onSelect = onSelect;
    this.col = 28;
    this.axis = axis === 'time' ? 'time' : 'order';
    this.pps = 100; // time axis: pixels per second
    this.report = null;
    this.filter = null;
    this.selected = null;
    this.hovered = null;
    this.frame = 0;
    this.buildControls();
    this.frameEl = document.createElement('div');
    this.frameEl.className = 'tl-frame';
    this.labels = document.createElementNS(SVG, 'svg');
    this.labels.setAttribute('class', 'tl-labels');
    this.labels.setAttribute('aria-hidden', 'true');
    this.viewport = document.createElement('div');
    this.viewport.className = 'tl-viewport';
    this.viewport.tabIndex = 0;
    this.viewport.setAttribute('role', 'group');
    this.viewport.setAttribute('aria-label', `${label}. Left and right arrows move between calls, Enter opens one, plus and minus zoom, T switches between the order and the time axis.`);
    this.svg = document.createElementNS(SVG, 'svg');
    this.svg.setAttribute('class', 'tl-svg');
    this.svg.setAttribute('role', 'img');
    // The track is as wide as all the calls and holds nothing but the drawing, which covers only
    // the part around the view and moves with it: the page never lays out, paints or composites
    // a picture thousands of screens wide.
    this.track = document.createElement('div');
    this.track.className = 'tl-track';
    this.track.append(this.svg);
    this.viewport.append(this.track);
    this.tip = document.createElement('div');
    this.tip.className = 'tl-tip';
    this.tip.hidden = true;
    this.tip.setAttribute('aria-hidden', 'true'); // the status line below says the same to screen readers
    this.frameEl.append(this.labels, this.viewport);
    this.status = document.createElement('p');
    this.status.className = 'tl-status';
    this.status.setAttribute('aria-live', 'polite');
    host.classList.add('tl-host');
    host.replaceChildren(this.toolbar, this.frameEl, this.status, this.tip);
    this.listen();
  }

  /** The toolbar: zoom, the axis switch and the legend. */
  buildControls() {
    const button = (text, title, action) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = text;
      b.title = title;
      b.setAttribute('aria-label', title);
      b.addEventListener('click', action);
      return b;
    };
    this.toolbar = document.createElement('div');
    this.toolbar.className = 'tl-toolbar';
    this.toolbar.append(
      button('−', 'Zoom out', () => this.zoom(1 / 1.6)),
      button('+', 'Zoom in', () => this.zoom(1.6)),
      button('Fit', 'Fit all calls in view', () => this.fit()),
    );
    // The axis switch: two toggle buttons. The time one stays focusable when the trace has no
    // times, and says why it does nothing.
    this.axisGroup = document.createElement('div');
    this.axisGroup.className = 'tl-axis';
    this.axisGroup.setAttribute('role', 'group');
    this.axisGroup.setAttribute('aria-label', 'Horizontal axis');
    this.axisButtons = {
      order: button('Order', 'Order axis: one column per call, in trace order', () => this.setAxis('order')),
      time: button('Time', 'Time axis: each call at its start, as wide as it took', () => this.setAxis('time')),
    };
    for (const [axis, b] of Object.entries(this.axisButtons)) {
      b.dataset.axis = axis;
      b.setAttribute('aria-pressed', String(axis === this.axis));
      this.axisGroup.append(b);
    }
    this.toolbar.append(this.axisGroup);
    this.legend = document.createElement('div');
    this.legend.className = 'tl-legend';
    this.legend.setAttribute('aria-hidden', 'true');
    for (const [cls, text] of [['m-stateless', 'stateless'], ['m-stateful', 'stateful'], ['m-resource', 'resource-dependent'], ['k-handle', 'handle: minted → sent'], ['k-replay', 'replay: history carried'], ['k-kept', 'kept context'], ['k-parent', 'made for']]) {
      const item = document.createElement('span');
      item.className = `tl-key ${cls}`;
      item.textContent = text;
      this.legend.append(item);
    }
    this.toolbar.append(this.legend);
  }

  listen() {
    // The viewport's width and scroll position, kept from the events that change them so that
    // drawing never has to ask the browser for a fresh layout.
    this.viewWidth = 0;
    this.scrollX = 0;
    this.viewport.addEventListener('scroll', () => {
      this.scrollX = this.viewport.scrollLeft;
      this.schedule();
    });
    this.resize = new ResizeObserver(([entry]) => {
      this.viewWidth = entry.contentRect.width;
      this.schedule();
    });
    this.resize.observe(this.viewport);
    this.viewport.addEventListener('wheel', (event) => {
      if (!event.ctrlKey && !event.metaKey) return;
      event.preventDefault();
      const rect = this.viewport.getBoundingClientRect();
      this.zoom(event.deltaY < 0 ? 1.25 : 0.8, event.clientX - rect.left);
    }, { passive: false });
    // The pointer's place says which call it is on (its column, or its bar on the time axis), so
    // a hit never depends on which drawn element is under it (the drawing is replaced as the view
    // changes).
    this.svg.addEventListener('pointermove', (event) => this.hover(this.callAt(event), event));
    this.svg.addEventListener('pointerleave', () => this.hover(null));
    this.svg.addEventListener('click', (event) => {
      const index = this.callAt(event);
      if (index != null) this.pick(index);
    });
    this.viewport.addEventListener('keydown', (event) => this.key(event));
  }

  /** The call under a pointer event (in its column, or on its bar on the time axis), or null. */
  callAt(event) {
    if (!this.report) return null;
    const box = this.track.getBoundingClientRect();
    const x = event.clientX - box.left;
    const y = event.clientY - box.top;
    if (y < AXIS - 4) return null;
    if (this.axis === 'order') {
      const index = Math.floor(x / this.col) + 1;
      return index >= 1 && index <= this.calls.length ? index : null;
    }
    const { bx, bw, by, h } = this.bars;
    let hit = null;
    for (let i = 0; i < bx.length; i += 1) {
      if (x >= bx[i] - 2 && x <= bx[i] + bw[i] + 2 && Math.abs(y - by[i]) <= h / 2 + 2) hit = i + 1;
    }
    return hit;
  }

  /**
   * Shows a report (null clears). The layout of a big report is worked out over a few tasks, so
   * that none holds the page long; the returned promise settles once it is drawn. `pacer` is the
   * time budget of the caller's whole rendering, when the picture is one step of it.
   */
  async setReport(report, pacer = new Pacer()) {
    const token = (this.token = {});
    this.report = null;
    this.selected = null;
    this.hovered = null;
    this.svg.replaceChildren();
    this.labels.replaceChildren();
    if (!report) return;
    const calls = report.calls ?? [];
    const lanes = await layout(report, pacer);
    if (token !== this.token) return;
    const links = await linksOf(report, pacer);
    if (token !== this.token) return;
    const fans = await fansOf(links, lanes.laneOf, pacer);
    if (token !== this.token) return;
    await pacer.breathe();
    if (token !== this.token) return;
    Object.assign(this, { report, calls, layout: lanes, links, fans, time: null, lastRelated: null });
    this.svg.setAttribute('aria-label', `${calls.length} calls in ${lanes.lanes.length} lanes, ${links.length} links`);
    // The time axis needs a start for every call; without, the switch says why it does nothing.
    this.noTime = untimed(calls);
    const time = this.axisButtons.time;
    time.setAttribute('aria-disabled', String(this.noTime != null));
    time.title = this.noTime ?? 'Time axis: each call at its start, as wide as it took';
    this.setAxis(this.noTime ? 'order' : this.axis, { quiet: true });
  }

  /**
   * Lays the calls out on the order axis (a column each) or the time axis (at their start, as
   * wide as they took). The time axis is refused, with the reason in the status line, when a call
   * has no start.
   */
  setAxis(axis, { quiet = false } = {}) {
    if (axis === 'time' && this.noTime) {
      if (!quiet) this.status.textContent = this.noTime;
      return;
    }
    this.axis = axis;
    for (const [name, b] of Object.entries(this.axisButtons)) b.setAttribute('aria-pressed', String(name === axis));
    if (!this.report) return;
    const { lanes, laneOf } = this.layout;
    if (axis === 'time' && !this.time) this.time = timeAxis(this.calls, laneOf, lanes.length);
    this.layout.height = placeLanes(lanes, axis === 'time' ? this.time.rows : null);
    // Setting scrollLeft makes the browser lay the page out at once: only when it is not 0 already
    // (scrollX follows the scroll events).
    if (this.scrollX !== 0) this.viewport.scrollLeft = 0;
    this.scrollX = 0;
    if (axis === 'time') this.fit();
    else this.readable();
    this.drawLabels();
    if (quiet) return;
    if (axis === 'order') this.status.textContent = 'Calls in trace order, one column each.';
    else {
      const { t0, t1 } = this.time;
      this.status.textContent = `Calls by start time: ${formatDuration(t1 - t0)} from ${formatStart(t0)}; calls that overlap sit one under another.`;
    }
  }

  /** Order axis: columns wide enough to read, wider when that shows every call anyway. */
  readable() {
    this.col = 28;
    const width = this.viewWidth || 600;
    if (this.calls.length * this.col < width) this.col = Math.min(MAX_COL, Math.max(28, Math.floor(width / Math.max(1, this.calls.length))));
    this.place();
    this.schedule();
  }

  /**
   * Where each call's bar is on the current axis: `bx` its left, `bw` its width, `by` its middle
   * (pixels in the track), `h` the bars' height, `width` the track's.
   */
  place() {
    const n = this.calls.length;
    const { lanes, laneOf } = this.layout;
    const bars = { bx: new Float64Array(n), bw: new Float64Array(n), by: new Float64Array(n), h: BAR, width: n * this.col };
    if (this.axis === 'time') {
      const { t0, t1, rowOf } = this.time;
      const scale = this.pps / 1e6; // pixels per microsecond
      Object.assign(bars, { h: TIME_BAR, width: 2 * PAD + (t1 - t0) * scale });
      for (let i = 0; i < n; i += 1) {
        bars.bx[i] = PAD + (this.calls[i].started_us - t0) * scale;
        bars.bw[i] = Math.max(MIN_BAR, (this.calls[i].duration_us ?? 0) * scale);
        bars.by[i] = lanes[laneOf[i]].y + rowOf[i] * ROW;
      }
    } else {
      const w = Math.max(2, Math.min(BAR, this.col - 2));
      for (let i = 0; i < n; i += 1) {
        bars.bx[i] = (i + 0.5) * this.col - w / 2;
        bars.bw[i] = w;
        bars.by[i] = lanes[laneOf[i]].y;
      }
    }
    this.bars = bars;
  }

  /** Where links start and end on call i's bar: its middle, or near its start when it is long. */
  anchor(i) {
    return this.bars.bx[i] + Math.min(this.bars.bw[i] / 2, BAR / 2);
  }

  /** Dims the calls a predicate rejects (null shows all). */
  setFilter(predicate) {
    this.filter = predicate;
    this.schedule();
  }

  /** Marks the calls a policy flags: a Map(index → 'violated' | 'warning'), or null for none. */
  setFlags(flags) {
    this.flags = flags?.size ? flags : null;
    this.schedule();
  }

  /** Selects a call (by its index from 1) and scrolls it into view, without calling onSelect. */
  select(index) {
    this.selected = index;
    if (index != null) this.reveal(index);
    this.schedule();
  }

  pick(index) {
    this.select(index);
    this.onSelect(index);
  }

  hover(index, event = null) {
    if (index !== this.hovered) {
      this.hovered = index;
      this.schedule();
    }
    // One tooltip for the call under the pointer (cheaper than a <title> in every mark).
    if (index == null || !event) {
      this.tip.hidden = true;
      return;
    }
    const call = this.calls[index - 1];
    const frame = this.host.getBoundingClientRect();
    this.tip.textContent = this.describe(call);
    this.tip.hidden = false;
    this.tip.style.setProperty('left', `${Math.min(event.clientX - frame.left + 12, frame.width - 260)}px`);
    this.tip.style.setProperty('top', `${event.clientY - frame.top + 16}px`);
  }

  /** Pixels per unit of the current axis (a column, or a second) and where the axis starts. */
  unit() {
    return this.axis === 'time' ? { size: this.pps, origin: PAD } : { size: this.col, origin: 0 };
  }

  /** Sets the pixels per unit of the current axis, within what is readable. */
  setUnit(size) {
    if (this.axis === 'order') this.col = Math.min(MAX_COL, Math.max(MIN_COL, size));
    else {
      const span = Math.max(1, this.time.t1 - this.time.t0) / 1e6; // seconds
      const fitted = Math.max(1e-9, ((this.viewWidth || 600) - 2 * PAD - 8) / span);
      this.pps = Math.min(MAX_TRACK / span, 2e6, Math.max(fitted / 4, size));
    }
  }

  zoom(factor, anchor = (this.viewWidth || this.viewport.clientWidth) / 2) {
    if (!this.report) return;
    const { size: old, origin } = this.unit();
    // Keep what is under the anchor where it was.
    const at = (this.viewport.scrollLeft + anchor - origin) / old;
    this.setUnit(old * factor);
    this.place();
    this.draw();
    this.scrollTo(at * this.unit().size + origin - anchor);
  }

  fit() {
    if (!this.report) return;
    const view = (this.viewWidth || this.viewport.clientWidth) - 8;
    if (this.axis === 'time') this.setUnit((view - 2 * PAD) / (Math.max(1, this.time.t1 - this.time.t0) / 1e6));
    else this.setUnit(view / Math.max(1, this.calls.length));
    this.place();
    this.draw();
    this.scrollTo(0);
  }

  scrollTo(x) {
    this.viewport.scrollLeft = x;
    this.scrollX = this.viewport.scrollLeft;
    this.schedule();
  }

  reveal(index) {
    if (!this.report || !this.bars) return;
    const x = this.anchor(index - 1);
    const width = this.viewWidth || this.viewport.clientWidth;
    if (x < this.scrollX + BAR || x > this.scrollX + width - BAR) this.scrollTo(x - width / 2);
  }

  key(event) {
    if (!this.report || this.calls.length === 0) return;
    const at = this.selected ?? 0;
    const go = (index) => {
      event.preventDefault();
      this.select(Math.min(this.calls.length, Math.max(1, index)));
      this.status.textContent = this.describe(this.calls[this.selected - 1]);
    };
    switch (event.key) {
      case 'ArrowRight': return go(at + 1);
      case 'ArrowLeft': return go(at - 1);
      case 'Home': return go(1);
      case 'End': return go(this.calls.length);
      case 'Enter':
      case ' ':
        if (this.selected != null) {
          event.preventDefault();
          this.onSelect(this.selected);
        }
        return;
      case '+':
      case '=': event.preventDefault(); return this.zoom(1.6);
      case '-': event.preventDefault(); return this.zoom(1 / 1.6);
      case '0': event.preventDefault(); return this.fit();
      case 't':
      case 'T': event.preventDefault(); return this.setAxis(this.axis === 'time' ? 'order' : 'time');
      default:
    }
  }

  describe(call) {
    if (!call) return '';
    const state = call.state?.length ? ` (${call.state.join(', ')})` : '';
    const time = timing(call);
    const flag = this.flags?.get(call.index);
    const policy = flag === 'violated' ? ' It breaks a policy rule.' : flag === 'warning' ? ' A policy rule warns about it.' : '';
    return `Call ${call.index}: ${callTitle(call)}, ${call.mode}${state}${call.session ? `, session ${call.session}` : ''}${time ? `; ${time}` : ''}.${policy}`;
  }

  schedule() {
    if (this.frame || !this.report) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  /** The set of calls linked to `index` (itself included), and the links between them. */
  related(index) {
    // Looked up when a call is hovered or selected (and kept for the redraws that follow) rather
    // than indexed for every call up front: a big report then costs the page less memory.
    if (this.lastRelated?.index === index) return this.lastRelated;
    const calls = new Set([index]);
    const links = new Set();
    for (const link of this.links) {
      if (link.from !== index && link.to !== index) continue;
      links.add(link);
      calls.add(link.from);
      calls.add(link.to);
    }
    this.lastRelated = { index, calls, links };
    return this.lastRelated;
  }

  /** Lane names (and band headings, and on the time axis when it starts), `x` their right edge. */
  laneLabels(x) {
    const nodes = [];
    if (this.axis === 'time') nodes.push(['text', { class: 'tl-tick tl-origin', x: 6, y: 14 }, `${formatStart(this.time.t0).slice(11, 19)} UTC`]);
    for (const lane of this.layout.lanes) {
      if (lane.heading) nodes.push(['text', { class: 'tl-band', x: 6, y: lane.y - LANE_MID - 6 }, lane.heading]);
      nodes.push(['text', { class: 'tl-lane', x: x - 8, y: lane.y + 4, 'text-anchor': 'end' }, lane.other ? `${lane.count} more sessions` : lane.label]);
    }
    return nodes;
  }

  drawLabels() {
    this.labels.setAttribute('width', GUTTER);
    this.labels.setAttribute('height', this.layout.height);
    this.labels.replaceChildren(...this.laneLabels(GUTTER).map(toDom));
  }

  /** The calls whose bars reach into [left, right) (track pixels): in trace order, or by start on the time axis. */
  visible(left, right) {
    const n = this.calls.length;
    const out = [];
    if (this.axis === 'order') {
      for (let i = Math.max(0, Math.floor(left / this.col)); i < Math.min(n, Math.ceil(right / this.col)); i += 1) out.push(i);
      return out;
    }
    const { bx, bw } = this.bars;
    for (const i of this.time.order) if (bx[i] < right && bx[i] + bw[i] > left) out.push(i);
    return out;
  }

  /**
   * The calls' marks between `left` and `right` (track pixels), shifted by `offset`. On the time
   * axis, calls drawn alike whose bars touch in one row become one bar, so that thousands of
   * calls in view stay a few hundred shapes; a call picked, or linked to the one in focus, is
   * always drawn on its own, on top.
   */
  callNodes(left, right, offset, all, related) {
    const { bx, bw, by, h } = this.bars;
    const runs = [];
    const open = new Map(); // a row's y and the classes → the run being drawn there
    const alone = [];
    for (const i of this.visible(left, right)) {
      const call = this.calls[i];
      const lit = related?.calls.has(call.index);
      const selected = !all && call.index === this.selected;
      const dim = (this.filter && !this.filter(call)) || (related && !lit);
      const flag = this.flags?.get(call.index);
      const classes = `tl-call ${MODE_CLASS[call.mode] ?? 'm-other'}${dim ? ' dim' : ''}${lit ? ' lit' : ''}${selected ? ' selected' : ''}${flag ? ` flag-${flag}` : ''}`;
      const bar = { x0: bx[i], x1: bx[i] + bw[i], y: by[i], classes, first: i, count: 1, flag };
      // A call a policy flags is drawn on its own, with its mark.
      if (this.axis === 'order' || lit || selected || flag) {
        alone.push(bar);
        continue;
      }
      const key = `${bar.y} ${classes}`;
      const run = open.get(key);
      if (run && bar.x0 <= run.x1 + 1) {
        run.x1 = Math.max(run.x1, bar.x1);
        run.count += 1;
      } else {
        open.set(key, bar);
        runs.push(bar);
      }
    }
    return [...runs, ...alone].map(({ x0, x1, y, classes, first, count, flag }) => [
      'g',
      { class: count > 1 ? `${classes} tl-run` : classes, 'data-call': count > 1 ? null : first + 1, 'data-calls': count > 1 ? count : null, 'data-flag': flag ?? null },
      ['rect', { x: offset + x0, y: y - h / 2, width: x1 - x0, height: h, rx: Math.min(4, (x1 - x0) / 2) }],
      flag ? ['circle', { class: 'tl-flag', cx: offset + (x0 + x1) / 2, cy: y - h / 2 - 5, r: 3.5 }] : null,
      all ? ['title', {}, count > 1 ? `${count} calls from call ${first + 1}` : this.describe(this.calls[first])] : null,
    ]);
  }

  /** Tick labels of the axis between `left` and `right` (track pixels), shifted by `offset`. */
  ticks(left, right, offset) {
    const tick = (x, text) => ['text', { class: 'tl-tick', x: offset + x, y: 14, 'text-anchor': 'middle' }, text];
    const nodes = [];
    if (this.axis === 'order') {
      // Call numbers, far enough apart to read.
      const col = this.col;
      const step = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 50000].find((s) => s * col >= 34) ?? 100000;
      const from = Math.max(0, Math.floor(left / col));
      const to = Math.min(this.calls.length, Math.ceil(right / col));
      if (from === 0 && to > 0) nodes.push(tick(col / 2, '1'));
      for (let i = Math.ceil((from + 1) / step) * step - 1; i < to; i += step) if (i > 0) nodes.push(tick((i + 0.5) * col, String(i + 1)));
      return nodes;
    }
    // Time since the first start, at steps far enough apart for the longest label to read.
    const scale = this.pps / 1e6;
    const span = this.time.t1 - this.time.t0;
    const gap = Math.max(64, timeTick(span).length * 7 + 16);
    const step = TIME_STEPS.find((s) => s * scale >= gap) ?? TIME_STEPS.at(-1);
    for (let k = Math.max(0, Math.ceil((left - PAD) / (step * scale))); PAD + k * step * scale < right && k * step <= span; k += 1) {
      nodes.push(tick(PAD + k * step * scale, timeTick(k * step)));
    }
    return nodes;
  }

  /** The path of a link from call a to call b (indices from 0), `x` shifted by `offset`. */
  linkPath(link, a, b, offset, railsDrawn, related, out) {
    const { by, h } = this.bars;
    const x1 = offset + this.anchor(a);
    const x2 = offset + this.anchor(b);
    const y1 = by[a];
    const y2 = by[b];
    const fan = this.fans.get(link);
    if (fan && link.to !== fan.first) {
      // One handle sent by many calls: a rail above their lane from the first to the last,
      // with a drop to each, instead of a bundle of arcs.
      const rail = this.layout.lanes[fan.lane].y - (h / 2 - 2) - FAN_LIFT - 5 * fan.level;
      if (!railsDrawn.has(fan)) {
        railsDrawn.add(fan);
        const lit = related?.links.has(link) || (related && fan.links.some((l) => related.links.has(l)));
        const d = `M${offset + this.anchor(fan.first - 1)} ${rail}H${offset + this.anchor(fan.last - 1)}`;
        out.push(['path', { class: `tl-link tl-rail k-handle${lit ? ' lit' : related ? ' dim' : ''}`, d, 'data-evidence': link.evidence }]);
      }
      return `M${x2} ${rail}V${y2 - h / 2}`;
    }
    if (y1 === y2) {
      // An arc above the lane, higher for longer spans.
      const lift = Math.min(MAX_LIFT, 8 + Math.abs(x2 - x1) * 0.25);
      const top = y1 - (h / 2 - 2);
      return `M${x1} ${top}C${x1} ${top - lift} ${x2} ${top - lift} ${x2} ${y2 - h / 2}`;
    }
    const down = y2 > y1;
    const ya = y1 + (down ? h / 2 : -h / 2);
    const yb = y2 + (down ? -(h / 2 + 2) : h / 2 + 2);
    const mid = (ya + yb) / 2;
    return `M${x1} ${ya}C${x1} ${mid} ${x2} ${mid} ${x2} ${yb}`;
  }

  /** The links that reach into [left, right) (track pixels), shifted by `offset`. */
  linkNodes(left, right, offset, all, related) {
    const out = [];
    const railsDrawn = new Set();
    let drawn = 0;
    const n = this.calls.length;
    for (const link of this.links) {
      const a = link.from - 1;
      const b = link.to - 1;
      if (a < 0 || b < 0 || a >= n || b >= n) continue;
      const xa = this.anchor(a);
      const xb = this.anchor(b);
      if (Math.max(xa, xb) < left || Math.min(xa, xb) >= right) continue;
      if (++drawn > MAX_LINKS && !related?.links.has(link)) continue;
      const d = this.linkPath(link, a, b, offset, railsDrawn, related, out);
      const lit = related?.links.has(link);
      const dim = related && !lit;
      const title = LINK_NAMES[link.kind].replace('%from', link.from).replace('%to', link.to) + (link.evidence ? ` (${link.evidence})` : '');
      out.push([
        'path',
        { class: `tl-link k-${link.kind}${lit ? ' lit' : ''}${dim ? ' dim' : ''}`, d, 'marker-end': `url(#tl-arrow-${link.kind})`, 'data-evidence': link.evidence },
        all ? ['title', {}, title] : null,
      ]);
    }
    return out;
  }

  /**
   * Draws what lies between `left` and `right` (track pixels), shifted right by `offset`; with
   * `all`, everything, with lane labels and titles (for export). Returns the nodes.
   */
  scene({ left, right, offset = 0, all = false }) {
    const { lanes, height } = this.layout;
    const trackWidth = this.bars.width;
    const nodes = [];
    const focus = this.hovered ?? this.selected;
    const related = !all && focus != null ? this.related(focus) : null;
    const width = offset + trackWidth;
    for (const lane of lanes) nodes.push(['line', { class: 'tl-rule', x1: offset + left, x2: offset + right, y1: lane.y, y2: lane.y }]);
    if (all) nodes.push(...this.laneLabels(offset));
    nodes.push(...this.ticks(left, right, offset));
    const linkNodes = this.linkNodes(left, right, offset, all, related);
    const callNodes = this.callNodes(left, right, offset, all, related);
    nodes.push(['g', { class: 'tl-links' }, ...linkNodes], ['g', { class: 'tl-calls' }, ...callNodes]);
    return { nodes, width, height };
  }

  /** Markers (arrowheads) for each kind of link. */

  draw() {
    if (!this.report) return;
    if (!this.bars || this.bars.bx.length !== this.calls.length) this.place();
    const view = this.viewWidth || 800;
    const margin = view / 2; // half a screen either side, so a quick scroll shows no gap
    const trackWidth = Math.max(this.bars.width, 1);
    let left = Math.max(0, this.scrollX - margin);
    let right = Math.min(trackWidth, this.scrollX + view + margin);
    if (this.axis === 'order') {
      // Whole columns.
      left = Math.floor(left / this.col) * this.col;
      right = Math.min(this.calls.length, Math.ceil((this.scrollX + view + margin) / this.col)) * this.col;
    }
    const { nodes, height } = this.scene({ left, right });
    // Set through the CSSOM, which the page's Content-Security-Policy allows.
    this.track.style.setProperty('width', `${trackWidth}px`);
    this.track.style.setProperty('height', `${height}px`);
    const shown = Math.max(1, right - left);
    this.svg.style.setProperty('left', `${left}px`);
    this.svg.setAttribute('width', shown);
    this.svg.setAttribute('height', height);
    this.svg.setAttribute('viewBox', `${left} 0 ${shown} ${height}`);
    this.svg.classList.toggle('focused', (this.hovered ?? this.selected) != null);
    this.svg.classList.toggle('time-axis', this.axis === 'time');
    this.svg.replaceChildren(toDom(arrowDefs()), ...nodes.map(toDom));
    if (this.calls.length === 0) this.status.textContent = 'No calls to draw.';
  }

  /**
   * The whole picture as an SVG document, with the current theme's colours embedded so that it
   * looks the same anywhere.
   */
  toSVG() {
    const { nodes, width, height } = this.scene({ left: 0, right: this.bars.width, offset: GUTTER, all: true });
    return svgDocument(nodes, width + 12, height, themeColours(this.host));
  }

  destroy() {
    this.resize.disconnect();
    cancelAnimationFrame(this.frame);
  }
}

