// The console's page script: live refresh from the service's event stream, and the controls, which call
// the same /_mw/ routes as the CLI. Plain ES module, no build step. Everything here is progressive: the
// pages are complete HTML without it.

/** Events come in bursts (a clock move of a day records many): one refresh per burst. */
const REFRESH_DELAY_MS = 300;

const main = () => document.getElementById('main');

function scopeQuery() {
  const m = main();
  const params = new URLSearchParams();
  if (m?.dataset.account) params.set('account', m.dataset.account);
  if (m?.dataset.region) params.set('region', m.dataset.region);
  return params;
}

function notice(text, isError = false) {
  const el = document.getElementById('notice');
  if (!el) return;
  el.textContent = text;
  el.classList.toggle('error', isError);
}

async function control(method, path, body) {
  const query = scopeQuery().toString();
  const response = await fetch(`${path}${query ? `?${query}` : ''}`, {
    method,
    headers: { 'content-type': 'application/json', 'x-mw-console': '1' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(`${answer.__type ?? response.status}: ${answer.message ?? 'the request failed'}`);
  return answer;
}

// ---- live refresh

let refreshTimer;
let refreshing = false;
let again = false;

async function refresh() {
  if (refreshing) {
    again = true;
    return;
  }
  refreshing = true;
  try {
    const response = await fetch(location.href, { headers: { accept: 'text/html' } });
    if (!response.ok) return;
    const next = new DOMParser().parseFromString(await response.text(), 'text/html');
    const focusedId = document.activeElement?.id;
    for (const selector of ['#main', 'header.top .clock']) {
      const fresh = next.querySelector(selector);
      const current = document.querySelector(selector);
      if (fresh && current) current.replaceWith(fresh);
    }
    if (focusedId) document.getElementById(focusedId)?.focus();
    document.body.dataset.refreshes = String(Number(document.body.dataset.refreshes ?? 0) + 1);
  } finally {
    refreshing = false;
    if (again) {
      again = false;
      scheduleRefresh();
    }
  }
}

function scheduleRefresh() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(refresh, REFRESH_DELAY_MS);
}

function follow() {
  const live = main()?.dataset.live;
  if (!live || typeof EventSource === 'undefined') return;
  const params = scopeQuery();
  if (live !== '*') for (const id of live.split(' ')) params.append('window-id', id);
  const source = new EventSource(`/_mw/events?${params}`);
  // The stream names each event by its detail-type; the page lists them (from the service's own list).
  for (const type of JSON.parse(main().dataset.detailTypes ?? '[]')) source.addEventListener(type, scheduleRefresh);
  source.addEventListener('open', () => { document.body.dataset.live = 'open'; });
  addEventListener('pagehide', () => source.close());
}

// ---- controls (delegated: they survive a refresh of <main>)

function rulesFromForm(form) {
  return [...form.querySelectorAll('fieldset.rule')].map((set) => {
    const value = (name) => set.querySelector(`[name="${name}"]`)?.value.trim() ?? '';
    const rule = { match: {}, status: value('status') };
    for (const input of set.querySelectorAll('[name^="match."]')) {
      if (input.value.trim() !== '') rule.match[input.name.slice(6)] = input.value.trim();
    }
    for (const name of ['durationSeconds', 'responseCode', 'times']) if (value(name) !== '') rule[name] = Number(value(name));
    for (const name of ['statusDetails', 'stdout', 'stderr']) if (value(name) !== '') rule[name] = set.querySelector(`[name="${name}"]`).value;
    return rule;
  });
}

document.addEventListener('click', async (event) => {
  const button = event.target.closest('button');
  if (!button) return;
  try {
    if (button.dataset.advance) {
      await control('POST', '/_mw/clock', { advanceSeconds: Number(button.dataset.advance) });
      notice(`Clock advanced by ${Number(button.dataset.advance) / 3600} hour(s).`);
      await refresh();
    } else if (button.dataset.setTo) {
      await control('POST', '/_mw/clock', { setTo: button.dataset.setTo });
      notice(`Clock moved to ${button.dataset.setTo}.`);
      await refresh();
    } else if (button.dataset.runWindow) {
      const { WindowExecutionId } = await control('POST', `/_mw/windows/${encodeURIComponent(button.dataset.runWindow)}/executions`);
      notice(`Started execution ${WindowExecutionId}.`);
      await refresh();
    } else if (button.dataset.deleteNode) {
      await control('DELETE', `/_mw/nodes/${encodeURIComponent(button.dataset.deleteNode)}`);
      notice(`Removed node ${button.dataset.deleteNode}.`);
      await refresh();
    } else if (button.id === 'add-rule') {
      const template = document.getElementById('rule-template');
      document.getElementById('rules').append(template.content.cloneNode(true));
      document.getElementById('no-rules')?.remove();
      document.querySelector('#rules fieldset.rule:last-of-type input')?.focus();
    } else if (button.hasAttribute('data-remove-rule')) {
      button.closest('fieldset.rule').remove();
    }
  } catch (error) {
    notice(error.message, true);
  }
});

document.addEventListener('submit', async (event) => {
  const form = event.target;
  // getAttribute, not form.id: the node form has an input named "id", which form.id would return.
  const formId = form.getAttribute('id');
  if (formId !== 'node-form' && formId !== 'rules-form') return;
  event.preventDefault();
  try {
    if (formId === 'node-form') {
      const data = new FormData(form);
      const tags = {};
      for (const line of String(data.get('tags')).split('\n')) {
        const at = line.indexOf('=');
        if (line.trim() !== '') tags[(at < 0 ? line : line.slice(0, at)).trim()] = at < 0 ? '' : line.slice(at + 1).trim();
      }
      const resourceGroups = String(data.get('groups')).split(',').map((g) => g.trim()).filter(Boolean);
      const id = String(data.get('id')).trim();
      await control('PUT', `/_mw/nodes/${encodeURIComponent(id)}`, { tags, resourceGroups });
      notice(`Saved node ${id}.`);
    } else {
      const { rules } = await control('PUT', '/_mw/outcomes', { rules: rulesFromForm(form) });
      notice(`Saved ${rules.length} rule(s).`);
    }
    await refresh();
  } catch (error) {
    notice(error.message, true);
  }
});

follow();
