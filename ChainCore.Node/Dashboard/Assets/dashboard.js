// The node's dashboard: reads the node's JSON API and follows its changes through Server-Sent
// Events (/dashboard/events); no polling, no outside resource. Every piece of data reaches the page
// as text nodes (never as HTML), since ids, addresses and peer names come from strangers.
'use strict';

(() => {
  const PAGE = 20;
  const state = { view: null, generation: 0, tipHeight: null, mempool: [], refreshTimer: 0 };

  // --- DOM helpers -------------------------------------------------------------------------
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') e.className = v; else e.setAttribute(k, String(v));
    }
    for (const c of children.flat(Infinity)) {
      if (c === null || c === undefined || c === false) continue;
      e.append(c instanceof Node ? c : String(c));
    }
    return e;
  }
  const svg = (tag, attrs) => {
    const e = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
    return e;
  };
  const link = (href, text, cls) => el('a', { href, class: cls }, text);
  const short = (id) => (id && id.length > 20 ? id.slice(0, 10) + '…' + id.slice(-8) : id);
  const hashLink = (route, id, full) => el('a', { href: '#/' + route + '/' + encodeURIComponent(id), class: 'mono', title: id }, full ? id : short(id));
  const blockLink = (hash, full) => hashLink('block', hash, full);
  const txLink = (txid, full) => hashLink('tx', txid, full);
  const addressLink = (address) => (address ? el('a', { href: '#/address/' + encodeURIComponent(address), class: 'mono' }, address) : el('span', { class: 'muted' }, '—'));
  const heightLink = (height) => link('#/height/' + height, String(height));

  function table(headers, rows) {
    return el('div', { class: 'scroll' }, el('table', {},
      el('thead', {}, el('tr', {}, headers.map((h) => el('th', { class: h.startsWith('#') ? 'num' : null }, h.replace(/^#/, ''))))),
      el('tbody', {}, rows.length ? rows.map((r) => el('tr', {}, r.map((c, i) => el('td', { class: headers[i].startsWith('#') ? 'num' : null }, c))))
        : el('tr', {}, el('td', { colspan: headers.length, class: 'muted' }, 'None')))));
  }
  const fields = (pairs) => el('dl', { class: 'fields' }, pairs.filter((p) => p).map(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
  const card = (label, value, sub, id) => el('div', { class: 'card' }, el('div', { class: 'label' }, label), el('div', { class: 'value', id }, value), sub ? el('div', { class: 'sub' }, sub) : null);

  // --- Formatting ---------------------------------------------------------------------------
  const utc = (unix) => new Date(unix * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  const when = (iso) => (iso ? utc(Date.parse(iso) / 1000) : '—');
  function scaled(value, units, step) {
    let i = 0;
    while (Math.abs(value) >= step && i < units.length - 1) { value /= step; i++; }
    return (i === 0 ? String(Math.round(value)) : value.toFixed(2)) + ' ' + units[i];
  }
  const hashRate = (h) => (h > 0 && h < 1 ? Number(h.toPrecision(3)) + ' H/s' : scaled(h, ['H/s', 'kH/s', 'MH/s', 'GH/s', 'TH/s', 'PH/s', 'EH/s'], 1000));
  const bytes = (b) => scaled(b, ['B', 'kB', 'MB', 'GB'], 1000);
  const coins = (c) => c + ' CHC';
  const difficulty = (d) => (d >= 1000 ? scaled(d, ['', 'k', 'M', 'G', 'T'], 1000) : Number(d.toPrecision(6)).toString());
  const seconds = (s) => (s === null || s === undefined ? '—' : s + ' s');

  // --- API ----------------------------------------------------------------------------------
  class ApiError extends Error {
    constructor(status, detail) { super(detail); this.status = status; }
  }
  async function api(path) {
    const response = await fetch(path, { headers: { accept: 'application/json' } });
    const body = await response.json().catch(() => null);
    if (!response.ok) throw new ApiError(response.status, (body && body.detail) || response.statusText);
    return body;
  }

  // --- Charts (inline SVG) ------------------------------------------------------------------
  function chart(title, values, format, kind) {
    const w = 300, h = 100;
    const graph = svg('svg', { viewBox: `0 0 ${w} ${h}`, preserveAspectRatio: 'none', role: 'img', 'aria-label': title });
    graph.append(svg('line', { class: 'axis', x1: 0, y1: h - 1, x2: w, y2: h - 1 }));
    const max = Math.max(...values, 0) || 1;
    const min = kind === 'bars' ? 0 : Math.min(...values, max);
    const span = max - min || max;
    const y = (v) => h - 2 - ((v - min) / span) * (h - 8);
    if (kind === 'bars') {
      const bw = w / Math.max(values.length, 1);
      values.forEach((v, i) => graph.append(svg('rect', { class: 'bar', x: i * bw + bw * 0.15, width: Math.max(bw * 0.7, 0.5), y: y(v), height: Math.max(h - 2 - y(v), 0.5) })));
    } else if (values.length) {
      const step = values.length > 1 ? w / (values.length - 1) : 0;
      const points = values.map((v, i) => `${(i * step).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
      graph.append(svg('polyline', { class: 'line', points: values.length > 1 ? points : `0,${y(values[0])} ${w},${y(values[0])}`, 'vector-effect': 'non-scaling-stroke' }));
    }
    const last = values.length ? format(values[values.length - 1]) : '—';
    return el('div', { class: 'panel chart' }, el('strong', {}, title), graph,
      el('div', { class: 'caption' }, el('span', {}, 'min ' + (values.length ? format(Math.min(...values)) : '—')),
        el('span', {}, 'last ' + last), el('span', {}, 'max ' + (values.length ? format(Math.max(...values)) : '—'))));
  }

  // --- Views --------------------------------------------------------------------------------
  // Each view renders into a fresh container; a view that a newer navigation replaced is dropped.
  const views = {
    async overview() {
      const [o, peers, mining] = await Promise.all([api('/dashboard/overview'), api('/peers'), api('/mining/stats')]);
      const start = Math.max(0, o.tip_height - 9);
      const latest = await api(`/blocks?start=${start}&limit=${o.tip_height - start + 1}`);
      noteMempool(o.mempool);
      state.tipHeight = o.tip_height;
      document.getElementById('node').textContent = `${o.node_id} · ${o.network}`;
      const recent = o.recent;
      return [
        el('h2', {}, 'Overview'),
        el('div', { class: 'cards' },
          card('Network', o.network, o.node_id),
          card('Height', String(o.tip_height), utc(o.tip_time), 'tip-height'),
          card('Tip', blockLink(o.tip_hash), 'bits ' + o.bits),
          card('Difficulty', difficulty(o.difficulty)),
          card('Hash rate', hashRate(o.hash_rate), `estimated over ${Math.min(o.hash_rate_blocks, o.tip_height)} blocks`),
          card('Mempool', `${o.mempool.count} tx`, `${bytes(o.mempool.bytes)} · min ${o.mempool.min_fee_per_kb} units/kB`, 'mempool-count'),
          card('Peers', String(o.active_peers))),
        el('div', { class: 'charts' },
          // The genesis block's time is fixed by the protocol: the wait after it says nothing of the miners.
          chart('Block intervals', recent.filter((b) => b.height > 1).map((b) => b.interval_seconds), seconds, 'bars'),
          chart('Difficulty', recent.map((b) => b.difficulty), difficulty, 'line'),
          chart('Mempool transactions', state.mempool.map((m) => m.count), (v) => String(v), 'line')),
        el('h2', {}, 'Latest blocks ', link('#/blocks', 'all', 'tag')),
        blocksTable(latest.blocks.slice().reverse(), 'latest-blocks'),
        el('h2', {}, 'Peers'),
        table(['Name', 'Address', 'Direction', '#Score', '#Tip', 'Last block from it'], peers.peers.map((p) => [
          p.node_id, el('span', { class: 'mono' }, p.url), p.direction, String(p.score), String(p.tip_height), when(p.last_block_at)])),
        el('h2', {}, 'Mining ', link('#/mining', 'details', 'tag')),
        minersTable(mining.miners),
      ];
    },

    async blocks(page) {
      const p = Math.max(0, parseInt(page || '0', 10) || 0);
      const status = await api('/dashboard/overview?blocks=1');
      const end = status.tip_height - p * PAGE;
      if (end < 0) return [el('h2', {}, 'Blocks'), el('p', { class: 'muted' }, 'No blocks on this page.'), pager(p, false)];
      const start = Math.max(0, end - PAGE + 1);
      const list = await api(`/blocks?start=${start}&limit=${end - start + 1}`);
      return [el('h2', {}, 'Blocks'), blocksTable(list.blocks.slice().reverse(), 'blocks'), pager(p, start > 0)];
    },

    async block(hash) { return blockView(await api('/blocks/hash/' + encodeURIComponent(hash))); },
    async height(h) { return blockView(await api('/blocks/' + encodeURIComponent(h))); },

    async tx(txid) {
      const t = await api('/transactions/' + encodeURIComponent(txid));
      const status = t.in_mempool ? 'in the mempool' : `${t.confirmations} confirmation${t.confirmations === 1 ? '' : 's'}`;
      return [
        el('h2', {}, 'Transaction'),
        fields([
          ['Id', el('span', { class: 'mono', id: 'txid' }, t.tx_id)],
          ['Status', status],
          t.block_hash ? ['Block', [blockLink(t.block_hash, true), ' at ', heightLink(t.block_height)]] : null,
          ['Size', bytes(t.size)],
          ['Version · lock time', `${t.version} · ${t.lock_time}`],
        ]),
        el('h2', {}, `Inputs (${t.inputs.length})`),
        table(['Spends', 'Address'], t.inputs.map((i) => i.coinbase
          ? [el('span', { class: 'muted' }, 'coinbase (new coins)'), '—']
          : [[txLink(i.previous_tx_id), ':' + i.previous_index], addressLink(i.address)])),
        el('h2', {}, `Outputs (${t.outputs.length})`),
        table(['#Index', 'Address', '#Value'], t.outputs.map((o) => [String(o.index), addressLink(o.address), coins(o.value)])),
      ];
    },

    async address(address) {
      const a = encodeURIComponent(address);
      const [b, utxos, history] = await Promise.all([api(`/addresses/${a}/balance`), api(`/addresses/${a}/utxos`), api(`/addresses/${a}/transactions`)]);
      return [
        el('h2', {}, 'Address'),
        fields([
          ['Address', el('span', { class: 'mono', id: 'address' }, b.address)],
          ['Confirmed', el('span', { id: 'balance-confirmed' }, coins(b.confirmed))],
          ['Immature', coins(b.immature)],
          ['Pending', `${coins(b.pending)} (in ${b.pending_incoming}, out ${b.pending_outgoing})`],
          ['Total', coins(b.total)],
        ]),
        el('h2', {}, `Coins (${utxos.utxos.length})`),
        table(['Output', '#Value', '#Height', 'State'], utxos.utxos.map((u) => [
          [txLink(u.tx_id), ':' + u.index], coins(u.value), u.height === undefined || u.height === null ? '—' : heightLink(u.height),
          !u.confirmed ? 'unconfirmed' : u.spendable ? (u.coinbase ? 'coinbase, mature' : 'spendable') : `immature until ${u.mature_at_height}`])),
        el('h2', {}, `History (${history.transactions.length})`),
        table(['Transaction', 'Block', '#Received', '#Spent'], history.transactions.map((h) => [
          txLink(h.tx_id), h.confirmed ? heightLink(h.block_height) : el('span', { class: 'muted' }, 'mempool'), coins(h.received), coins(h.spent)])),
      ];
    },

    async mining() {
      const m = await api('/mining/stats');
      return [
        el('h2', {}, `Mining (${m.total_blocks} blocks recorded)`),
        minersTable(m.miners),
        el('h2', {}, 'Latest found'),
        table(['#Height', 'Block', 'Miner', '#Reward', 'Found'], m.recent.map((r) => [heightLink(r.height), blockLink(r.hash), addressLink(r.miner_address), coins(r.reward), when(r.mined_at)])),
      ];
    },

    async search(query) {
      const q = decodeURIComponent(query || '');
      const found = await api('/dashboard/search?q=' + encodeURIComponent(q));
      if (found.results.length === 1) {
        location.replace(routeOf(found.results[0]));
        return null;
      }
      return [el('h2', {}, 'Search'), found.results.length
        ? el('ul', {}, found.results.map((r) => el('li', {}, r.kind + ' ', link(routeOf(r), r.id, 'mono'))))
        : el('p', { id: 'search-empty' }, 'Nothing found for ', el('span', { class: 'mono' }, q), '.')];
    },
  };

  const routeOf = (r) => '#/' + (r.kind === 'transaction' ? 'tx' : r.kind) + '/' + encodeURIComponent(r.id);

  function blockView(b) {
    return [
      el('h2', {}, `Block ${b.height}`),
      fields([
        ['Hash', el('span', { class: 'mono', id: 'block-hash' }, b.hash)],
        ['Previous', b.height > 0 ? blockLink(b.previous_hash, true) : el('span', { class: 'muted' }, 'none (genesis)')],
        ['Time', utc(b.time)],
        ['Confirmations', String(b.confirmations)],
        ['Size', bytes(b.size)],
        ['Bits · nonce', `${b.bits} · ${b.nonce}`],
        ['Merkle root', el('span', { class: 'mono' }, b.merkle_root)],
      ]),
      el('div', { class: 'pager' }, b.height > 0 ? link('#/height/' + (b.height - 1), '← previous') : null,
        b.confirmations > 1 ? link('#/height/' + (b.height + 1), 'next →') : null),
      el('h2', {}, `Transactions (${b.transaction_count})`),
      table(['Id', '#Outputs', '#Paid out', '#Size'], (b.transactions || []).map((t) => [
        [txLink(t.tx_id), t.coinbase ? el('span', { class: 'tag' }, 'coinbase') : null], String(t.outputs.length),
        coins(sum(t.outputs.map((o) => o.value))), bytes(t.size)])),
    ];
  }

  // Sums decimal coins exactly: in units (1 coin = 100,000,000), never in floating point.
  function sum(values) {
    let units = 0n;
    for (const v of values) {
      const [whole, frac = ''] = String(v).split('.');
      units += BigInt(whole) * 100000000n + BigInt((frac + '00000000').slice(0, 8)) * (whole.startsWith('-') ? -1n : 1n);
    }
    const sign = units < 0n ? '-' : '';
    const abs = units < 0n ? -units : units;
    const frac = (abs % 100000000n).toString().padStart(8, '0').replace(/0+$/, '');
    return sign + (abs / 100000000n).toString() + (frac ? '.' + frac : '');
  }

  function blocksTable(blocks, id) {
    const t = table(['#Height', 'Hash', 'Time', '#Transactions', '#Size'], blocks.map((b) => [heightLink(b.height), blockLink(b.hash), utc(b.time), String(b.transaction_count), bytes(b.size)]));
    t.id = id;
    return t;
  }
  const minersTable = (miners) => table(['Miner address', '#Blocks', '#Rewards', '#Last height'], miners.map((m) => [addressLink(m.miner_address), String(m.blocks), coins(m.rewards), heightLink(m.last_height)]));
  const pager = (p, older) => el('div', { class: 'pager' }, p > 0 ? link('#/blocks/' + (p - 1), '← newer') : null, el('span', { class: 'muted' }, `page ${p + 1}`), older ? link('#/blocks/' + (p + 1), 'older →') : null);

  // --- Routing ------------------------------------------------------------------------------
  function parseRoute() {
    const parts = location.hash.replace(/^#\/?/, '').split('/');
    const name = parts[0] || 'overview';
    return views[name] ? { name, arg: parts.slice(1).join('/') } : { name: 'overview', arg: '' };
  }

  async function render() {
    const route = parseRoute();
    const generation = ++state.generation;
    state.view = route.name;
    try {
      const content = await views[route.name](decodeURIComponent(route.arg));
      if (content && generation === state.generation) document.getElementById('view').replaceChildren(...content);
    } catch (e) {
      if (generation !== state.generation) return;
      const message = e instanceof ApiError ? (e.status === 404 ? 'Not found: ' : '') + e.message : 'The node did not answer: ' + e.message;
      document.getElementById('view').replaceChildren(el('h2', {}, 'Not available'), el('p', { class: 'error' }, message));
    }
  }

  // Live views render again after a change; a burst of events gives one render.
  function refreshSoon() {
    if (state.refreshTimer || !['overview', 'blocks', 'address', 'tx'].includes(state.view)) return;
    state.refreshTimer = setTimeout(() => { state.refreshTimer = 0; render(); }, 150);
  }

  function noteMempool(m) {
    const last = state.mempool[state.mempool.length - 1];
    if (!last || last.count !== m.count || last.bytes !== m.bytes) state.mempool.push({ t: Date.now(), count: m.count, bytes: m.bytes });
    if (state.mempool.length > 120) state.mempool.shift();
  }

  // --- Live updates -------------------------------------------------------------------------
  function connect() {
    const live = document.getElementById('live');
    const events = new EventSource('/dashboard/events');
    const on = (text, ok) => { live.textContent = text; live.className = 'live ' + (ok ? 'on' : 'off'); };
    events.onopen = () => on('live', true);
    events.onerror = () => on(events.readyState === EventSource.CLOSED ? 'disconnected' : 'reconnecting', false);
    events.addEventListener('tip', (e) => {
      const tip = JSON.parse(e.data);
      noteMempool(tip.mempool);
      // The first event may come while the first render is on its way: that render shows this tip or a newer one.
      const shown = state.tipHeight;
      state.tipHeight = tip.height;
      if (shown !== null && shown !== tip.height) refreshSoon();
    });
    events.addEventListener('mempool', (e) => { noteMempool(JSON.parse(e.data).mempool); refreshSoon(); });
    events.addEventListener('resync', refreshSoon);
  }

  document.addEventListener('DOMContentLoaded', () => {
    document.getElementById('search').addEventListener('submit', (e) => {
      e.preventDefault();
      const q = document.getElementById('search-input').value.trim();
      if (q) location.hash = '#/search/' + encodeURIComponent(q);
    });
    window.addEventListener('hashchange', render);
    render();
    connect();
  });
})();
