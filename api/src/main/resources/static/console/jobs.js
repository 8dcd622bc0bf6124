// Jobs at a glance: how many jobs are in each state, how long they take, how fast the running ones go; read again
// every few seconds while the page is open.
import { graphql } from './api.js';
import { count, every, h, plural, rate, say, seconds } from './dom.js';

const LATEST = 1000;
const STATUSES = ['PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'STOPPED'];
const WORDS = { PENDING: 'Waiting', RUNNING: 'Running', COMPLETED: 'Completed', FAILED: 'Failed', STOPPED: 'Stopped' };

export function jobsPage() {
    const $ = (id) => document.getElementById(id);
    let stop = null;

    async function refresh() {
        try {
            const data = await graphql(
                `query Glance($latest: Int) {
                    latest: rewiringJobs(first: $latest) { edges { node { status } } pageInfo { hasNextPage } }
                    running: rewiringJobs(first: 100, status: RUNNING) {
                        edges { node { id fileName opsPerSecond totalLines secondsLeft counts { read } } }
                    }
                    rewiringStats(last: 100) { jobs averageSeconds }
                }`,
                { latest: LATEST },
            );
            const counts = Object.fromEntries(STATUSES.map((status) => [status, 0]));
            data.latest.edges.forEach((edge) => counts[edge.node.status]++);
            $('glance-counts').replaceChildren(
                ...STATUSES.map((status) =>
                    h(
                        'div',
                        { class: `tile ${status.toLowerCase()}`, dataset: { status } },
                        h('dt', {}, WORDS[status]),
                        h('dd', {}, count(counts[status])),
                    ),
                ),
            );
            $('glance-scope').textContent = data.latest.pageInfo.hasNextPage
                ? `Counted over the latest ${count(LATEST)} jobs.`
                : `All ${count(data.latest.edges.length)} jobs.`;
            const stats = data.rewiringStats;
            $('glance-average').textContent =
                stats.jobs === 0
                    ? 'No job completed among the latest 100 yet, so there is no average time.'
                    : `A job takes ${seconds(stats.averageSeconds)} on average, over the ${count(stats.jobs)}`
                      + ' completed among the latest 100.';
            const running = data.running.edges.map((edge) => edge.node);
            const total = running.reduce((sum, job) => sum + (job.opsPerSecond || 0), 0);
            $('glance-rate').textContent =
                running.length === 0
                    ? 'No job is running.'
                    : `${count(running.length)} running, ${rate(total)} lines/s together.`;
            $('glance-running').querySelector('tbody').replaceChildren(
                ...running.map((job) =>
                    h(
                        'tr',
                        {},
                        h('td', { 'data-label': 'Job' }, job.id),
                        h('td', { 'data-label': 'File' }, job.fileName || '–'),
                        h('td', { 'data-label': 'Lines/s' }, rate(job.opsPerSecond)),
                        h(
                            'td',
                            { 'data-label': 'Done' },
                            job.totalLines
                                ? `${Math.floor((100 * job.counts.read) / job.totalLines)}%`
                                : count(job.counts.read),
                        ),
                        h('td', { 'data-label': 'Time left' }, seconds(job.secondsLeft)),
                    ),
                ),
            );
            $('glance-running').hidden = running.length === 0;
            $('glance-updated').textContent = `Updated ${new Date().toLocaleTimeString()}; read again every 3 seconds.`;
            say($('glance-message'), '');
        } catch (e) {
            say($('glance-message'), `The figures could not be read: ${e.message}`, 'error');
        }
    }

    return {
        show() {
            refresh();
            stop = stop || every(3000, refresh);
        },
        hide() {
            if (stop) {
                stop();
                stop = null;
            }
        },
    };
}
