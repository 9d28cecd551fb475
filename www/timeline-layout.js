// Where the picture's calls go, worked out from a report without drawing anything: a lane per
// session (in bands for layered traces), each call's row on the time axis, and the rails of
// handles that many calls in one lane sent. Used by timeline.js.

import { inSlices } from './view.js';

export const AXIS = 24; // call numbers above the lanes
const LANE = 48; // a lane's height: its calls sit low, with room above for arcs
export const LANE_MID = 33; // where in its lane the calls sit
const BAND = 20; // heading of a band (layered traces)
const MAX_LANES = 24;
export const ROW = 15; // a row of the time axis within a lane
const MAX_ROWS = 4; // rows a lane has at most (more overlapping calls share the one free soonest)

/** Lanes for a report: [{label, band, y, heading?}], and each call's lane number (a promise). */
export async function layout(report, pacer) {
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
  }, pacer);
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
  await inSlices(groupOf, (group, i) => (laneOf[i] = group.lane.index), pacer);
  const bands = ['Runtime layer', 'Model layer'];
  let band = -1;
  for (const lane of lanes) {
    if (layered && lane.band !== band) {
      band = lane.band;
      lane.heading = bands[band];
    }
  }
  return { lanes, laneOf, height: placeLanes(lanes, null), layered };
}

/**
 * Sets the y of each lane's (first row's) middle, with room for band headings and for `rows[i]`
 * rows in lane i (one each when `rows` is null). Returns the height of the picture.
 */
export function placeLanes(lanes, rows) {
  let y = AXIS;
  for (const lane of lanes) {
    if (lane.heading) y += BAND;
    lane.y = y + LANE_MID;
    y += LANE + ((rows?.[lane.index] ?? 1) - 1) * ROW;
  }
  return y + 8;
}

/**
 * The time axis of a report whose calls all have a start: the first start and the last end (µs),
 * each call's row in its lane, so that calls that overlap in time sit one under another, and the
 * calls in order of their start.
 */
export function timeAxis(calls, laneOf, laneCount) {
  const rowOf = new Uint8Array(calls.length);
  const busy = Array.from({ length: laneCount }, () => []); // per lane, when each row is free again
  const order = Array.from(calls.keys()).sort((a, b) => calls[a].started_us - calls[b].started_us || a - b);
  let t0 = Infinity;
  let t1 = -Infinity;
  for (const i of order) {
    const start = calls[i].started_us;
    const end = start + Math.max(1, calls[i].duration_us ?? 0);
    const rows = busy[laneOf[i]];
    let row = rows.findIndex((free) => free <= start);
    if (row < 0) row = rows.length < MAX_ROWS ? rows.length : rows.indexOf(Math.min(...rows));
    rows[row] = Math.max(rows[row] ?? 0, end);
    rowOf[i] = row;
    t0 = Math.min(t0, start);
    t1 = Math.max(t1, end);
  }
  return { t0, t1, rowOf, order, rows: busy.map((rows) => Math.max(1, rows.length)) };
}

/**
 * Handles that more than two calls in one lane sent: for each of their links (but the one to
 * the first call that sent it), {first, last, links} of the calls that sent it.
 */
export async function fansOf(links, laneOf, pacer) {
  const byEvidence = new Map();
  await inSlices(links, (link) => {
    if (link.kind !== 'handle') return;
    if (!byEvidence.has(link.evidence)) byEvidence.set(link.evidence, []);
    byEvidence.get(link.evidence).push(link);
  }, pacer);
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
