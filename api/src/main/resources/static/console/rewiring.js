// Rewiring: upload a file (chosen or dropped) and watch its job; the recent jobs, with stop and restart for
// operators.
import { download, graphql, session, upload } from './api.js';
import { between, count, every, h, say, seconds, when } from './dom.js';
import { JOB, MODES, UNDER_WAY, progressPanel } from './progress.js';

const RECENT = 20;

export function rewiringPage() {
    const $ = (id) => document.getElementById(id);
    const form = $('upload-form');
    const input = $('upload-file');
    const drop = $('drop');
    const message = $('upload-message');
    const recentMessage = $('recent-message');
    let stopPolling = null;
    const { watch } = progressPanel({ onEnd: () => refreshJobs() });

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

    $('export-download').addEventListener('click', async () => {
        try {
            await download('rewiring/export', 'widgets.csv');
        } catch (e) {
            say(recentMessage, e.message, 'error');
        }
    });
    $('recent-refresh').addEventListener('click', () => refreshJobs());

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
            cell(
                'Lines',
                job.totalLines == null
                    ? count(job.counts.read)
                    : `${count(job.counts.read)} of ${count(job.totalLines)}`,
            ),
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
            const query = `query Recent($first: Int) { rewiringJobs(first: $first) { edges { node { ${JOB} } } } }`;
            const data = await graphql(query, {
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
