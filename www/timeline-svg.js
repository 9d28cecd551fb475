// The picture as plain data ([tag, attrs, ...children]) turned into SVG: DOM for the page, text
// for the exported file, which carries the current theme's colours and the picture's own rules.

export const SVG = 'http://www.w3.org/2000/svg';

/** The CSS custom properties the picture uses; the exported SVG gets their current values. */
const COLOURS = ['--tl-bg', '--tl-fg', '--tl-muted', '--tl-grid', '--stateless', '--stateful', '--resource', '--tl-handle', '--tl-replay', '--tl-kept', '--tl-parent', '--tl-select'];

/** A drawing as plain data ([tag, attrs, ...children]), turned into DOM or into text. */
export function toDom(node) {
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

/** The arrow heads of the links, one per kind. */
export function arrowDefs() {
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

/**
 * The colours of the picture as they are now: custom properties compute to what was written
 * (var(), light-dark()), so a probe element's colour gives each as the colour it is.
 */
export function themeColours(host) {
  const probe = document.createElement('span');
  probe.hidden = true;
  host.append(probe);
  const colours = COLOURS.map((name) => {
    probe.style.setProperty('color', `var(${name})`);
    return `${name}:${getComputedStyle(probe).color};`;
  }).join('');
  probe.remove();
  return colours;
}

/** A standalone SVG file of `nodes`, with `colours` (from themeColours) and the picture's rules. */
export function svgDocument(nodes, width, height, colours) {
  const [w, h] = [Math.ceil(width), Math.ceil(height)];
  const root = [
    'svg',
    { xmlns: SVG, width: w, height: h, viewBox: `0 0 ${w} ${h}`, class: 'tl-svg tl-export' },
    ['style', {}, `.tl-export{${colours}}\n${EXPORT_CSS}`],
    ['rect', { class: 'tl-bg', x: 0, y: 0, width: '100%', height: '100%' }],
    arrowDefs(),
    ...nodes,
  ];
  return `<?xml version="1.0" encoding="UTF-8"?>\n${toText(root)}\n`;
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
