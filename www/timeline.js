// The picture of the traffic: one row (lane) per session, calls in trace order from left to
// right, coloured by mode, with arrows for handle flows (minted here, sent there), replays (this
// request carries that one's history), kept context and parent calls. Layered traces are drawn
// as two bands of lanes: the runtime above, the model calls below.
//
// Used by the page and by the widget. The report has no times for calls, so they are laid out by
// order. Only the columns in view are drawn (redrawn on scroll in an animation frame), so a
// trace of many thousands of calls stays responsive. The same drawing code writes the exported
// SVG, with the colours of the current theme embedded.

import { callTitle, inSlices, linksOf } from './view.js';

const SVG = 'http://www.w3.org/2000/svg';
const GUTTER = 118; // lane labels
const AXIS = 24; // call numbers above the lanes
const LANE = 48; // a lane's height: its calls sit low, with room above for arcs
const LANE_MID = 33; // where in its lane the calls sit
const MAX_LIFT = 24; // the highest an arc rises above its calls
const BAND = 20; // heading of a band (layered traces)
const MAX_LANES = 24;
const MIN_COL = 3;
const MAX_COL = 96;
const MAX_LINKS = 4000; // drawn at once
const FAN_LIFT = 8; // height of the rail that a handle sent by many calls is drawn with (plus 5 a level)

/** The CSS custom properties the picture uses; the exported SVG gets their current values. */
const COLOURS = ['--tl-bg', '--tl-fg', '--tl-muted', '--tl-grid', '--stateless', '--stateful', '--resource', '--tl-handle', '--tl-replay', '--tl-kept', '--tl-parent', '--tl-select'];

/** A drawing as plain data ([tag, attrs, ...children]), turned into DOM or into text. */
function toDom(node) {
  if (typeof node === 'string') return document.createTextNode(node);
  const [tag, attrs, ...children] = node;
  const element = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) if (value != null) element.setAttribute(key, String(value));
  for (const child of children) if (child != null) element.append(toDom(child));
  return element;
}


const escapeXml = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function toText(node) {
  if (typeof node === 'string') return escapeXml(node);
  const [tag, attrs, ...children] = node;
  const attributes = Object.entries(attrs)
    .filter(([, value]) => value != null)
    .map(([key, value]) => ` ${key}="${escapeXml(value)}"`)
    .join('');
  const inner = children.filter((child) => child != null).map(toText).join('');
  return inner ? `<${tag}${attributes}>${inner}</${tag}>` : `<${tag}${attributes}/>`;
}

const MODE_CLASS = { stateless: 'm-stateless', stateful: 'm-stateful', 'resource-dependent': 'm-resource' };
const LINK_NAMES = {
  handle: 'handle minted in call %from, sent in call %to',
  replay: 'call %to carries the history of call %from',
  kept: 'the runtime kept what call %to carries for call %from',
  parent: 'call %to was made for call %from',
};

/** Lanes for a report: [{label, band, y, heading?}], and each call's lane number (a promise). */
async function layout(report) {
  const calls = report.calls ?? [];
  const layered = report.layers != null;
  // One lane per session (in order of its first call) and one for the calls in no session,
  // last in its band; layered traces have a band for each layer.
  const groups = new Map();
  const groupOf = new Array(calls.length);
  await inSlices(calls, (call, i) => {
    const band = layered && call.layer === 'lower' ? 1 : 0;
    const key = `${band}:${call.session ?? ''}`;
    let group = groups.get(key);
    if (!group) {
      group = { band, session: call.session ?? null, first: i, lane: -1 };
      groups.set(key, group);
    }
    groupOf[i] = group;
  });
  const sorted = [...groups.values()].sort((a, b) => a.band - b.band || (a.session === null) - (b.session === null) || a.first - b.first);
  const lanes = [];
  const others = new Map(); // band -> the lane shared by the sessions past MAX_LANES
  for (const group of sorted) {
    if (lanes.length >= MAX_LANES - 1 && lanes.some((lane) => lane.band === group.band)) {
      let other = others.get(group.band);
      if (!other) {
        other = { band: group.band, label: 'other sessions', other: true, count: 0 };
        others.set(group.band, other);
        lanes.push(other);
      }
      other.count += 1;
      group.lane = other;
      continue;
    }
    group.lane = { band: group.band, label: group.session ?? 'no session' };
    lanes.push(group.lane);
  }
  // Lanes in band order (an "other" lane may have been added before a later band's lanes).
  lanes.sort((a, b) => a.band - b.band);
  lanes.forEach((lane, i) => (lane.index = i));
  const laneOf = new Int32Array(calls.length);
  await inSlices(groupOf, (group, i) => (laneOf[i] = group.lane.index));
  // y of each lane's middle, with room for band headings.
  const bands = ['Runtime layer', 'Model layer'];
  let y = AXIS;
  let band = -1;
  for (const lane of lanes) {
    if (layered && lane.band !== band) {
      band = lane.band;
      lane.heading = bands[band];
      y += BAND;
    }
    lane.y = y + LANE_MID;
    y += LANE;
  }
  return { lanes, laneOf, height: y + 8, layered };
}

/**
 * Handles that more than two calls in one lane sent: for each of their links (but the one to
 * the first call that sent it), {first, last, links} of the calls that sent it.
 */
async function fansOf(links, laneOf) {
  const byEvidence = new Map();
  await inSlices(links, (link) => {
    if (link.kind !== 'handle') return;
    if (!byEvidence.has(link.evidence)) byEvidence.set(link.evidence, []);
    byEvidence.get(link.evidence).push(link);
  });
  const fans = new Map();
  for (const group of byEvidence.values()) {
    if (group.length < 3) continue;
    const lane = laneOf[group[0].to - 1];
    if (group.some((link) => laneOf[link.to - 1] !== lane)) continue;
    const targets = group.map((link) => link.to);
    const fan = { first: Math.min(...targets), last: Math.max(...targets), links: group, lane, level: 0 };
    for (const link of group) fans.set(link, fan);
  }
  // Rails that overlap in a lane are drawn at different heights: a sweep from left to right,
  // keeping per lane the rails still running.
  const running = new Map();
  for (const fan of [...new Set(fans.values())].sort((a, b) => a.first - b.first)) {
    const active = (running.get(fan.lane) ?? []).filter((other) => other.last >= fan.first);
    const taken = new Set(active.map((other) => other.level));
    while (taken.has(fan.level) && fan.level < 3) fan.level += 1;
    active.push(fan);
    running.set(fan.lane, active);
  }
  return fans;
}

export class Timeline {
  /**
   * @param {HTMLElement} host  where to draw (its content is replaced)
   * @param {{onSelect?: (index: number|null) => void, label?: string}} options
   */
  constructor(host, { onSelect = () => {}, label = 'Timeline of the calls' } = {}) {
    this.host = host;
    this.onSelect = onSelect;
    this.col = 28;
    this.report = null;
    this.filter = null;
    this.selected = null;
    this.hovered = null;
    this.frame = 0;

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

    this.frameEl = document.createElement('div');
    this.frameEl.className = 'tl-frame';
    this.labels = document.createElementNS(SVG, 'svg');
    this.labels.setAttribute('class', 'tl-labels');
    this.labels.setAttribute('aria-hidden', 'true');
    this.viewport = document.createElement('div');
    this.viewport.className = 'tl-viewport';
    this.viewport.tabIndex = 0;
    this.viewport.setAttribute('role', 'group');
    this.viewport.setAttribute('aria-label', `${label}. Left and right arrows move between calls, Enter opens one, plus and minus zoom.`);
    this.svg = document.createElementNS(SVG, 'svg');
    this.svg.setAttribute('class', 'tl-svg');
    this.svg.setAttribute('role', 'img');
    // The track is as wide as all the calls and holds nothing but the drawing, which covers only
    // the columns around the view and moves with it: the page never lays out, paints or
    // composites a picture thousands of screens wide.
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
    // Each column holds one call: the pointer's column says which, so a hit never depends on
    // which drawn element is under it (the drawing is replaced as the view changes).
    this.svg.addEventListener('pointermove', (event) => this.hover(this.callAt(event), event));
    this.svg.addEventListener('pointerleave', () => this.hover(null));
    this.svg.addEventListener('click', (event) => {
      const index = this.callAt(event);
      if (index != null) this.pick(index);
    });
    this.viewport.addEventListener('keydown', (event) => this.key(event));
  }

  /** The call in the column under a pointer event, or null. */
  callAt(event) {
    if (!this.report) return null;
    const box = this.track.getBoundingClientRect();
    if (event.clientY - box.top < AXIS - 4) return null;
    const index = Math.floor((event.clientX - box.left) / this.col) + 1;
    return index >= 1 && index <= this.calls.length ? index : null;
  }

  /**
   * Shows a report (null clears). The layout of a big report is worked out over a few tasks, so
   * that none holds the page long; the returned promise settles once it is drawn.
   */
  async setReport(report) {
    const token = (this.token = {});
    this.report = null;
    this.selected = null;
    this.hovered = null;
    this.svg.replaceChildren();
    this.labels.replaceChildren();
    if (!report) return;
    const calls = report.calls ?? [];
    const lanes = await layout(report);
    if (token !== this.token) return;
    const links = await linksOf(report);
    if (token !== this.token) return;
    const fans = await fansOf(links, lanes.laneOf);
    if (token !== this.token) return;
    const linksByCall = new Map(); // per call, the links that touch it, for highlighting
    await inSlices(links, (link) => {
      for (const end of [link.from, link.to]) {
        if (!linksByCall.has(end)) linksByCall.set(end, []);
        linksByCall.get(end).push(link);
      }
    });
    if (token !== this.token) return;
    Object.assign(this, { report, calls, layout: lanes, links, fans, linksByCall });
    this.svg.setAttribute('aria-label', `${calls.length} calls in ${lanes.lanes.length} lanes, ${links.length} links`);
    // Readable by default; wider columns when that shows everything anyway.
    this.col = 28;
    const width = this.viewWidth || 600;
    if (calls.length * this.col < width) this.col = Math.min(MAX_COL, Math.max(28, Math.floor(width / Math.max(1, calls.length))));
    this.viewport.scrollLeft = 0;
    this.scrollX = 0;
    this.drawLabels();
    // Drawn in the next frame, a task of its own.
    this.schedule();
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

  zoom(factor, anchor = (this.viewWidth || this.viewport.clientWidth) / 2) {
    const old = this.col;
    this.col = Math.min(MAX_COL, Math.max(MIN_COL, old * factor));
    // Keep the column under the anchor where it was.
    const at = (this.viewport.scrollLeft + anchor) / old;
    this.draw();
    this.scrollTo(at * this.col - anchor);
  }

  fit() {
    const n = Math.max(1, this.calls?.length ?? 1);
    this.col = Math.min(MAX_COL, Math.max(MIN_COL, ((this.viewWidth || this.viewport.clientWidth) - 8) / n));
    this.draw();
    this.scrollTo(0);
  }

  scrollTo(x) {
    this.viewport.scrollLeft = x;
    this.scrollX = this.viewport.scrollLeft;
    this.schedule();
  }

  reveal(index) {
    const x = (index - 0.5) * this.col;
    const width = this.viewWidth || this.viewport.clientWidth;
    if (x < this.scrollX + this.col || x > this.scrollX + width - this.col) this.scrollTo(x - width / 2);
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
      default:
    }
  }

  describe(call) {
    if (!call) return '';
    const state = call.state?.length ? ` (${call.state.join(', ')})` : '';
    const flag = this.flags?.get(call.index);
    const policy = flag === 'violated' ? ' It breaks a policy rule.' : flag === 'warning' ? ' A policy rule warns about it.' : '';
    return `Call ${call.index}: ${callTitle(call)}, ${call.mode}${state}${call.session ? `, session ${call.session}` : ''}.${policy}`;
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
    const calls = new Set([index]);
    const links = new Set();
    for (const link of this.linksByCall.get(index) ?? []) {
      links.add(link);
      calls.add(link.from);
      calls.add(link.to);
    }
    return { calls, links };
  }

  drawLabels() {
    const { lanes, height } = this.layout;
    const nodes = [];
    for (const lane of lanes) {
      if (lane.heading) nodes.push(['text', { class: 'tl-band', x: 6, y: lane.y - LANE_MID - 6 }, lane.heading]);
      nodes.push(['text', { class: 'tl-lane', x: GUTTER - 8, y: lane.y + 4, 'text-anchor': 'end' }, lane.other ? `${lane.count} more sessions` : lane.label]);
    }
    this.labels.setAttribute('width', GUTTER);
    this.labels.setAttribute('height', height);
    this.labels.replaceChildren(...nodes.map(toDom));
  }

  /** Draws the columns in view (or, with `all`, every column: for export). Returns the nodes. */
  scene({ from, to, offset = 0, all = false }) {
    const { lanes, laneOf, height } = this.layout;
    const col = this.col;
    const x = (i) => offset + (i + 0.5) * col;
    const nodes = [];
    const focus = this.hovered ?? this.selected;
    const related = !all && focus != null ? this.related(focus) : null;
    const width = offset + this.calls.length * col;

    // Lanes and their rules.
    for (const lane of lanes) {
      nodes.push(['line', { class: 'tl-rule', x1: all ? offset : x(from) - col / 2, x2: all ? width : x(to) + col / 2, y1: lane.y, y2: lane.y }]);
      if (all) {
        if (lane.heading) nodes.push(['text', { class: 'tl-band', x: 6, y: lane.y - LANE_MID - 6 }, lane.heading]);
        nodes.push(['text', { class: 'tl-lane', x: offset - 8, y: lane.y + 4, 'text-anchor': 'end' }, lane.other ? `${lane.count} more sessions` : lane.label]);
      }
    }
    // Call numbers on the axis, far enough apart to read.
    const step = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 50000].find((s) => s * col >= 34) ?? 100000;
    const tick = (i) => ['text', { class: 'tl-tick', x: x(i), y: 14, 'text-anchor': 'middle' }, String(i + 1)];
    if (from === 0 && to > 0) nodes.push(tick(0));
    for (let i = Math.ceil((from + 1) / step) * step - 1; i < to; i += step) if (i > 0) nodes.push(tick(i));

    // Links whose span overlaps the columns in view.
    const linkNodes = [];
    const railsDrawn = new Set();
    let drawn = 0;
    for (const link of this.links) {
      const a = link.from - 1;
      const b = link.to - 1;
      if (Math.max(a, b) < from || Math.min(a, b) >= to) continue;
      if (a < 0 || b < 0 || a >= this.calls.length || b >= this.calls.length) continue;
      if (++drawn > MAX_LINKS && !related?.links.has(link)) continue;
      const x1 = x(a);
      const x2 = x(b);
      const y1 = lanes[laneOf[a]].y;
      const y2 = lanes[laneOf[b]].y;
      const fan = this.fans.get(link);
      let d;
      if (fan && link.to !== fan.first) {
        // One handle sent by many calls: a rail above their lane from the first to the last,
        // with a drop to each, instead of a bundle of arcs.
        const rail = y2 - 7 - FAN_LIFT - 5 * fan.level;
        if (!railsDrawn.has(fan)) {
          railsDrawn.add(fan);
          const lit = related?.links.has(link) || (related && fan.links.some((l) => related.links.has(l)));
          linkNodes.push(['path', { class: `tl-link tl-rail k-handle${lit ? ' lit' : related ? ' dim' : ''}`, d: `M${x(fan.first - 1)} ${rail}H${x(fan.last - 1)}`, 'data-evidence': link.evidence }]);
        }
        d = `M${x2} ${rail}V${y2 - 9}`;
      } else if (y1 === y2) {
        // An arc above the lane, higher for longer spans.
        const lift = Math.min(MAX_LIFT, 8 + Math.abs(x2 - x1) * 0.25);
        d = `M${x1} ${y1 - 7}C${x1} ${y1 - 7 - lift} ${x2} ${y2 - 7 - lift} ${x2} ${y2 - 9}`;
      } else {
        const down = y2 > y1;
        const ya = y1 + (down ? 9 : -9);
        const yb = y2 + (down ? -11 : 11);
        const mid = (ya + yb) / 2;
        d = `M${x1} ${ya}C${x1} ${mid} ${x2} ${mid} ${x2} ${yb}`;
      }
      const lit = related?.links.has(link);
      const dim = related && !lit;
      const title = LINK_NAMES[link.kind].replace('%from', link.from).replace('%to', link.to) + (link.evidence ? ` (${link.evidence})` : '');
      linkNodes.push([
        'path',
        { class: `tl-link k-${link.kind}${lit ? ' lit' : ''}${dim ? ' dim' : ''}`, d, 'marker-end': `url(#tl-arrow-${link.kind})`, 'data-evidence': link.evidence },
        all ? ['title', {}, title] : null,
      ]);
    }

    // Calls.
    const callNodes = [];
    const w = Math.max(2, Math.min(18, col - 2));
    const h = 18;
    for (let i = from; i < to; i += 1) {
      const call = this.calls[i];
      const lane = lanes[laneOf[i]];
      const out = this.filter && !this.filter(call);
      const lit = related?.calls.has(call.index);
      const dim = out || (related && !lit);
      const classes = ['tl-call', MODE_CLASS[call.mode] ?? 'm-other'];
      if (dim) classes.push('dim');
      if (lit) classes.push('lit');
      if (!all && call.index === this.selected) classes.push('selected');
      const flag = this.flags?.get(call.index);
      if (flag) classes.push(`flag-${flag}`);
      callNodes.push([
        'g',
        { class: classes.join(' '), 'data-call': call.index, 'data-flag': flag ?? null },
        ['rect', { x: x(i) - w / 2, y: lane.y - h / 2, width: w, height: h, rx: Math.min(4, w / 2) }],
        flag ? ['circle', { class: 'tl-flag', cx: x(i), cy: lane.y - h / 2 - 5, r: 3.5 }] : null,
        all ? ['title', {}, this.describe(call)] : null,
      ]);
    }
    nodes.push(['g', { class: 'tl-links' }, ...linkNodes], ['g', { class: 'tl-calls' }, ...callNodes]);
    return { nodes, width, height };
  }

  /** Markers (arrowheads) for each kind of link. */
  defs() {
    return [
      'defs',
      {},
      ...['handle', 'replay', 'kept', 'parent'].map((kind) => [
        'marker',
        { id: `tl-arrow-${kind}`, class: `tl-marker k-${kind}`, viewBox: '0 0 8 8', refX: 7, refY: 4, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
        ['path', { d: 'M0 0L8 4L0 8z' }],
      ]),
    ];
  }

  draw() {
    if (!this.report) return;
    const n = this.calls.length;
    const left = this.scrollX;
    const view = this.viewWidth || 800;
    const margin = view / 2; // half a screen either side, so a quick scroll shows no gap
    const from = Math.max(0, Math.floor((left - margin) / this.col));
    const to = Math.min(n, Math.ceil((left + view + margin) / this.col));
    const { nodes, width, height } = this.scene({ from, to });
    // Set through the CSSOM, which the page's Content-Security-Policy allows.
    this.track.style.setProperty('width', `${Math.max(width, 1)}px`);
    this.track.style.setProperty('height', `${height}px`);
    const x0 = from * this.col;
    const shown = Math.max(1, (to - from) * this.col);
    this.svg.style.setProperty('left', `${x0}px`);
    this.svg.setAttribute('width', shown);
    this.svg.setAttribute('height', height);
    this.svg.setAttribute('viewBox', `${x0} 0 ${shown} ${height}`);
    this.svg.classList.toggle('focused', (this.hovered ?? this.selected) != null);
    this.svg.replaceChildren(toDom(this.defs()), ...nodes.map(toDom));
    if (n === 0) this.status.textContent = 'No calls to draw.';
  }

  /**
   * The whole picture as an SVG document, with the current theme's colours embedded so that it
   * looks the same anywhere.
   */
  toSVG() {
    // Custom properties compute to what was written (var(), light-dark()); a probe element's
    // colour gives each as the colour it is now.
    const probe = document.createElement('span');
    probe.hidden = true;
    this.host.append(probe);
    const colours = COLOURS.map((name) => {
      probe.style.setProperty('color', `var(${name})`);
      return `${name}:${getComputedStyle(probe).color};`;
    }).join('');
    probe.remove();
    const { nodes, width, height } = this.scene({ from: 0, to: this.calls.length, offset: GUTTER, all: true });
    const root = [
      'svg',
      { xmlns: SVG, width: Math.ceil(width + 12), height: Math.ceil(height), viewBox: `0 0 ${Math.ceil(width + 12)} ${Math.ceil(height)}`, class: 'tl-svg tl-export' },
      ['style', {}, `.tl-export{${colours}}\n${EXPORT_CSS}`],
      ['rect', { class: 'tl-bg', x: 0, y: 0, width: '100%', height: '100%' }],
      this.defs(),
      ...nodes,
    ];
    return `<?xml version="1.0" encoding="UTF-8"?>\n${toText(root)}\n`;
  }

  destroy() {
    this.resize.disconnect();
    cancelAnimationFrame(this.frame);
  }
}

/**
 * The picture's own rules, for the exported file (the page and the widget have the same rules
 * in timeline.css).
 */
const EXPORT_CSS = `
.tl-bg{fill:var(--tl-bg)}
text{font:12px system-ui,sans-serif;fill:var(--tl-muted)}
.tl-band{font-weight:600;fill:var(--tl-fg)}
.tl-lane{fill:var(--tl-fg)}
.tl-rule{stroke:var(--tl-grid);stroke-width:1}
.tl-call rect{stroke:var(--tl-bg);stroke-width:1}
.m-stateless rect{fill:var(--stateless)}
.m-stateful rect{fill:var(--stateful)}
.m-resource rect{fill:var(--resource)}
.m-other rect{fill:var(--tl-muted)}
.tl-link{fill:none;stroke-width:1.6}
.k-handle{stroke:var(--tl-handle)}
.k-replay{stroke:var(--tl-replay);stroke-dasharray:5 3}
.k-kept{stroke:var(--tl-kept);stroke-dasharray:2 3}
.k-parent{stroke:var(--tl-parent);stroke-width:1}
.tl-marker.k-handle path{fill:var(--tl-handle)}
.tl-marker.k-replay path{fill:var(--tl-replay)}
.tl-marker.k-kept path{fill:var(--tl-kept)}
.tl-marker.k-parent path{fill:var(--tl-parent)}
.tl-marker path{stroke:none}
.flag-violated rect{stroke:var(--tl-flag-violated,#c0162c);stroke-width:3}
.flag-warning rect{stroke:var(--tl-flag-warning,#b36b00);stroke-width:2;stroke-dasharray:3 2}
.flag-violated .tl-flag{fill:var(--tl-flag-violated,#c0162c)}
.flag-warning .tl-flag{fill:var(--tl-flag-warning,#b36b00)}
`;
