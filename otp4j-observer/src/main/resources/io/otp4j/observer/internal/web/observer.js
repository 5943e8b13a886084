// otp4j observer: renders the snapshots of /api/events, and a process's page from /api/processes/{pid}.
// Plain DOM, no framework. All text goes through textContent: names and states are never parsed as HTML.
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);

  /** el('div', {class: 'x', 'data-pid': p}, child, 'text', ...) */
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'onclick') e.addEventListener('click', v);
      else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children) {
      if (c === null || c === undefined) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  const fmt = {
    bytes(n) {
      if (n === null || n === undefined || n < 0) return '–';
      if (n < 1024) return n + ' B';
      if (n < 1024 * 1024) return (n / 1024).toFixed(1) + ' KiB';
      if (n < 1024 * 1024 * 1024) return (n / 1024 / 1024).toFixed(1) + ' MiB';
      return (n / 1024 / 1024 / 1024).toFixed(2) + ' GiB';
    },
    num(n) {
      return n === null || n === undefined ? '–' : Number(n).toLocaleString('en');
    },
    duration(ms) {
      if (ms < 0) return '–';
      const s = Math.floor(ms / 1000), d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600),
          m = Math.floor(s % 3600 / 60);
      return (d ? d + 'd ' : '') + (d || h ? h + 'h ' : '') + m + 'm ' + (s % 60) + 's';
    },
  };

  /** A pid as a link to its page; remote pids are plain text. */
  function pidLink(pid, local = true) {
    if (!pid) return el('span', {class: 'muted'}, '–');
    if (!local) return el('span', {class: 'pid remote', 'data-pid': pid}, '<' + pid + '>');
    return el('a', {href: '#process/' + pid, class: 'pid', 'data-testid': 'pid-link', 'data-pid': pid}, '<' + pid + '>');
  }

  // ------------------------------------------------------------------ state

  let snapshot = null;
  let tab = 'apps';
  let openPid = null;
  let sort = {key: 'pid', dir: 1};
  const rendered = {apps: null, processes: null, tables: null, nodes: null};

  // ------------------------------------------------------------------ navigation: #apps, #processes, #tables, #nodes, #process/0.12.0

  function route() {
    const h = decodeURIComponent(location.hash.replace(/^#/, ''));
    if (h.startsWith('process/')) {
      openProcess(h.substring('process/'.length));
    } else {
      closeProcess();
      if (['apps', 'processes', 'tables', 'nodes'].includes(h)) tab = h;
    }
    for (const t of ['apps', 'processes', 'tables', 'nodes']) {
      $('view-' + t).hidden = t !== tab;
      $('tab-' + t).classList.toggle('active', t === tab);
    }
  }

  // ------------------------------------------------------------------ the header

  function renderHeader(s) {
    $('node-name').textContent = s.node.name + (s.node.distributed ? '' : ' (not distributed)');
    $('process-count').textContent = fmt.num(s.node.processCount);
    $('uptime').textContent = fmt.duration(s.node.uptimeMs);
    $('heap').textContent = fmt.bytes(s.node.jvm.heapUsed) + ' of ' + fmt.bytes(s.node.jvm.heapMax);
  }

  // ------------------------------------------------------------------ applications and their supervision trees

  function renderApps(apps) {
    const key = JSON.stringify(apps);
    if (key === rendered.apps) return;
    rendered.apps = key;
    const root = $('apps');
    root.replaceChildren();
    if (apps.applications.length === 0) {
      root.append(el('p', {class: 'muted', 'data-testid': 'no-apps'}, 'No application is running.'));
      return;
    }
    for (const app of apps.applications) {
      root.append(el('div', {class: 'app', 'data-testid': 'app', 'data-app': app.name},
          el('h2', {}, app.name, ' ', el('span', {class: 'muted'}, app.version + ' · ' + app.type
              + (app.description ? ' · ' + app.description : ''))),
          app.error ? el('p', {class: 'error'}, app.error) : null,
          app.tree ? el('ul', {class: 'tree', 'data-testid': 'app-tree', 'data-app': app.name}, treeItem(app.tree)) : null));
    }
  }

  function treeItem(n) {
    const label = el('div', {
          class: 'tree-node ' + n.type + (n.childStatus !== 'running' ? ' down' : ''),
          'data-testid': 'tree-node', 'data-child-id': n.id === null ? '' : n.id, 'data-pid': n.pid || '',
          'data-type': n.type, 'data-behaviour': n.behaviour || ''},
        el('span', {class: 'node-id'}, n.id === null ? (n.name || 'top') : n.id),
        n.pid ? pidLink(n.pid) : el('span', {class: 'muted'}, n.childStatus.replace('_', ' ')),
        el('span', {class: 'badge ' + n.type}, n.behaviour || n.type),
        n.name && n.id !== null ? el('span', {class: 'muted'}, n.name) : null,
        n.restart ? el('span', {class: 'muted small'}, n.restart) : null,
        n.error ? el('span', {class: 'error small', 'data-testid': 'tree-error'}, n.error) : null);
    const li = el('li', {}, label);
    if (n.children && n.children.length) li.append(el('ul', {}, ...n.children.map(treeItem)));
    return li;
  }

  // ------------------------------------------------------------------ processes: sortable, filterable

  const NUMERIC = new Set(['messageQueueLen', 'memory', 'reductions']);

  function pidKey(p) {
    return p.split('.').map(Number);
  }

  function compare(a, b) {
    const k = sort.key;
    let c;
    if (k === 'pid') {
      const x = pidKey(a.pid), y = pidKey(b.pid);
      c = x[0] - y[0] || x[2] - y[2] || x[1] - y[1];
    } else if (NUMERIC.has(k)) {
      c = (a[k] || 0) - (b[k] || 0);
    } else {
      c = String(a[k] || '').localeCompare(String(b[k] || ''));
    }
    return c * sort.dir || pidKey(a.pid)[1] - pidKey(b.pid)[1];
  }

  function renderProcesses(force) {
    if (!snapshot) return;
    const list = snapshot.processes;
    const filter = $('process-filter').value.trim().toLowerCase();
    const key = JSON.stringify(list) + '|' + filter + '|' + sort.key + sort.dir;
    if (key === rendered.processes && !force) return;
    rendered.processes = key;
    const rows = list.processes.filter((p) => !filter || [p.pid, '<' + p.pid + '>', p.name, p.behaviour, p.module, p.status]
        .some((v) => v && v.toLowerCase().includes(filter)));
    rows.sort(compare);
    const body = document.createDocumentFragment();
    for (const p of rows) {
      body.append(el('tr', {'data-testid': 'process-row', 'data-pid': p.pid, class: p.pid === openPid ? 'selected' : null},
          el('td', {}, pidLink(p.pid)),
          el('td', {}, p.name || ''),
          el('td', {}, p.behaviour || ''),
          el('td', {class: 'status ' + p.status}, p.status),
          el('td', {class: 'num' + (p.messageQueueLen > 100 ? ' warn' : '')}, fmt.num(p.messageQueueLen)),
          el('td', {class: 'num'}, fmt.bytes(p.memory)),
          el('td', {class: 'num'}, fmt.num(p.reductions)),
          el('td', {class: 'small'}, p.module || '')));
    }
    $('process-rows').replaceChildren(body);
    $('process-shown').textContent = rows.length + ' shown of ' + list.count
        + (list.truncated ? ' (the list holds the first ' + list.processes.length + ')' : '');
    for (const th of document.querySelectorAll('#process-table th')) {
      th.classList.toggle('asc', th.dataset.sort === sort.key && sort.dir > 0);
      th.classList.toggle('desc', th.dataset.sort === sort.key && sort.dir < 0);
    }
  }

  // ------------------------------------------------------------------ tables and nodes

  function renderTables(tables) {
    const key = JSON.stringify(tables);
    if (key === rendered.tables) return;
    rendered.tables = key;
    const rowsOf = (list, kind) => list.length === 0
        ? [el('tr', {}, el('td', {colspan: 8, class: 'muted'}, 'none'))]
        : list.map((t) => el('tr', {'data-testid': kind + '-row', 'data-name': t.name || ''},
            el('td', {}, t.name || el('span', {class: 'muted'}, 'unnamed')),
            el('td', {class: 'small'}, t.id),
            el('td', {}, t.type),
            el('td', {}, t.access),
            el('td', {class: 'num'}, t.size === null ? '–' : fmt.num(t.size)),
            el('td', {class: 'num'}, fmt.bytes(t.memory)),
            el('td', {}, pidLink(t.owner)),
            el('td', {class: 'small'}, t.rows || '')));
    $('ets-rows').replaceChildren(...rowsOf(tables.ets, 'ets'));
    $('dets-rows').replaceChildren(...rowsOf(tables.dets, 'dets'));
  }

  function renderNodes(nodes) {
    const key = JSON.stringify(nodes);
    if (key === rendered.nodes) return;
    rendered.nodes = key;
    $('nodes-note').textContent = nodes.note
        || (nodes.connected.length === 0 ? nodes.name + ' is distributed; no node is connected.'
            : nodes.name + ' is connected to:');
    $('nodes-list').replaceChildren(...(nodes.connected || []).map((n) => el('li', {'data-testid': 'node-row'}, n)));
  }

  // ------------------------------------------------------------------ a process's page

  let detailInFlight = false;

  function openProcess(pid) {
    if (openPid !== pid) {
      openPid = pid;
      $('process-pid').textContent = '<' + pid + '>';
      $('process-detail').replaceChildren(el('p', {class: 'muted'}, 'loading…'));
      $('kill-result').textContent = '';
      askKill(false);
      rendered.processes = null;
      renderProcesses();
    }
    $('process-view').hidden = false;
    refreshDetail();
  }

  function closeProcess() {
    if (openPid === null) return;
    openPid = null;
    $('process-view').hidden = true;
    rendered.processes = null;
    renderProcesses();
  }

  async function refreshDetail() {
    if (openPid === null || detailInFlight) return;
    detailInFlight = true;
    const pid = openPid;
    try {
      const r = await fetch('api/processes/' + encodeURIComponent(pid), {headers: {Accept: 'application/json'}});
      const body = await r.json();
      if (pid !== openPid) return;
      renderDetail(pid, r.status, body);
    } catch (e) {
      if (pid === openPid) $('process-detail').replaceChildren(el('p', {class: 'error'}, 'cannot read the process: ' + e));
    } finally {
      detailInFlight = false;
    }
  }

  function answer(a) {
    return a.ok ? el('pre', {}, a.text) : el('p', {class: 'muted'}, a.error);
  }

  function pidList(refs, testid) {
    if (!refs || refs.length === 0) return el('span', {class: 'muted', 'data-testid': testid}, 'none');
    const span = el('span', {class: 'pids', 'data-testid': testid});
    refs.forEach((r, i) => {
      if (i) span.append(' ');
      span.append(pidLink(r.pid, r.local));
    });
    return span;
  }

  function renderDetail(pid, status, d) {
    const box = $('process-detail');
    if (status === 404) {
      box.replaceChildren(el('p', {class: 'muted', 'data-testid': 'process-gone'},
          'The process ' + '<' + pid + '> is not alive, and left no crash report.'));
      $('kill-button').disabled = true;
      return;
    }
    if (status !== 200) {
      box.replaceChildren(el('p', {class: 'error'}, d.error || ('HTTP ' + status)));
      return;
    }
    $('kill-button').disabled = !d.alive;
    const rows = [];
    const row = (k, v, testid) => rows.push(el('dt', {}, k), el('dd', {'data-testid': testid}, v));
    row('alive', d.alive ? 'yes' : 'no, it has exited', 'detail-alive');
    if (d.alive) {
      row('name', d.name || '–', 'detail-name');
      row('behaviour', d.behaviour || 'none (a plain process)', 'detail-behaviour');
      row('module', d.module || '–', 'detail-module');
      row('status', d.status, 'detail-status');
      row('messages', fmt.num(d.messageQueueLen), 'detail-mqlen');
      row('memory', fmt.bytes(d.memory), 'detail-memory');
      row('reductions', fmt.num(d.reductions), 'detail-reductions');
      row('trap_exit', String(d.trapExit), 'detail-trap-exit');
      row('priority', d.priority, 'detail-priority');
      row('links', pidList(d.links, 'detail-links'), null);
      row('monitors', pidList(d.monitors, 'detail-monitors'), null);
      row('monitored by', pidList(d.monitoredBy, 'detail-monitored-by'), null);
    }
    const parts = [el('dl', {class: 'facts'}, ...rows)];
    if (d.alive) {
      parts.push(el('h3', {}, 'State'), el('div', {'data-testid': 'detail-state'}, answer(d.state)));
      parts.push(el('h3', {}, 'Status'), el('div', {'data-testid': 'detail-sys-status'}, answer(d.sysStatus)));
    }
    parts.push(el('h3', {}, 'Last crash'), el('div', {'data-testid': 'detail-last-crash'},
        d.lastCrash ? el('pre', {class: 'crash'}, d.lastCrash.time + '\n' + d.lastCrash.text)
            : el('p', {class: 'muted'}, 'none seen since the observer started')));
    box.replaceChildren(...parts);
  }

  // ------------------------------------------------------------------ kill

  function askKill(on) {
    $('kill-ask').hidden = !on;
    $('kill-button').hidden = on;
  }

  async function kill() {
    const pid = openPid;
    askKill(false);
    $('kill-result').textContent = 'killing…';
    try {
      // the header is what the server checks to refuse posts from other sites' pages
      const r = await fetch('api/processes/' + encodeURIComponent(pid) + '/kill',
          {method: 'POST', headers: {'X-Otp4j-Observer': '1'}});
      const body = await r.json();
      $('kill-result').textContent = r.ok ? 'killed <' + pid + '>' : (body.error || 'HTTP ' + r.status);
    } catch (e) {
      $('kill-result').textContent = 'cannot kill: ' + e;
    }
    refreshDetail();
  }

  // ------------------------------------------------------------------ the event stream

  function render(s) {
    snapshot = s;
    renderHeader(s);
    renderApps(s.apps);
    renderProcesses();
    renderTables(s.tables);
    renderNodes(s.nodes);
    $('problem').hidden = true;
    if (openPid !== null) refreshDetail();
  }

  function connect() {
    const live = $('live');
    const source = new EventSource('api/events');
    source.addEventListener('open', () => {
      live.textContent = 'live';
      live.className = 'live on';
    });
    source.addEventListener('snapshot', (e) => {
      render(JSON.parse(e.data));
      live.textContent = 'live';
      live.className = 'live on';
    });
    source.addEventListener('failure', (e) => {
      const p = $('problem');
      p.textContent = JSON.parse(e.data).error;
      p.hidden = false;
    });
    source.addEventListener('error', () => {
      // EventSource reconnects by itself (after the server's retry delay)
      live.textContent = 'reconnecting';
      live.className = 'live off';
    });
  }

  document.addEventListener('DOMContentLoaded', () => {
    for (const th of document.querySelectorAll('#process-table th[data-sort]')) {
      th.addEventListener('click', () => {
        sort = {key: th.dataset.sort, dir: sort.key === th.dataset.sort ? -sort.dir : (NUMERIC.has(th.dataset.sort) ? -1 : 1)};
        renderProcesses(true);
      });
    }
    $('process-filter').addEventListener('input', () => renderProcesses(true));
    $('kill-button').addEventListener('click', () => askKill(true));
    $('kill-cancel').addEventListener('click', () => askKill(false));
    $('kill-confirm').addEventListener('click', kill);
    $('process-close').addEventListener('click', (e) => {
      e.preventDefault();
      location.hash = tab;
    });
    window.addEventListener('hashchange', route);
    route();
    connect();
  });
})();
