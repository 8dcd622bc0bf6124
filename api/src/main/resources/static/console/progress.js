// A rewiring job's progress panel: a live bar from rewiringProgress (lines done of the total, ops/s, time left,
// the counts), and when the job ends its first rejects and its reject report as a download.
import { download, firstLines, graphql, subscribe } from './api.js';
import { csvRows } from './csv.js';
import { between, count, h, rate, say, seconds } from './dom.js';

/** The fields of a job the rewiring pages show. */
export const JOB = `id status mode fileName counts { read applied unchanged rejected } totalLines opsPerSecond secondsLeft
    startedAt endedAt message`;
export const MODES = { APPLY: 'apply', DRY_RUN: 'dry-run', ATOMIC: 'atomic' };
export const UNDER_WAY = new Set(['PENDING', 'RUNNING']);
const FIRST_REJECTS = 10;

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

/** The panel in #progress; `onEnd(job)` is called once when the watched job has ended. */
export function progressPanel({ onEnd }) {
    const $ = (id) => document.getElementById(id);
    let watched = null;
    let stopWatching = null;

    $('rejects-download').addEventListener('click', async () => {
        try {
            await download(`rewiring/jobs/${encodeURIComponent(watched)}/rejects`, `rewiring-${watched}.rejects.csv`);
        } catch (e) {
            say($('progress-failure'), e.message, 'error');
        }
    });

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
        onEnd(job);
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

    return { watch };
}
