// Rewiring: upload a file, watch its job's progress live (rewiringProgress), read its first rejects, download its
// report; the recent jobs with stop and restart for operators.
import { download, firstLines, graphql, session, subscribe, upload } from './api.js';
import { between, count, every, h, rate, say, seconds, when } from './dom.js';

const JOB = `id status mode fileName counts { read applied unchanged rejected } totalLines opsPerSecond secondsLeft
  startedAt endedAt message`;
const MODES = { APPLY: 'apply', DRY_RUN: 'dry-run', ATOMIC: 'atomic' };
const UNDER_WAY = new Set(['PENDING', 'RUNNING']);
const FIRST_REJECTS = 10;
const RECENT = 20;

/** Rows of an RFC 4180 CSV text (quoted values may hold commas, doubled quotes and line breaks). */
export function csvRows(text) {
  const rows = [];
  let row = [];
  let value = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        value += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        value += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      row.push(value);
      value = '';
    } else if (c === '\n') {
      row.push(value.replace(/\r$/, ''));
      rows.push(row);
      row = [];
      value = '';
    } else {
      value += c;
    }
  }
  // a last line without its line break may be cut short: only complete lines count
  return rows;
}

function statusWords(job) {
  const what = `${MODES[job.mode]} of ${job.fileName || 'its file'}`;
  switch (job.status) {
    case 'PENDING':
      return `Job ${job.id} (${what}) waits for a free slot.`;
    case 'RUNNING':
      return `Job ${job.id} (${what}) is running.`;
    case 'COMPLETED':
      return `Job ${job.id} (${what}) completed: every line was judged.`;
    case 'FAILED':
      return `Job ${job.id} (${what}) failed.`;
    case 'STOPPED':
      return `Job ${job.id} (${what}) was stopped; restart it to carry on.`;
    default:
      return `Job ${job.id}: ${job.status}`;
  }
}

export function rewiringPage() {
  const $ = (id) => document.getElementById(id);
  const form = $('upload-form');
  const input = $('upload-file');
  const drop = $('drop');
  const message = $('upload-message');
  const recentMessage = $('recent-message');
  let watched = null;
  let stopWatching = null;
  let stopPolling = null;

  function chosen() {
    const file = input.files[0];
    $('upload-chosen').textContent = file ? `Chosen: ${file.name} (${count(file.size)} bytes)` : '';
  }

  input.addEventListener('change', chosen);
  drop.addEventListener('dragover', (event) => {
    event.preventDefault();
    drop.classList.toggle('over', !$('upload-fieldset').disabled);
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (event) => {
    event.preventDefault();
    drop.classList.remove('over');
    if ($('upload-fieldset').disabled || event.dataTransfer.files.length === 0) {
      return;
    }
    const one = new DataTransfer();
    one.items.add(event.dataTransfer.files[0]);
    input.files = one.files;
    chosen();
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const file = input.files[0];
    if (!file) {
      say(message, 'Choose a file first.', 'error');
      return;
    }
    const mode = form.elements.mode.value;
    const button = $('upload-button');
    button.disabled = true;
    say(message, `Uploading ${file.name}…`);
    try {
      const id = await upload(file, mode);
      say(message, `Uploaded ${file.name}: job ${id} runs in ${mode} mode.`);
      input.value = '';
      chosen();
      watch(id);
      refreshJobs();
    } catch (e) {
      say(message, `${file.name} was not accepted. ${e.message}`, 'error');
    } finally {
      button.disabled = !session.allows('operator');
    }
  });

  $('rejects-download').addEventListener('click', async () => {
    try {
      await download(`rewiring/jobs/${encodeURIComponent(watched)}/rejects`, `rewiring-${watched}.rejects.csv`);
    } catch (e) {
      say($('progress-failure'), e.message, 'error');
    }
  });
  $('export-download').addEventListener('click', async () => {
    try {
      await download('rewiring/export', 'widgets.csv');
    } catch (e) {
      say(recentMessage, e.message, 'error');
    }
  });
  $('recent-refresh').addEventListener('click', () => refreshJobs());

  function watch(id) {
    if (stopWatching) {
      stopWatching();
    }
    watched = String(id);
    $('progress').hidden = false;
    $('progress-title').textContent = `Job ${id}`;
    $('progress-end').hidden = true;
    $('rejects-first').replaceChildren();
    say($('progress-failure'), '');
    say($('progress-status'), `Connecting to job ${id}…`);
    stopWatching = subscribe(
      `subscription Progress($id: ID!) { rewiringProgress(id: $id) { ${JOB} } }`,
      { id: watched },
      {
        onData: (data) => render(data.rewiringProgress),
        onError: (e) => {
          say($('progress-failure'), `Live progress stopped: ${e.message}`, 'error');
          // show where it stands at least once
          graphql(`query Job($id: ID!) { rewiringJob(id: $id) { ${JOB} } }`, { id: watched })
            .then((data) => data.rewiringJob && render(data.rewiringJob))
            .catch(() => {});
        },
      },
    );
  }

  function render(job) {
    if (job.id !== watched) {
      return;
    }
    const bar = $('progress-bar');
    const total = job.totalLines;
    const read = job.counts.read;
    const underWay = UNDER_WAY.has(job.status);
    let percent = null;
    if (total != null && total > 0) {
      bar.max = total;
      bar.value = Math.min(read, total);
      percent = Math.floor((100 * Math.min(read, total)) / total);
    } else if (job.status === 'COMPLETED') {
      bar.max = 1;
      bar.value = 1;
      percent = 100;
    } else {
      bar.removeAttribute('value'); // not counted yet: an indeterminate bar
    }
    $('progress-title').textContent = `Job ${job.id}: ${job.fileName || 'file'} (${MODES[job.mode]})`;
    say($('progress-status'), statusWords(job), job.status === 'FAILED' ? 'error' : 'info');
    $('progress-percent').textContent = percent == null ? '' : `${percent}%`;
    $('progress-lines').textContent = `· ${count(read)} of ${total == null ? 'not yet counted' : count(total)} lines`;
    $('progress-rate').textContent = `· ${rate(job.opsPerSecond)} ops/s`;
    $('progress-left').textContent = underWay
      ? `· ${seconds(job.secondsLeft)} left`
      : `· took ${seconds(between(job.startedAt, job.endedAt))}`;
    $('progress-applied').textContent = count(job.counts.applied);
    $('progress-unchanged').textContent = count(job.counts.unchanged);
    $('progress-rejected').textContent = count(job.counts.rejected);
    if (job.message) {
      say($('progress-failure'), job.message, 'error');
    }
    if (!underWay) {
      finished(job);
    }
  }

  async function finished(job) {
    const end = $('progress-end');
    if (!end.hidden) {
      return;
    }
    end.hidden = false;
    refreshJobs();
    const place = $('rejects-first');
    if (job.counts.rejected === 0 && job.status === 'COMPLETED') {
      place.replaceChildren(h('p', {}, 'No line was rejected.'));
      return;
    }
    try {
      const rows = csvRows(await firstLines(`rewiring/jobs/${encodeURIComponent(job.id)}/rejects`, FIRST_REJECTS + 1));
      const rejects = rows.slice(1, FIRST_REJECTS + 1);
      if (rejects.length === 0) {
        place.replaceChildren(h('p', {}, 'The reject report is empty.'));
        return;
      }
      place.replaceChildren(
        h(
          'table',
          { class: 'cards rejects', id: 'rejects-table' },
          h('caption', {}, `The first ${rejects.length} of ${count(job.counts.rejected)} rejected lines`),
          h(
            'thead',
            {},
            h('tr', {}, ['Line', 'Code', 'Why', 'The line'].map((t) => h('th', { scope: 'col' }, t))),
          ),
          h(
            'tbody',
            {},
            rejects.map(([line, code, why, raw]) =>
              h(
                'tr',
                {},
                h('td', { 'data-label': 'Line' }, line),
                h('td', { 'data-label': 'Code' }, h('code', {}, code)),
                h('td', { 'data-label': 'Why' }, why),
                h('td', { 'data-label': 'The line' }, h('code', { class: 'raw' }, raw || '')),
              ),
            ),
          ),
        ),
      );
    } catch (e) {
      place.replaceChildren(h('p', { class: 'message error' }, `The reject report could not be read: ${e.message}`));
    }
  }

  async function act(job, verb) {
    const mutation = verb === 'stop' ? 'stopRewiring' : 'restartRewiring';
    try {
      const data = await graphql(`mutation Act($id: ID!) { ${mutation}(id: $id) { id status } }`, { id: job.id });
      say(
        recentMessage,
        verb === 'stop'
          ? `Job ${job.id} will stop after its current chunk.`
          : `Job ${job.id} restarted from after its last committed chunk (${data[mutation].status.toLowerCase()}).`,
      );
      if (verb === 'restart') {
        watch(job.id);
      }
    } catch (e) {
      say(recentMessage, `Job ${job.id} was not ${verb === 'stop' ? 'stopped' : 'restarted'}: ${e.message}`, 'error');
    }
    refreshJobs();
  }

  function actions(job) {
    const buttons = [
      h('button', { type: 'button', class: 'secondary', onclick: () => watch(job.id) }, 'Progress'),
    ];
    if (session.allows('operator') && UNDER_WAY.has(job.status)) {
      buttons.push(h('button', { type: 'button', onclick: () => act(job, 'stop') }, `Stop job ${job.id}`));
    }
    if (session.allows('operator') && (job.status === 'FAILED' || job.status === 'STOPPED')) {
      buttons.push(h('button', { type: 'button', onclick: () => act(job, 'restart') }, `Restart job ${job.id}`));
    }
    return h('div', { class: 'row' }, buttons);
  }

  function row(job) {
    const cell = (label, ...content) => h('td', { 'data-label': label }, ...content);
    return h(
      'tr',
      { dataset: { job: job.id } },
      cell('Job', job.id),
      cell('File', job.fileName || '–'),
      cell('Mode', MODES[job.mode]),
      cell('Status', h('span', { class: `status ${job.status.toLowerCase()}` }, job.status.toLowerCase())),
      cell('Started', when(job.startedAt)),
      cell('Duration', seconds(between(job.startedAt, job.endedAt))),
      cell('Lines', job.totalLines == null ? count(job.counts.read) : `${count(job.counts.read)} of ${count(job.totalLines)}`),
      cell('Applied', count(job.counts.applied)),
      cell('Unchanged', count(job.counts.unchanged)),
      cell('Rejected', count(job.counts.rejected)),
      cell('Actions', actions(job)),
    );
  }

  async function refreshJobs() {
    if (!session.caller) {
      return;
    }
    try {
      const data = await graphql(`query Recent($first: Int) { rewiringJobs(first: $first) { edges { node { ${JOB} } } } }`, {
        first: RECENT,
      });
      const jobs = data.rewiringJobs.edges.map((edge) => edge.node);
      const body = document.querySelector('#recent-jobs tbody');
      body.replaceChildren(
        ...(jobs.length ? jobs.map(row) : [h('tr', {}, h('td', { colspan: 11 }, 'No rewiring job yet.'))]),
      );
      if (recentMessage.classList.contains('error') && recentMessage.textContent.startsWith('The jobs')) {
        say(recentMessage, '');
      }
    } catch (e) {
      say(recentMessage, `The jobs could not be read: ${e.message}`, 'error');
    }
  }

  return {
    show() {
      refreshJobs();
      stopPolling = stopPolling || every(5000, refreshJobs);
    },
    hide() {
      if (stopPolling) {
        stopPolling();
        stopPolling = null;
      }
    },
  };
}
