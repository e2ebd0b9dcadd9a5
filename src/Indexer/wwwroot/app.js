/*
 * Prover market indexer: shared helpers (window.PM, also used by request.js) and the dashboard of index.html.
 *
 * No build step and no framework: plain ES2020 against the same-origin JSON API. Every poll updates the DOM and the
 * Chart.js charts in place (text nodes are rewritten, charts get chart.update()), so elements keep their identity
 * and a test that holds on to an element does not see it go stale.
 *
 * Query parameters: ?refresh=ms (poll interval, default 2000, 0 = load once), ?mode= and ?window= (initial prover
 * share selection; kept in the address bar when changed).
 */
'use strict';

const PM = (() => {
  const params = new URLSearchParams(location.search);

  // ---------- Polling ----------

  /** Poll interval in milliseconds from ?refresh=ms: 2000 by default, 0 turns polling off, at least 250. */
  function refreshMs() {
    const raw = params.get('refresh');
    if (raw === null || raw.trim() === '') return 2000;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0) return 2000;
    if (n === 0) return 0;
    return Math.max(250, Math.round(n));
  }

  /**
   * Runs `task` now and then `ms` after each run finishes (never two at once). `now()` runs it again at once
   * (after the one in flight, if any), for a changed selection.
   */
  function startPolling(task, ms) {
    let timer = null;
    let running = false;
    let again = false;

    async function tick() {
      if (timer !== null) {
        clearTimeout(timer);
        timer = null;
      }
      if (running) {
        again = true;
        return;
      }
      running = true;
      try {
        await task();
      } catch (e) {
        console.error(e); // a bug in a renderer; the next poll tries again
      } finally {
        running = false;
      }
      if (again) {
        again = false;
        tick();
      } else if (ms > 0) {
        timer = setTimeout(tick, ms);
      }
    }

    tick();
    return { now: tick };
  }

  // ---------- API ----------

  class ApiError extends Error {
    constructor(path, status, message) {
      super(message);
      this.name = 'ApiError';
      this.path = path;
      this.status = status; // 0 when no HTTP answer came back
    }
  }

  /** GET a same-origin JSON resource; throws ApiError (with the API's `error` text when it sends one). */
  async function getJson(path, timeoutMs = 10000) {
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(), timeoutMs);
    try {
      let res;
      try {
        res = await fetch(path, { cache: 'no-store', headers: { Accept: 'application/json' }, signal: ctrl.signal });
      } catch (e) {
        throw new ApiError(path, 0, e && e.name === 'AbortError' ? 'timed out' : 'unreachable');
      }
      if (!res.ok) {
        let message = `HTTP ${res.status}`;
        try {
          const body = await res.json();
          if (body && typeof body.error === 'string') message += ` (${body.error})`;
        } catch {
          // not JSON: the status is all there is
        }
        throw new ApiError(path, res.status, message);
      }
      try {
        return await res.json();
      } catch {
        throw new ApiError(path, res.status, 'invalid JSON');
      }
    } finally {
      clearTimeout(timer);
    }
  }

  // ---------- Amounts (wei as decimal strings; BigInt only) ----------

  const WEI_PER_ETH = 10n ** 18n;

  /** BigInt of a decimal string (or integer number); null for null/empty/unparseable. */
  function toBigInt(v) {
    if (v === null || v === undefined || v === '') return null;
    try {
      return BigInt(v);
    } catch {
      return null;
    }
  }

  /**
   * Human form of a wei amount: ETH with at most `decimals` decimals (rounded half up, trailing zeros dropped),
   * e.g. "0.0125 ETH". Pure BigInt arithmetic: amounts are 256-bit and must not pass through a double.
   */
  function formatEth(wei, decimals = 6) {
    const v = toBigInt(wei);
    if (v === null) return wei === null || wei === undefined || wei === '' ? '—' : String(wei);
    const neg = v < 0n;
    const abs = neg ? -v : v;
    const step = 10n ** BigInt(18 - decimals); // wei per last shown digit
    const scaled = (abs + step / 2n) / step; // amount in units of 10^-decimals ETH, rounded
    if (scaled === 0n && abs > 0n) return `${neg ? '>-' : '<'}0.${'0'.repeat(decimals - 1)}1 ETH`;
    const unit = 10n ** BigInt(decimals);
    const whole = scaled / unit;
    const frac = (scaled % unit).toString().padStart(decimals, '0').replace(/0+$/, '');
    return `${neg ? '-' : ''}${whole}${frac ? '.' + frac : ''} ETH`;
  }

  /**
   * A wei amount as a JS number in the unit 10^unitDecimals wei (18 = ETH, 9 = gwei), for charts only.
   * The division happens in BigInt first, so only the plotted value is rounded.
   */
  function weiToNumber(wei, unitDecimals) {
    const v = toBigInt(wei);
    if (v === null) return null;
    const keep = 6; // significant fractional digits kept before converting
    const shift = unitDecimals - keep;
    const scaled = shift >= 0 ? v / 10n ** BigInt(shift) : v * 10n ** BigInt(-shift);
    return Number(scaled) / 10 ** keep;
  }

  /** Mean of a wei sum over n items, as a BigInt (floor); null when n is 0 or the sum is missing. */
  function meanWei(sum, n) {
    const v = toBigInt(sum);
    const count = Number(n);
    if (v === null || !Number.isInteger(count) || count <= 0) return null;
    return v / BigInt(count);
  }

  // ---------- Formatting ----------

  /** "0x1234…abcd" for an address or hash; the full value belongs in a title attribute. */
  function shortHex(h, head = 6, tail = 4) {
    if (typeof h !== 'string') return '—';
    return h.length > head + tail + 3 ? `${h.slice(0, head)}…${h.slice(-tail)}` : h;
  }

  const timeFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const dateTimeFmt = new Intl.DateTimeFormat(undefined, {
    year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit',
  });

  function fmtTime(date) {
    return timeFmt.format(date);
  }

  /** Local date and time of a unix-seconds timestamp; '—' when null. */
  function fmtUnix(unix) {
    return unix === null || unix === undefined ? '—' : dateTimeFmt.format(new Date(unix * 1000));
  }

  /** "12 s", "5 min", "3 h", "2 d": a duration in seconds, coarsely. */
  function fmtDuration(seconds) {
    const s = Math.max(0, Math.round(seconds));
    if (s < 60) return `${s} s`;
    if (s < 3600) return `${Math.floor(s / 60)} min`;
    if (s < 86400) return `${Math.floor(s / 3600)} h`;
    return `${Math.floor(s / 86400)} d`;
  }

  /** Text of a nullable number: the number itself, or '—'. */
  function numText(n) {
    return n === null || n === undefined ? '—' : String(n);
  }

  function pct(x, digits = 1) {
    return x === null || x === undefined || !Number.isFinite(Number(x)) ? '—' : `${(Number(x) * 100).toFixed(digits)} %`;
  }

  // ---------- DOM ----------

  /**
   * Creates an element. props: className, text, title, href, dataset {..}, attrs {..}; children: nodes or strings.
   * Text always goes in as text (never HTML): everything shown comes from the chain.
   */
  function el(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    if (props.className) node.className = props.className;
    if (props.text !== undefined) node.textContent = props.text;
    if (props.title) node.title = props.title;
    if (props.href) node.setAttribute('href', props.href);
    if (props.testid) node.dataset.testid = props.testid;
    for (const [k, v] of Object.entries(props.dataset || {})) node.dataset[k] = v;
    for (const [k, v] of Object.entries(props.attrs || {})) node.setAttribute(k, v);
    for (const c of children) if (c !== null && c !== undefined) node.append(c);
    return node;
  }

  /** The element with this data-testid inside root (document by default). */
  function byTestId(id, root = document) {
    return root.querySelector(`[data-testid="${id}"]`);
  }

  /**
   * Sets an element's text when it differs, and flashes it when a shown value changed (not on the first fill).
   * Pass flash=false for texts that change by themselves (ages, clocks).
   */
  function setText(node, text, flash = true) {
    if (!node) return;
    const s = String(text);
    node.classList.toggle('nil', s === '—');
    if (node.textContent === s) return;
    const first = node.dataset.filled !== '1';
    node.textContent = s;
    node.dataset.filled = '1';
    if (flash && !first) {
      node.classList.remove('changed');
      void node.offsetWidth; // restart the animation
      node.classList.add('changed');
    }
  }

  /** An amount in wei: raw decimal string in data-value, "x ETH" as text, wei in the tooltip. */
  function setAmount(node, wei) {
    if (!node) return;
    const raw = wei === null || wei === undefined ? '' : String(wei);
    if (node.dataset.value !== raw) node.dataset.value = raw;
    node.title = raw ? `${raw} wei` : '';
    setText(node, formatEth(wei));
  }

  /**
   * Keyed reconciliation of a container's children with a list: reuses the element of each key (so it keeps its
   * identity), creates missing ones, puts them in list order and removes the rest (including unkeyed placeholders).
   */
  function reconcile(parent, items, keyOf, create, update) {
    const old = new Map();
    for (const child of Array.from(parent.children)) {
      if (child.dataset.key !== undefined) old.set(child.dataset.key, child);
      else child.remove();
    }
    items.forEach((item, i) => {
      const key = String(keyOf(item));
      let node = old.get(key);
      if (node) {
        old.delete(key);
      } else {
        node = create(item);
        node.dataset.key = key;
      }
      update(node, item, i);
      const at = parent.children[i];
      if (at !== node) parent.insertBefore(node, at || null);
    });
    old.forEach((node) => node.remove());
  }

  // ---------- Status line ----------

  /** Shows a line in #status: kind 'error' (red) or 'info'; null hides it. */
  function showStatus(message, kind = 'error') {
    const node = document.getElementById('status');
    if (!node) return;
    if (!message) {
      node.hidden = true;
      node.textContent = '';
      return;
    }
    node.className = kind;
    node.textContent = message;
    node.hidden = false;
  }

  // ---------- Theme ----------

  /** The current value of a CSS custom property on :root. */
  function cssVar(name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  }

  /** Calls cb after the system's light/dark preference changed (once the new styles apply). */
  function onSchemeChange(cb) {
    const mq = window.matchMedia('(prefers-color-scheme: dark)');
    const handler = () => requestAnimationFrame(() => cb(mq.matches));
    if (mq.addEventListener) mq.addEventListener('change', handler);
    else if (mq.addListener) mq.addListener(handler); // older Safari
  }

  /** A name usable in a CSS custom property (status and mode names are; anything else is not). */
  function cssSafe(name) {
    return /^[A-Za-z0-9_-]+$/.test(name) ? name : null;
  }

  const STATUSES = ['Open', 'Matched', 'Assigned', 'Secondary', 'Fulfilled', 'Cancelled', 'Expired'];
  const MODES = ['SealedBid', 'Dutch', 'StandingAsk', 'OpenRace'];

  return {
    params, refreshMs, startPolling, ApiError, getJson,
    WEI_PER_ETH, toBigInt, formatEth, weiToNumber, meanWei,
    shortHex, fmtTime, fmtUnix, fmtDuration, numText, pct,
    el, byTestId, setText, setAmount, reconcile, showStatus,
    cssVar, onSchemeChange, cssSafe, STATUSES, MODES,
  };
})();

window.PM = PM;

// =====================================================================================================================
// Dashboard (index.html)
// =====================================================================================================================

function dashboard() {
  const { el, byTestId: tid, setText, setAmount } = PM;
  const refresh = PM.refreshMs();
  const hasChart = typeof window.Chart === 'function'; // the numbers still work when the chart library is missing

  const WINDOWS = ['all', '30d', '7d', '24h', '1h'];
  const state = {
    mode: ['All', ...PM.MODES].includes(PM.params.get('mode')) ? PM.params.get('mode') : 'All',
    window: WINDOWS.includes(PM.params.get('window')) ? PM.params.get('window') : 'all',
    decentralization: null, // last /v1/decentralization answer, re-rendered when the mode changes
    lastOk: null, // Date of the last poll in which every endpoint answered
  };

  // ---------- Theme for charts ----------

  let T = readTheme();

  function readTheme() {
    const v = PM.cssVar;
    return {
      text: v('--chart-text'),
      grid: v('--chart-grid'),
      panel: v('--panel'),
      marker: v('--chart-marker'),
      fee: v('--chart-fee'),
      reserve: v('--chart-reserve'),
      max: v('--chart-max'),
      bar: v('--chart-bar'),
      other: v('--palette-other'),
      palette: [1, 2, 3, 4, 5, 6, 7, 8].map((i) => v(`--palette-${i}`)),
      font: v('--sans') || 'system-ui, sans-serif',
    };
  }

  /** Colour of a status or mode (kind 'status' | 'mode') from the CSS variables. */
  function keyColour(kind, key) {
    const safe = PM.cssSafe(key);
    return (safe && PM.cssVar(`--${kind}-${safe}`)) || T.other;
  }

  /** A translucent version of a hex colour (for the area under a line). */
  function alpha(hex, a) {
    const m = /^#([0-9a-f]{6})$/i.exec(hex);
    if (!m) return hex;
    const n = parseInt(m[1], 16);
    return `rgba(${n >> 16}, ${(n >> 8) & 255}, ${n & 255}, ${a})`;
  }

  // ---------- Charts ----------

  if (hasChart) {
    Chart.defaults.font.family = T.font;
    Chart.defaults.font.size = 12;
    Chart.defaults.color = T.text;
    Chart.defaults.borderColor = T.grid;
    // Short transitions between polls; none for people who ask for reduced motion.
    Chart.defaults.animation.duration = matchMedia('(prefers-reduced-motion: reduce)').matches ? 0 : 300;
    Chart.defaults.maintainAspectRatio = false;
    Chart.defaults.plugins.tooltip.padding = 8;
  }

  /**
   * Draws dashed vertical lines with labels (p50/p90/p99) over the latency histogram. Options (set on every
   * update): marks [{label, value}], bins [{lo, hi}] (the bars' second ranges), color.
   */
  const percentileMarkers = {
    id: 'percentileMarkers',
    afterDatasetsDraw(chart, _args, opts) {
      const bins = opts.bins || [];
      const marks = (opts.marks || []).filter((m) => m.value !== null && m.value !== undefined);
      if (!bins.length || !marks.length) return;
      const x = chart.scales.x;
      const area = chart.chartArea;
      const step = bins.length > 1 ? x.getPixelForValue(1) - x.getPixelForValue(0) : area.right - area.left;
      const ctx = chart.ctx;
      ctx.save();
      ctx.strokeStyle = opts.color;
      ctx.fillStyle = opts.color;
      ctx.lineWidth = 1.25;
      ctx.setLineDash([4, 3]);
      ctx.font = `600 11px ${T.font}`;
      ctx.textAlign = 'center';
      let lastX = -Infinity;
      let row = 0;
      for (const { label, value } of marks) {
        let i = bins.findIndex((b) => value <= b.hi);
        if (i < 0) i = bins.length - 1;
        const b = bins[i];
        const within = (Math.min(Math.max(value, b.lo), b.hi) - b.lo + 0.5) / (b.hi - b.lo + 1); // 0..1 in the bar
        const px = x.getPixelForValue(i) + (within - 0.5) * step;
        row = px - lastX < 26 ? row + 1 : 0; // stack labels of close markers
        lastX = px;
        const ty = area.top + 10 + row * 12;
        ctx.beginPath();
        ctx.moveTo(px, ty + 4);
        ctx.lineTo(px, area.bottom);
        ctx.stroke();
        ctx.fillText(label, px, ty);
      }
      ctx.restore();
    },
  };

  function doughnut(canvasId) {
    return new Chart(document.getElementById(canvasId), {
      type: 'doughnut',
      data: { labels: [], datasets: [{ data: [], backgroundColor: [], borderColor: T.panel, borderWidth: 2 }] },
      options: {
        cutout: '62%',
        plugins: {
          legend: { display: false }, // the numbers are listed next to the chart instead
          tooltip: {
            callbacks: {
              label(ctx) {
                const total = ctx.dataset.data.reduce((a, b) => a + b, 0);
                return ` ${ctx.parsed} (${total ? ((ctx.parsed / total) * 100).toFixed(1) : 0} %)`;
              },
            },
          },
        },
      },
    });
  }

  let feeUnit = { decimals: 18, name: 'ETH' }; // unit of the fee chart's y axis, chosen per update

  function createCharts() {
    if (!hasChart) return {};
    const latency = new Chart(document.getElementById('chart-latency'), {
      type: 'bar',
      data: { labels: [], datasets: [{ label: 'Requests', data: [], backgroundColor: T.bar, borderRadius: 3, barPercentage: 0.92, categoryPercentage: 1 }] },
      options: {
        scales: {
          x: { title: { display: true, text: 'seconds' }, grid: { display: false }, ticks: { maxRotation: 0, autoSkipPadding: 8 } },
          y: { beginAtZero: true, grace: '12%', ticks: { precision: 0 }, title: { display: true, text: 'requests' } },
        },
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { title: (items) => `${items[0].label} s` } },
          percentileMarkers: { marks: [], bins: [], color: T.marker },
        },
      },
      plugins: [percentileMarkers],
    });

    const line = (label, colour, dash) => ({
      label, data: [], rawWei: [], borderColor: colour, backgroundColor: colour,
      borderWidth: 2, borderDash: dash, pointRadius: 2, pointHoverRadius: 4, tension: 0.25, spanGaps: true,
    });
    const fees = new Chart(document.getElementById('chart-fees'), {
      type: 'line',
      data: {
        labels: [],
        datasets: [
          line('Fee per fulfilled request', T.fee, []),
          line('Reserve per request', T.reserve, [6, 4]),
          line('Max fee per request', T.max, [2, 3]),
        ],
      },
      options: {
        interaction: { mode: 'index', intersect: false },
        scales: {
          x: { grid: { display: false }, ticks: { maxRotation: 0, autoSkipPadding: 12 } },
          y: {
            beginAtZero: true,
            title: { display: true, text: 'ETH (mean)' },
            ticks: { callback: (v) => `${Number(v).toLocaleString(undefined, { maximumFractionDigits: 6 })}` },
          },
        },
        plugins: {
          legend: { position: 'top', align: 'end', labels: { usePointStyle: true, pointStyle: 'line', boxWidth: 24 } },
          tooltip: {
            callbacks: {
              // Exact values from the BigInt means, not the plotted doubles.
              label: (ctx) => ` ${ctx.dataset.label}: ${PM.formatEth(ctx.dataset.rawWei[ctx.dataIndex])}`,
            },
          },
        },
      },
    });

    return {
      status: doughnut('chart-status'),
      mode: doughnut('chart-mode'),
      latency,
      fees,
      provers: doughnut('chart-provers'),
    };
  }

  const charts = createCharts();

  /** Shows or hides a chart's "no data" overlay. */
  function setEmpty(canvasId, empty) {
    const overlay = document.getElementById(canvasId).parentElement.querySelector('.empty');
    if (overlay) overlay.hidden = !empty;
  }

  /** Applies the current theme's colours to every chart (after a light/dark switch) and redraws them. */
  function applyChartTheme() {
    if (!hasChart) return;
    Chart.defaults.color = T.text;
    Chart.defaults.borderColor = T.grid;
    for (const chart of Object.values(charts)) {
      for (const scale of Object.values(chart.options.scales || {})) {
        if (!scale || !scale.ticks) continue;
        scale.ticks.color = T.text;
        if (scale.title) scale.title.color = T.text;
        if (scale.grid) scale.grid.color = T.grid;
        if (scale.border) scale.border.color = T.grid;
      }
      if (chart.options.plugins.legend && chart.options.plugins.legend.labels) chart.options.plugins.legend.labels.color = T.text;
    }
    colourStatusMode();
    charts.latency.data.datasets[0].backgroundColor = T.bar;
    charts.latency.options.plugins.percentileMarkers.color = T.marker;
    const [fee, reserve, max] = charts.fees.data.datasets;
    fee.borderColor = fee.backgroundColor = T.fee;
    reserve.borderColor = reserve.backgroundColor = T.reserve;
    max.borderColor = max.backgroundColor = T.max;
    colourProvers();
    for (const chart of Object.values(charts)) chart.update();
  }

  function colourStatusMode() {
    for (const [chart, kind] of [[charts.status, 'status'], [charts.mode, 'mode']]) {
      const ds = chart.data.datasets[0];
      ds.backgroundColor = chart.data.labels.map((k) => keyColour(kind, k));
      ds.borderColor = T.panel;
    }
  }

  function colourProvers() {
    const ds = charts.provers.data.datasets[0];
    ds.backgroundColor = charts.provers.data.labels.map((l, i) => (l === 'Others' ? T.other : T.palette[i % 8]));
    ds.borderColor = T.panel;
  }

  PM.onSchemeChange(() => {
    T = readTheme();
    applyChartTheme();
  });

  // ---------- Health ----------

  function renderHealth(h) {
    setText(tid('indexed-block'), PM.numText(h.indexedBlock));
    setText(tid('head-block'), PM.numText(h.headBlock));
    setText(tid('lag-blocks'), PM.numText(h.lagBlocks));
    setText(tid('lag-seconds'), PM.numText(h.lagSeconds));
    const badge = tid('health-status');
    setText(badge, h.status || '—', false);
    badge.className = `badge health-${PM.cssSafe(String(h.status)) || 'starting'}`;
  }

  // ---------- Summary: totals, breakdowns, latency, fees ----------

  /** Keys of a count map: known ones in their usual order, then any others alphabetically. */
  function orderedKeys(counts, known) {
    const keys = Object.keys(counts || {});
    return [...known.filter((k) => keys.includes(k)), ...keys.filter((k) => !known.includes(k)).sort()];
  }

  /** A legend list with a swatch, the name and the count (data-testid count-<kind>-<Key>) of each key. */
  function renderBreakdown(listId, chart, canvasId, kind, counts, known) {
    const keys = orderedKeys(counts, known);
    const values = keys.map((k) => Number(counts[k]) || 0);
    const total = values.reduce((a, b) => a + b, 0);
    const list = document.getElementById(listId);
    PM.reconcile(
      list,
      keys,
      (k) => k,
      (k) => el('li', {},
        el('span', { className: 'swatch' }),
        el('span', { className: 'name', text: k }),
        el('span', { className: 'count', testid: `count-${kind}-${k}` }),
        el('span', { className: 'pct' })),
      (li, k, i) => {
        const safe = PM.cssSafe(k);
        li.style.setProperty('--swatch', safe ? `var(--${kind}-${safe}, var(--palette-other))` : 'var(--palette-other)');
        setText(li.querySelector('.count'), String(counts[k]));
        setText(li.querySelector('.pct'), total ? `${((values[i] / total) * 100).toFixed(0)} %` : '', false);
      });

    if (chart) {
      chart.data.labels = keys;
      chart.data.datasets[0].data = values;
      colourStatusMode();
      chart.update();
    }
    setEmpty(canvasId, total === 0);
  }

  function gcd(a, b) {
    while (b) [a, b] = [b, a % b];
    return a;
  }

  /**
   * The step latencies come in. A latency is a block's time minus the clock's start (a block's time, or a deadline the
   * request set), so on a chain with a steady block time (12 s on mainnet, 1 or 2 s on a local node) the latencies of
   * each kind of start are whole blocks apart: a few residues modulo the block time hold them all. The step is the
   * multiple b of the common divisor g with the most seconds per residue needed for 99 % of the requests (ties: the
   * smaller b): 12 for latencies that are all whole blocks, still 12 when a sealed bid's clock starts at its reveal
   * deadline 20 s after submission, 1 for latencies that take any value.
   */
  function latencyStep(pts, g, limit) {
    const total = pts.reduce((a, p) => a + p.n, 0);
    let best = g;
    let bestDensity = g;
    for (let b = 2 * g; b <= limit; b += g) {
      const weights = new Map();
      for (const p of pts) weights.set(p.x % b, (weights.get(p.x % b) || 0) + p.n);
      const sorted = [...weights.values()].sort((x, y) => y - x);
      let held = 0;
      let residues = 0;
      while (held * 100 < total * 99 && residues < sorted.length) held += sorted[residues++];
      if (b / Math.max(1, residues) > bestDensity) {
        best = b;
        bestDensity = b / Math.max(1, residues);
      }
    }
    return best;
  }

  /**
   * Bars of the latency histogram, each a whole number of steps wide (see latencyStep), so that bars do not alternate
   * between holding one possible value and none (5-second bars over 12-second blocks would draw a comb). Up to 40
   * steps from the lowest to the highest latency: one bar per step (empty ones included, so the axis is linear).
   * Wider ranges: about 30 bars of a round width.
   */
  function binLatency(histogram) {
    const pts = (histogram || [])
      .map((p) => ({ x: Number(p.latency), n: Number(p.count) || 0 }))
      .filter((p) => Number.isInteger(p.x) && p.x >= 0)
      .sort((a, b) => a.x - b.x);
    if (!pts.length) return [];
    const min = pts[0].x;
    const max = pts[pts.length - 1].x;
    let g = 0;
    for (const p of pts) g = gcd(g, p.x - min);
    g = Math.max(1, g);
    const step = latencyStep(pts, g, Math.min(600, Math.max(g, Math.floor((max - min) / 4))));
    if ((max - min) / step + 1 <= 40) {
      // One bar per step from the lowest latency; a bar holds one possible value when every latency is in one residue.
      const single = step === g;
      const count = Math.floor((max - min) / step) + 1;
      const bins = Array.from({ length: count }, (_, i) => ({ lo: min + i * step, hi: min + i * step + (single ? 0 : step - 1), n: 0 }));
      for (const p of pts) bins[Math.floor((p.x - min) / step)].n += p.n;
      return bins;
    }
    const rough = (max - min + step) / 30;
    const round = [2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 43200, 86400]
      .find((w) => w >= rough && w % step === 0);
    const width = round !== undefined && round <= 3 * rough ? round : Math.ceil(rough / step) * step;
    const start = Math.floor(min / width) * width;
    const count = Math.floor((max - start) / width) + 1;
    const bins = Array.from({ length: count }, (_, i) => ({ lo: start + i * width, hi: start + (i + 1) * width - 1, n: 0 }));
    for (const p of pts) bins[Math.floor((p.x - start) / width)].n += p.n;
    return bins;
  }

  function renderLatency(t) {
    setText(tid('latency-p50'), PM.numText(t.latencyP50));
    setText(tid('latency-p90'), PM.numText(t.latencyP90));
    setText(tid('latency-p99'), PM.numText(t.latencyP99));
    const bins = binLatency(t.latencyHistogram);
    setEmpty('chart-latency', bins.every((b) => b.n === 0));
    const chart = charts.latency;
    if (!chart) return;
    chart.data.labels = bins.map((b) => (b.lo === b.hi ? String(b.lo) : `${b.lo}–${b.hi}`));
    chart.data.datasets[0].data = bins.map((b) => b.n);
    chart.options.plugins.percentileMarkers.bins = bins;
    chart.options.plugins.percentileMarkers.marks = [
      { label: 'p50', value: t.latencyP50 },
      { label: 'p90', value: t.latencyP90 },
      { label: 'p99', value: t.latencyP99 },
    ];
    chart.update();
  }

  const hourFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
  const dayHourFmt = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  const dayFmt = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });

  /**
   * The fee chart: per bucket, feesPaid/fulfilled (the mean fee of a fulfilled request: only those pay one), against
   * reserveFees/requests and maxFees/requests (every request sets both). Missing buckets between the first and the
   * last are filled with gaps so the time axis stays linear.
   */
  function renderFees(summary) {
    const step = summary.interval === 'day' ? 86400 : 3600;
    const given = (summary.buckets || []).slice().sort((a, b) => a.start - b.start);
    let buckets = given;
    if (given.length > 1) {
      const first = given[0].start;
      const last = given[given.length - 1].start;
      const span = (last - first) / step;
      if (Number.isInteger(span) && span < 5000) {
        const at = new Map(given.map((b) => [b.start, b]));
        buckets = Array.from({ length: span + 1 }, (_, i) => at.get(first + i * step) || { start: first + i * step, requests: 0 });
      }
    }

    const means = buckets.map((b) => ({
      fee: PM.meanWei(b.feesPaid, b.fulfilled),
      reserve: PM.meanWei(b.reserveFees, b.requests),
      max: PM.meanWei(b.maxFees, b.requests),
    }));
    setEmpty('chart-fees', means.every((m) => m.max === null && m.fee === null));
    const chart = charts.fees;
    if (!chart) return;

    // Unit of the axis: ETH unless the largest mean is below 0.001 ETH, then gwei.
    let top = 0n;
    for (const m of means) for (const v of [m.fee, m.reserve, m.max]) if (v !== null && v > top) top = v;
    feeUnit = top >= 10n ** 15n || top === 0n ? { decimals: 18, name: 'ETH' } : { decimals: 9, name: 'gwei' };

    const spansDays = buckets.length > 1
      && new Date(buckets[0].start * 1000).toDateString() !== new Date(buckets[buckets.length - 1].start * 1000).toDateString();
    const fmt = step === 86400 ? dayFmt : spansDays ? dayHourFmt : hourFmt;
    chart.data.labels = buckets.map((b) => fmt.format(new Date(b.start * 1000)));
    const [fee, reserve, max] = chart.data.datasets;
    for (const [ds, key] of [[fee, 'fee'], [reserve, 'reserve'], [max, 'max']]) {
      ds.rawWei = means.map((m) => (m[key] === null ? null : m[key].toString()));
      ds.data = means.map((m) => (m[key] === null ? null : PM.weiToNumber(m[key], feeUnit.decimals)));
      ds.pointRadius = buckets.length > 48 ? 0 : 2;
    }
    chart.options.scales.y.title.text = `${feeUnit.name} (mean)`;
    chart.update();
  }

  function renderSummary(s) {
    const t = s.totals || {};
    setText(tid('count-total'), PM.numText(t.requests));
    setText(tid('count-fulfilled'), PM.numText(t.fulfilled));
    setText(tid('unique-provers'), PM.numText(t.uniqueProvers));
    setText(tid('unique-requesters'), PM.numText(t.uniqueRequesters));
    setText(tid('gas-per-request'), PM.numText(t.gasPerRequest));
    setAmount(tid('total-fees-paid'), t.feesPaid);
    setAmount(tid('total-max-fees'), t.maxFees);
    setAmount(tid('total-reserve-fees'), t.reserveFees);
    setAmount(tid('total-protocol-fees'), t.protocolFees);
    renderBreakdown('legend-status', charts.status, 'chart-status', 'status', t.byStatus, PM.STATUSES);
    renderBreakdown('legend-mode', charts.mode, 'chart-mode', 'mode', t.byMode, PM.MODES);
    renderLatency(t);
    renderFees(s);
  }

  // ---------- Decentralization ----------

  const TOP_PROVERS = 8; // slices in the doughnut; the rest are summed as "Others"

  function renderDecentralization(d) {
    state.decentralization = d;
    renderProverMode();
  }

  function renderProverMode() {
    const d = state.decentralization;
    if (!d) return;
    const m = (d.modes || []).find((x) => x.mode === state.mode) || null;
    const round = (x) => (x === null || x === undefined ? '—' : String(Math.round(x)));
    const gini = (x) => (x === null || x === undefined ? '—' : Number(x).toFixed(3));
    setText(tid('hhi'), round(m && m.hhi));
    setText(tid('hhi-fees'), round(m && m.hhiFees));
    setText(tid('nakamoto'), PM.numText(m && m.nakamoto));
    setText(tid('nakamoto-fees'), PM.numText(m && m.nakamotoFees));
    setText(tid('gini'), gini(m && m.gini));
    setText(tid('gini-fees'), gini(m && m.giniFees));
    setText(tid('prover-fulfilments'), PM.numText(m ? m.fulfilments : 0));
    setAmount(tid('prover-fees'), m ? m.fees : '0');

    const provers = ((m && m.provers) || []).slice().sort((a, b) => b.fulfilments - a.fulfilments);
    const tbody = document.getElementById('prover-rows');
    PM.reconcile(
      tbody,
      provers,
      (p) => p.address,
      (p) => el('tr', { testid: 'prover-row', dataset: { address: p.address } },
        el('td', { className: 'mono', title: p.address }, el('span', { className: 'legend-dot' }), PM.shortHex(p.address)),
        el('td', { className: 'r', testid: 'prover-row-fulfilments' }),
        el('td', { className: 'r', testid: 'prover-row-share' }),
        el('td', { className: 'r', testid: 'prover-row-fees' }),
        el('td', { className: 'r', testid: 'prover-row-fee-share' })),
      (tr, p, i) => {
        tr.querySelector('.legend-dot').style.background = i < TOP_PROVERS ? `var(--palette-${i + 1})` : 'var(--palette-other)';
        setText(tid('prover-row-fulfilments', tr), PM.numText(p.fulfilments));
        setText(tid('prover-row-share', tr), PM.pct(p.fulfilmentShare));
        setAmount(tid('prover-row-fees', tr), p.fees);
        setText(tid('prover-row-fee-share', tr), PM.pct(p.feeShare));
      });
    if (!provers.length) {
      tbody.append(el('tr', {}, el('td', { className: 'empty-row', attrs: { colspan: '5' }, text: 'No fulfilments in this selection' })));
    }

    const top = provers.slice(0, TOP_PROVERS);
    const rest = provers.slice(TOP_PROVERS).reduce((a, p) => a + (Number(p.fulfilments) || 0), 0);
    setEmpty('chart-provers', provers.every((p) => !p.fulfilments));
    const chart = charts.provers;
    if (!chart) return;
    chart.data.labels = [...top.map((p) => PM.shortHex(p.address)), ...(rest ? ['Others'] : [])];
    chart.data.datasets[0].data = [...top.map((p) => Number(p.fulfilments) || 0), ...(rest ? [rest] : [])];
    colourProvers();
    chart.update();
  }

  /** Keeps the selection in the address bar (without reloading), so a reload or a shared link keeps it. */
  function rememberSelection() {
    const url = new URL(location.href);
    if (state.mode === 'All') url.searchParams.delete('mode');
    else url.searchParams.set('mode', state.mode);
    if (state.window === 'all') url.searchParams.delete('window');
    else url.searchParams.set('window', state.window);
    history.replaceState(null, '', url);
  }

  const modeSelect = document.getElementById('prover-mode');
  const windowSelect = document.getElementById('prover-window');
  modeSelect.value = state.mode;
  windowSelect.value = state.window;
  modeSelect.addEventListener('change', () => {
    state.mode = modeSelect.value;
    rememberSelection();
    renderProverMode();
  });

  // ---------- Recent requests ----------

  function renderRecent(page) {
    const items = page.items || [];
    const now = Date.now() / 1000;
    const tbody = document.getElementById('recent-rows');
    PM.reconcile(
      tbody,
      items,
      (r) => r.requestId,
      (r) => {
        const href = `/request.html?id=${encodeURIComponent(r.requestId)}`;
        return el('tr', { className: 'clickable', testid: 'recent-row', dataset: { requestId: r.requestId } },
          el('td', {}, el('a', { className: 'mono', testid: 'recent-link', href, title: r.requestId, text: PM.shortHex(r.requestId, 10, 6) })),
          el('td', { testid: 'recent-mode' }),
          el('td', {}, el('span', { className: 'badge', testid: 'recent-status' })),
          el('td', { className: 'mono', testid: 'recent-prover' }),
          el('td', { className: 'r', testid: 'recent-fee' }),
          el('td', { className: 'r' }, el('span', { testid: 'recent-latency' }), el('span', { className: 'unit', text: 's' })),
          el('td', { className: 'r muted', testid: 'recent-submitted' }));
      },
      (tr, r) => {
        setText(tid('recent-mode', tr), r.mode);
        const badge = tid('recent-status', tr);
        setText(badge, r.status);
        badge.className = `badge st-${PM.cssSafe(r.status) || 'x'}`;
        const prover = tid('recent-prover', tr);
        setText(prover, r.prover ? PM.shortHex(r.prover) : '—');
        prover.title = r.prover || '';
        setAmount(tid('recent-fee', tr), r.payment ?? r.fee); // paid when fulfilled, else the agreed fee; null ('—') before either
        const latency = tid('recent-latency', tr);
        setText(latency, PM.numText(r.deliveredLatency));
        latency.title = r.promisedLatency !== null && r.promisedLatency !== undefined ? `promised ${r.promisedLatency} s` : '';
        const submitted = tid('recent-submitted', tr);
        submitted.dataset.value = String(r.submittedAt);
        submitted.title = `${PM.fmtUnix(r.submittedAt)} · block ${r.submittedBlock}`;
        setText(submitted, `${PM.fmtDuration(now - r.submittedAt)} ago`, false);
      });
    if (!items.length) {
      tbody.append(el('tr', {}, el('td', { className: 'empty-row', attrs: { colspan: '7' }, text: 'No requests indexed yet' })));
    }
  }

  // A click anywhere on a row opens the request (the link itself stays a normal link).
  document.getElementById('recent-rows').addEventListener('click', (e) => {
    if (e.target.closest('a')) return;
    const link = e.target.closest('tr') && e.target.closest('tr').querySelector('a[data-testid="recent-link"]');
    if (link) location.href = link.href;
  });

  // ---------- Polling ----------

  setText(document.getElementById('refresh-interval'), refresh ? `${refresh / 1000} s` : 'never (refresh=0)', false);

  async function pollOnce() {
    const jobs = [
      ['/health', renderHealth],
      ['/v1/market/summary?interval=hour', renderSummary],
      ['/v1/requests?limit=20', renderRecent],
      [`/v1/decentralization?window=${encodeURIComponent(state.window)}`, renderDecentralization],
    ];
    const timeout = Math.max(5000, refresh * 2);
    const results = await Promise.allSettled(jobs.map(([path]) => PM.getJson(path, timeout)));
    const failures = [];
    results.forEach((r, i) => {
      const [path, render] = jobs[i];
      if (r.status === 'rejected') {
        failures.push(`GET ${path}: ${r.reason && r.reason.message}`);
        return;
      }
      try {
        render(r.value);
      } catch (e) {
        console.error(`rendering ${path}`, e);
        failures.push(`GET ${path}: unexpected answer (${e.message})`);
      }
    });

    if (!failures.length) {
      state.lastOk = new Date();
      const stamp = tid('last-update');
      stamp.dataset.value = String(Math.floor(state.lastOk.getTime() / 1000));
      setText(stamp, PM.fmtTime(state.lastOk), false);
      PM.showStatus(null);
      return;
    }
    if (failures.length === jobs.length) {
      const badge = tid('health-status');
      setText(badge, 'unreachable', false);
      badge.className = 'badge health-down';
    }
    const shown = state.lastOk ? `showing data from ${PM.fmtTime(state.lastOk)}` : 'no data yet';
    const retry = refresh ? `; retrying every ${refresh / 1000} s` : '';
    // All down: one reason is enough (they are the same); partly down: say which endpoints failed.
    const what = failures.length === jobs.length
      ? `Cannot reach the API (${failures[0]})`
      : `Part of the API failed (${failures.join('; ')})`;
    PM.showStatus(`${what} — ${shown}${retry}.`);
  }

  const poller = PM.startPolling(pollOnce, refresh);

  windowSelect.addEventListener('change', () => {
    state.window = windowSelect.value;
    rememberSelection();
    poller.now();
  });
}

if (document.body && document.body.dataset.page === 'dashboard') dashboard();
