/* The lesson-01 output-size explorer for the static book: no kernel, no libraries, no network.
 *
 * window.OutputSizeArithmetic mirrors alexnet_course/arithmetic.py (conv_output_size,
 * pool_output_size: same rules, same error messages, without a layer name) and the parts of
 * alexnet_course/plots/arithmetic.py and widgets.OutputSizeExplorer the explorer shows
 * (window_layout, size_formula, the message's lines). Results are {ok: true, ...} or
 * {ok: false, message}, never exceptions. tests/browser/test_js_explorer.py checks them
 * against the Python functions.
 *
 * Every <div class="ac-js-explorer" data-explorer="output-size"></div> on the page gets an
 * explorer (sliders, the message, an SVG of the windows along one row of the input).
 */
(function () {
  "use strict";

  // --- arithmetic: alexnet_course/arithmetic.py ------------------------------------------------

  class SettingError extends Error {}

  // Python's repr() of the values a caller may pass, so messages read as Python's do.
  function pyRepr(value) {
    if (value === null || value === undefined) return "None";
    if (typeof value === "boolean") return value ? "True" : "False";
    if (typeof value === "number" && !Number.isFinite(value)) {
      return Number.isNaN(value) ? "nan" : value > 0 ? "inf" : "-inf";
    }
    if (typeof value === "string") return "'" + value + "'";
    return String(value);
  }

  function integer(value, what, minimum) {
    if (typeof value !== "number" || !Number.isInteger(value)) {
      throw new SettingError(`${what} must be a whole number, got ${pyRepr(value)}`);
    }
    if (value < minimum) throw new SettingError(`${what} must be at least ${minimum}, got ${value}`);
    return value;
  }

  function spanError(kernel, dilation, span, n, padding) {
    return new SettingError(
      `kernel ${kernel} with dilation ${dilation} spans ${span} pixels ` +
      `but the padded input is only ${n + 2 * padding} (n=${n}, padding=${padding})`);
  }

  // Python's //, which floors towards minus infinity (exact for the small integers used here).
  const floorDiv = (a, b) => Math.floor(a / b);

  function conv(n, kernel, stride, padding, dilation) {
    n = integer(n, "input size n", 1);
    kernel = integer(kernel, "kernel", 1);
    stride = integer(stride, "stride", 1);
    padding = integer(padding, "padding", 0);
    dilation = integer(dilation, "dilation", 1);
    const span = dilation * (kernel - 1) + 1;
    if (n + 2 * padding < span) throw spanError(kernel, dilation, span, n, padding);
    return floorDiv(n + 2 * padding - span, stride) + 1;
  }

  function pool(n, kernel, stride, padding, dilation, ceilMode) {
    n = integer(n, "input size n", 1);
    kernel = integer(kernel, "kernel", 1);
    // As in PyTorch (and the Python function), a missing stride is the kernel.
    stride = stride === null || stride === undefined ? kernel : integer(stride, "stride", 1);
    padding = integer(padding, "padding", 0);
    dilation = integer(dilation, "dilation", 1);
    const half = floorDiv(kernel, 2);
    if (padding > half) {  // PyTorch compares with the kernel, not with its dilated span
      throw new SettingError(
        `padding ${padding} is more than half the kernel ${kernel} ` +
        `(at most ${half}): a window could hold only padding`);
    }
    const span = dilation * (kernel - 1) + 1;
    const room = n + 2 * padding - span;
    let out = floorDiv(room + (ceilMode ? stride - 1 : 0), stride) + 1;
    if (ceilMode && (out - 1) * stride >= n + padding) out -= 1;  // would start in the right padding
    if (out < 1) throw spanError(kernel, dilation, span, n, padding);
    return out;
  }

  function attempt(compute) {
    try {
      return compute();
    } catch (error) {
      if (error instanceof SettingError) return {ok: false, message: error.message};
      throw error;  // a bug, not a setting
    }
  }

  function convOutputSize(n, k, s = 1, p = 0, d = 1) {
    return attempt(() => ({ok: true, size: conv(n, k, s, p, d)}));
  }

  function poolOutputSize(n, k, s = null, p = 0, d = 1, ceilMode = false) {
    return attempt(() => ({ok: true, size: pool(n, k, s, p, d, Boolean(ceilMode))}));
  }

  // --- the picture's geometry and the message: alexnet_course/plots/arithmetic.py, widgets.py --

  // window_layout: where the windows of one axis land, in padded coordinates (0 = first padding
  // pixel; input pixel i sits at i + padding).
  function windowLayout(n, kernel, stride, padding, dilation, isPool = false, ceilMode = false) {
    ceilMode = Boolean(ceilMode) && isPool;
    const result = isPool ? poolOutputSize(n, kernel, stride, padding, dilation, ceilMode)
                          : convOutputSize(n, kernel, stride, padding, dilation);
    if (!result.ok) return result;
    if (stride === null || stride === undefined) stride = kernel;
    const size = result.size;
    const span = dilation * (kernel - 1) + 1;
    const padded = n + 2 * padding;
    const starts = Array.from({length: size}, (_, i) => i * stride);
    // A ceil-mode window PyTorch drops: the plain ceil counts one more window than it keeps.
    const naive = -floorDiv(-(padded - span), stride) + 1;
    const dropped = ceilMode && naive > size ? size * stride : null;
    const taps = start => Array.from({length: kernel}, (_, j) => start + dilation * j);
    const read = new Set();
    for (const start of starts) taps(start).forEach(c => read.add(c));
    const neverRead = Array.from({length: padded}, (_, c) => c).filter(c => !read.has(c));
    const width = Math.max(padded, Math.max(...starts, dropped || 0) + span);
    return {ok: true, layout: {n, kernel, stride, padding, dilation, pool: isPool, ceilMode, size,
                               span, padded, width, starts, dropped, neverRead, taps}};
  }

  const gcd = (a, b) => (b === 0 ? Math.abs(a) : gcd(b, a % b));

  // size_formula: the formula with the numbers filled in, ending in the output size.
  function sizeFormula(layout) {
    const {n, kernel, stride, padding, dilation, span, size} = layout;
    const [left, right] = layout.ceilMode ? ["⌈", "⌉"] : ["⌊", "⌋"];
    const room = n + 2 * padding - span;
    const common = gcd(room, stride);  // a Fraction: reduced, the sign on the numerator
    const ratio = stride / common === 1 ? `${room / common}` : `${room / common}/${stride / common}`;
    const text = `o = ${left}(${n} + 2·${padding} − ${dilation}·(${kernel} − 1) − 1) / ${stride}` +
                 `${right} + 1 = ${left}${ratio}${right} + 1 = `;
    if (layout.dropped !== null) {
      return text + `${size + 1}, minus the last window, which would start in the right padding: ${size}`;
    }
    return text + size;
  }

  // The lines of OutputSizeExplorer.update(...).text, less PyTorch's verdict (there is no PyTorch here).
  function explain(n, kernel, stride, padding, dilation, isPool = false, ceilMode = false) {
    const result = windowLayout(n, kernel, stride, padding, dilation, isPool, ceilMode);
    if (!result.ok) return {ok: false, message: result.message, lines: [`Impossible: ${result.message}.`]};
    const layout = result.layout;
    const lines = [`Output size: ${layout.size} × ${layout.size}`, sizeFormula(layout)];
    const unread = layout.neverRead.filter(c => c >= padding && c < padding + n).map(c => c - padding);
    if (unread.length) {
      const pixels = unread.length === 1 ? "pixel" : "pixels";
      lines.push(`${unread.length} input ${pixels} of each row never read: ${unread.join(", ")}.`);
    }
    return {ok: true, layout, lines};
  }

  window.OutputSizeArithmetic = {convOutputSize, poolOutputSize, windowLayout, sizeFormula, explain};

  // --- the explorer ----------------------------------------------------------------------------

  // The figure's colours (plots/arithmetic.py); theme-neutral greys come from currentColor.
  const COLOURS = {
    first: ["#e6550d", "#fdd0a2"], second: ["#3182bd", "#c6dbef"], other: ["#8c8c8c", "#e3e3e3"],
    dropped: ["#de2d26", "#fcbba1"],
  };
  const SLIDERS = [
    ["n", "input size n", 1, 32, 8], ["kernel", "kernel k", 1, 11, 3], ["stride", "stride s", 1, 8, 2],
    ["padding", "padding p", 0, 5, 1], ["dilation", "dilation d", 1, 4, 1],
  ];
  const CELL = 20;  // SVG units per pixel
  const LEFT = 70;  // room for the row labels
  const SVG_NS = "http://www.w3.org/2000/svg";
  let explorers = 0;  // radio groups and SVG patterns need page-unique names

  function element(tag, attributes = {}, text = "") {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
    if (text) node.textContent = text;
    return node;
  }

  function svg(parent, tag, attributes, text = "") {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
    if (text) node.textContent = text;
    parent.appendChild(node);
    return node;
  }

  function windowColours(i) {
    if (i === null) return COLOURS.dropped;
    return i === 0 ? COLOURS.first : i === 1 ? COLOURS.second : COLOURS.other;
  }

  // plot_sliding_window's lower panel: one row of the padded input, then every window along it,
  // packed into ceil(span / stride) rows so that windows sharing a row never overlap.
  function picture(layout, id) {
    const {n, padding, padded, width, span, stride, starts, dropped} = layout;
    const windows = starts.map((start, i) => [i, start]);
    if (dropped !== null) windows.push([null, dropped]);
    const levels = Math.max(1, Math.min(windows.length, Math.ceil(span / stride)));
    const windowsTop = 2.2 * CELL;
    const viewWidth = LEFT + width * CELL + 4;
    const viewHeight = windowsTop + levels * CELL + 4;
    const root = document.createElementNS(SVG_NS, "svg");
    for (const [name, value] of Object.entries({
      viewBox: `0 0 ${viewWidth} ${viewHeight}`, role: "img", style: `max-width: ${1.5 * viewWidth}px`,
      "aria-label": `one row of the padded input (${padded} pixels) and the ${starts.length} ` +
                    "windows along it",
    })) root.setAttribute(name, value);
    const defs = svg(root, "defs", {});
    const hatch = svg(defs, "pattern", {id: `ac-js-hatch-${id}`, width: 5, height: 5, patternUnits: "userSpaceOnUse",
                                        patternTransform: "rotate(45)"});
    svg(hatch, "line", {x1: 0, y1: 0, x2: 0, y2: 5, stroke: "currentColor", "stroke-opacity": 0.35});

    const x = c => LEFT + c * CELL;
    svg(root, "text", {x: 0, y: CELL / 2, class: "ac-js-label"}, "input row");
    svg(root, "text", {x: 0, y: windowsTop + CELL / 2, class: "ac-js-label"}, "windows");
    const row = svg(root, "g", {class: "ac-js-row"});
    const unread = new Set(layout.neverRead);
    for (let c = 0; c < width; c++) {
      const kind = c >= padded ? "outside" : c >= padding && c < padding + n ? "input" : "padding";
      const fill = {input: "none", padding: "currentColor", outside: `url(#${hatch.id})`}[kind];
      svg(row, "rect", {x: x(c), y: 0, width: CELL, height: CELL, fill, "fill-opacity":
                        kind === "padding" ? 0.25 : 1, stroke: "currentColor", "stroke-opacity": 0.6,
                        class: `ac-js-cell ac-js-cell-${kind}`});
      if (unread.has(c)) {  // under the pixel's number, which stays readable
        svg(row, "path", {d: `M${x(c) + 4},4 l12,12 m0,-12 l-12,12`, stroke: COLOURS.dropped[0],
                          "stroke-width": 2, "stroke-opacity": 0.7, class: "ac-js-unread"});
      }
      if (kind === "input") {
        svg(row, "text", {x: x(c) + CELL / 2, y: CELL / 2, class: "ac-js-index"}, String(c - padding));
      }
    }
    if (stride > 1 && starts.length > 1) {  // the step from window 0 to window 1
      const y = 1.8 * CELL;
      svg(root, "path", {d: `M${x(0)},${y} H${x(stride) - 1} m-5,-4 l5,4 l-5,4`, fill: "none",
                         stroke: COLOURS.second[0], "stroke-width": 1.5});
      svg(root, "text", {x: (x(0) + x(stride)) / 2, y: 1.3 * CELL, class: "ac-js-stride-label",
                         fill: COLOURS.second[0]}, `stride ${stride}`);
    }
    for (const [i, start] of windows) {
      const [tap, gap] = windowColours(i);
      const y = windowsTop + ((i === null ? starts.length : i) % levels) * CELL;
      const group = svg(root, "g", {class: i === null ? "ac-js-window ac-js-dropped" : "ac-js-window",
                                    "data-start": start});
      const taps = new Set(layout.taps(start));
      for (let c = start; c < start + span; c++) {
        svg(group, "rect", {x: x(c) + 1, y: y + 1, width: CELL - 2, height: CELL - 4,
                            fill: taps.has(c) ? tap : gap});
      }
      svg(group, "rect", {x: x(start), y, width: span * CELL, height: CELL - 2, fill: "none",
                          stroke: tap, "stroke-width": 1.5, rx: 3});
      svg(group, "text", {x: x(start) + (span * CELL) / 2, y: y + CELL / 2 - 1, class: "ac-js-window-label"},
          i === null ? "dropped" : String(i));
    }
    return root;
  }

  function legend(layout) {
    const items = [["none", "input pixel"], ["ac-js-swatch-padding", "padding"],
                   [COLOURS.first[0], "window 0: taps"], [COLOURS.first[1], "skipped by dilation"],
                   [COLOURS.second[0], "window 1"], ["ac-js-swatch-unread", "never read"]];
    if (layout.width > layout.padded) items.push(["ac-js-swatch-outside", "beyond the padding"]);
    if (layout.dropped !== null) items.push([COLOURS.dropped[0], "dropped by PyTorch"]);
    const box = element("div", {class: "ac-js-legend"});
    for (const [look, label] of items) {
      const item = box.appendChild(element("span"));
      const swatch = item.appendChild(element("span", {class: "ac-js-swatch"}));
      if (look.startsWith("#")) swatch.style.background = look;
      else if (look !== "none") swatch.classList.add(look);
      item.appendChild(document.createTextNode(label));
    }
    return box;
  }

  function mount(host) {
    if (host.dataset.mounted) return;  // the script may be included twice (theme and chapter)
    host.dataset.mounted = "true";
    const id = ++explorers;
    const controls = host.appendChild(element("div", {class: "ac-js-controls"}));
    const sliders = {};
    for (const [name, label, low, high, start] of SLIDERS) {
      const row = controls.appendChild(element("label", {class: "ac-js-slider"}));
      row.appendChild(element("span", {class: "ac-js-slider-name"}, label));
      sliders[name] = row.appendChild(element("input", {type: "range", min: low, max: high, step: 1,
                                                        value: start, class: `ac-js-${name}`}));
      sliders[name].readout = row.appendChild(element("output", {class: "ac-js-readout"}));
    }
    const layer = controls.appendChild(element("fieldset", {class: "ac-js-layer"}));
    layer.appendChild(element("legend", {}, "layer"));
    for (const value of ["convolution", "max-pool"]) {
      const option = layer.appendChild(element("label"));
      const radio = option.appendChild(element("input", {type: "radio", name: `ac-js-layer-${id}`,
                                                         value}));
      radio.checked = value === "convolution";
      option.appendChild(element("span", {}, value));
    }
    const ceilRow = controls.appendChild(element("label", {class: "ac-js-ceil-row"}));
    const ceil = ceilRow.appendChild(element("input", {type: "checkbox", class: "ac-js-ceil"}));
    ceilRow.appendChild(document.createTextNode(" ceil_mode (pools only)"));
    const message = host.appendChild(element("div", {class: "ac-js-message", "aria-live": "polite"}));
    const pictureBox = host.appendChild(element("div", {class: "ac-js-picture"}));

    function refresh() {
      const values = SLIDERS.map(([name]) => Number(sliders[name].value));
      for (const [name] of SLIDERS) sliders[name].readout.textContent = sliders[name].value;
      const isPool = layer.querySelector("input:checked").value === "max-pool";
      ceil.disabled = !isPool;
      let view;
      try {
        view = explain(...values, isPool, ceil.checked);
      } catch (error) {  // a bug, not a setting: still a message, as the notebook widget does
        view = {ok: false, lines: [`Unexpected error (${error.name}): ${error.message}`]};
      }
      message.replaceChildren(...view.lines.map((line, i) =>
        element("div", {class: i === 0 ? "ac-js-size" : "ac-js-line"}, line)));
      message.classList.toggle("ac-js-impossible", !view.ok);
      pictureBox.replaceChildren(...(view.layout ? [picture(view.layout, id), legend(view.layout)] : []));
    }

    controls.addEventListener("input", refresh);
    controls.addEventListener("change", refresh);
    refresh();
  }

  function mountAll() {
    document.querySelectorAll('.ac-js-explorer[data-explorer="output-size"]').forEach(mount);
  }

  // mdBook adds its scripts at the end of <body>: the page may or may not be parsed by now.
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mountAll);
  else mountAll();
})();
