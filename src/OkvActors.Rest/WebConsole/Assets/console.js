// OkvActors console: follows /v1/console/events (one snapshot a second from this node) and calls the REST
// API with the operator's certificate for actions. No framework, nothing loaded from outside the node.
'use strict';

const $ = (id) => document.getElementById(id);

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes || {})) {
    if (key === 'class') node.className = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) {
    node.append(child instanceof Node ? child : document.createTextNode(child ?? ''));
  }
  return node;
}

function say(text) { $('messages').textContent = text; }

async function call(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  const json = text ? JSON.parse(text) : null;
  if (!response.ok) throw new Error(json?.detail || `${response.status} ${response.statusText}`);
  return json;
}

const actions = {
  Active: ['disable', 'remove'],
  Disabled: ['enable', 'remove'],
};

async function lifecycle(name, action, unreachable) {
  const verb = unreachable && action === 'remove' ? 'force-remove' : action;
  if (!window.confirm(`${verb} node ${name}? ${verb.includes('remove') ? 'A removed node never comes back.' : ''}`)) return;
  try {
    await call('POST', `/v1/nodes/${encodeURIComponent(name)}/${verb}`);
    say(`node ${name}: ${verb} done`);
  } catch (e) {
    say(`node ${name}: ${verb} refused: ${e.message}`);
  }
}

function renderNodes(snapshot) {
  const status = snapshot.status || { members: [] };
  const registry = snapshot.registry?.nodes || [];
  const byAddress = new Map(status.members.map((m) => [m.address, m]));
  const rows = registry.map((n) => ({ name: n.name, subgroup: n.subgroup, state: n.state, address: n.address, member: byAddress.get(n.address) }));
  for (const m of status.members) {
    if (!registry.some((n) => n.address === m.address)) {
      const subgroup = (m.roles.find((r) => r.startsWith('subgroup-')) || 'subgroup-?').slice(9);
      rows.push({ name: m.address, subgroup, state: '?', address: m.address, member: m });
    }
  }

  const groups = new Map();
  for (const row of rows) {
    if (!groups.has(row.subgroup)) groups.set(row.subgroup, []);
    groups.get(row.subgroup).push(row);
  }

  const container = el('div');
  for (const [subgroup, members] of [...groups.entries()].sort()) {
    const body = el('tbody');
    for (const row of members.sort((a, b) => a.name.localeCompare(b.name))) {
      const reachable = row.member ? row.member.reachable : false;
      const reachability = row.member ? (reachable ? 'reachable' : 'unreachable') : 'not a member';
      const badges = el('td');
      if (row.address && row.address === status.leader) badges.append(el('span', { class: 'badge' }, 'leader'));
      if (row.address && row.address === status.controller) badges.append(el('span', { class: 'badge' }, 'controller'));
      const buttons = el('td');
      for (const action of actions[row.state] || []) {
        buttons.append(el('button', { type: 'button', onclick: () => lifecycle(row.name, action, !reachable), 'aria-label': `${action} ${row.name}` }, action));
      }
      body.append(el('tr', { 'data-node': row.name, 'data-reachability': reachability },
        el('th', { scope: 'row' }, row.name),
        el('td', {}, el('code', {}, row.address || '')),
        el('td', { class: row.state === 'Active' ? '' : 'state-bad' }, row.state),
        el('td', { class: 'member-status' }, row.member ? row.member.status : '—'),
        el('td', { class: `reachability ${reachability.replace(' ', '-')}` }, reachability),
        badges,
        buttons));
    }
    container.append(el('h3', {}, `Subgroup ${subgroup}`),
      el('table', {}, el('thead', {}, el('tr', {},
        ...['Node', 'Address', 'Registry state', 'Membership', 'Reachability', 'Role', 'Actions'].map((h) => el('th', { scope: 'col' }, h)))), body));
  }
  $('subgroups').replaceChildren(container);
}

function backupLine(backup) {
  if (!backup) return '';
  const schedule = backup.interval ? `scheduled every ${backup.interval}, keeping ${backup.retention}` : 'no schedule';
  const last = backup.last;
  if (!last) return `Backups: none yet on this node (${schedule}).`;
  const when = new Date(last.at).toLocaleString();
  return last.result === 'ok'
    ? `Last backup: ok at ${when}, ${last.objects} objects, ${last.path} (${schedule}).`
    : `Last backup: FAILED at ${when}: ${last.error} (${schedule}).`;
}

function render(snapshot) {
  const status = snapshot.status;
  $('connection').hidden = true;
  $('cluster-name').textContent = status ? `— cluster ${status.cluster}` : '';
  if (status) {
    const unreachable = status.members.filter((m) => !m.reachable).length;
    $('summary').textContent = `Seen from ${snapshot.node} at ${new Date(snapshot.at).toLocaleTimeString()}: `
      + `${status.members.length} member(s), ${unreachable} unreachable, mode ${status.mode}.`;
    const restricted = $('restricted');
    restricted.hidden = status.mode !== 'restricted';
    restricted.textContent = status.mode === 'restricted' ? `Restricted (read-only) mode: ${status.modeReason}. Writes are refused until a majority is reachable.` : '';
    $('backup').textContent = backupLine(status.backup);
  }
  renderNodes(snapshot);
  $('audit').replaceChildren(...(snapshot.audit || []).map((e) => el('tr', {},
    el('td', {}, String(e.sequence)), el('td', {}, new Date(e.time).toLocaleTimeString()), el('td', {}, e.who),
    el('td', {}, e.operation), el('td', {}, el('code', {}, e.objectUid || '')), el('td', {}, e.result))));
}

async function refreshLag() {
  try {
    const lag = await call('GET', '/v1/cluster/replication-lag');
    $('lag').replaceChildren(...lag.links.map((l) => el('tr', {},
      el('td', {}, el('code', {}, l.address)), el('td', {}, l.node || '—'),
      el('td', {}, l.roundTripMs ?? l.error ?? '—'), el('td', {}, l.replicationMs ?? 'not seen yet'))));
  } catch (e) {
    $('lag').replaceChildren(el('tr', {}, el('td', { colspan: '4' }, `unavailable: ${e.message}`)));
  }
}

async function resolve(uid, name) {
  const renamed = window.prompt(`New name for ${uid} (now "${name}")`, `${name}-2`);
  if (!renamed) return;
  try {
    await call('POST', '/v1/cluster/conflicts/resolve', { uid, name: renamed });
    say(`${uid} renamed to ${renamed}`);
    refreshConflicts();
  } catch (e) {
    say(`rename refused: ${e.message}`);
  }
}

async function refreshConflicts() {
  try {
    const { conflicts } = await call('GET', '/v1/cluster/conflicts');
    $('conflicts').replaceChildren(...(conflicts.length === 0 ? [el('li', {}, 'None.')] : conflicts.map((c) => el('li', {},
      `"${c.name}": `, ...c.uids.map((uid) => el('button', { type: 'button', onclick: () => resolve(uid, c.name), 'aria-label': `rename ${uid}` }, `rename ${uid}`))))));
  } catch (e) {
    $('conflicts').replaceChildren(el('li', {}, `unavailable: ${e.message}`));
  }
}

const events = new EventSource('/v1/console/events');
events.addEventListener('snapshot', (e) => render(JSON.parse(e.data)));
events.onerror = () => { $('connection').hidden = false; };
refreshLag();
refreshConflicts();
setInterval(refreshLag, 15000);
setInterval(refreshConflicts, 15000);
