// Widget: search by serial-number or name prefix, a widget's ports and peers, its neighbourhood as a picture that
// follows wiringChanged live, and link / unlink for operators.
import { graphql, session, subscribe } from './api.js';
import { h, plural, say, when } from './dom.js';
import { draw } from './picture.js';

const WIDGET = 'serialNumber name ports { type linkedAt peer { serialNumber port } }';
const MAX_IN_VIEW = 200;
const FOUND = 20;

/** The address of a widget's page: `#widget/SN-1`. */
function address(serialNumber) {
    return `#widget/${encodeURIComponent(serialNumber)}`;
}

export function widgetPage() {
    const $ = (id) => document.getElementById(id);
    const view = $('widget-view');
    const message = $('widget-message');
    const hops = $('hops');
    let serial = null;
    let shown = null; // the widget as last read
    let loads = 0;
    let live = { serials: '', stop: null };
    let reloadTimer = null;
    let retryTimer = null;

    $('search-form').addEventListener('submit', (event) => {
        event.preventDefault();
        search($('search').value.trim());
    });
    hops.addEventListener('change', () => load());
    $('link-form').addEventListener('submit', (event) => {
        event.preventDefault();
        link();
    });

    async function search(prefix) {
        const list = $('search-results');
        const said = $('search-message');
        if (!prefix) {
            return;
        }
        say(said, 'Searching…');
        try {
            const data = await graphql(
                `query Find($prefix: String!, $first: Int) {
                    bySerial: widgets(first: $first, filter: {serialNumberPrefix: $prefix}) { ...Found }
                    byName: widgets(first: $first, filter: {namePrefix: $prefix}) { ...Found }
                }
                fragment Found on WidgetConnection { edges { node { serialNumber name } } }`,
                { prefix, first: FOUND },
            );
            const more = data.bySerial.edges.length === FOUND || data.byName.edges.length === FOUND;
            const found = new Map();
            for (const edge of [...data.bySerial.edges, ...data.byName.edges]) {
                found.set(edge.node.serialNumber, edge.node);
            }
            list.replaceChildren(
                ...[...found.values()].map((widget) =>
                    h('li', {}, h('a', { href: address(widget.serialNumber) }, `${widget.serialNumber} — ${widget.name}`)),
                ),
            );
            say(
                said,
                found.size === 0
                    ? `No widget's serial number or name starts with “${prefix}”.`
                    : `${plural(found.size, 'widget', 'widgets')} found`
                      + `${more ? ' (the first ones: type more to narrow it)' : ''}.`,
            );
        } catch (e) {
            say(said, e.message, 'error');
        }
    }

    async function load() {
        if (serial == null) {
            return;
        }
        const load = ++loads;
        view.hidden = false;
        try {
            const data = await graphql(
                `query Neighbourhood($serial: ID!, $hops: Int!, $first: Int) {
                    widget(serialNumber: $serial) { ${WIDGET} }
                    reachable(from: $serial, maxHops: $hops, first: $first) {
                        edges { distance node { ${WIDGET} } }
                        pageInfo { hasNextPage }
                    }
                }`,
                { serial, hops: Number(hops.value), first: MAX_IN_VIEW },
            );
            if (load !== loads) {
                return; // a newer load is under way
            }
            if (data.widget == null) {
                shown = null;
                $('widget-title').textContent = serial;
                say(message, `There is no widget ${serial} (now). The page shows it again if it is added.`, 'error');
                message.dataset.missing = 'yes';
                $('widget-ports').querySelector('tbody').replaceChildren();
                $('picture').replaceChildren();
                $('picture-caption').textContent = '';
                follow([serial]);
                return;
            }
            if (message.dataset.missing) {
                delete message.dataset.missing;
                say(message, '');
            }
            shown = data.widget;
            $('widget-title').textContent = `${shown.serialNumber} — ${shown.name}`;
            ports(shown);
            linkChoices(shown);
            const widgets = [
                { ...shown, distance: 0 },
                ...data.reachable.edges.map((edge) => ({ ...edge.node, distance: edge.distance })),
            ];
            const caption = draw($('picture'), widgets);
            $('picture-caption').textContent =
                caption
                + (data.reachable.pageInfo.hasNextPage
                    ? ` Only the first ${MAX_IN_VIEW} widgets in serial-number order are drawn: choose fewer hops.`
                    : '');
            follow(widgets.map((widget) => widget.serialNumber));
        } catch (e) {
            if (load === loads) {
                say(message, e.message, 'error');
            }
        }
    }

    function ports(widget) {
        const body = $('widget-ports').querySelector('tbody');
        body.replaceChildren(
            ...widget.ports.map((port) =>
                h(
                    'tr',
                    { dataset: { port: port.type } },
                    h('th', { scope: 'row', 'data-label': 'Port' }, port.type),
                    h(
                        'td',
                        { 'data-label': 'Linked to' },
                        port.peer
                            ? h(
                                  'a',
                                  { href: address(port.peer.serialNumber) },
                                  `${port.peer.serialNumber} port ${port.peer.port}`,
                              )
                            : h('span', { class: 'free' }, 'free'),
                    ),
                    h('td', { 'data-label': 'Since' }, port.peer ? when(port.linkedAt) : '–'),
                    h(
                        'td',
                        { 'data-label': 'Actions' },
                        port.peer && session.allows('operator')
                            ? h(
                                    'button',
                                    {
                                        type: 'button',
                                        class: 'secondary',
                                        'aria-label': `Unlink ${widget.serialNumber} port ${port.type} from`
                                            + ` ${port.peer.serialNumber} port ${port.peer.port}`,
                                        onclick: () => unlink(widget.serialNumber, port),
                                    },
                                    'Unlink',
                                )
                            : '–',
                    ),
                ),
            ),
        );
    }

    function linkChoices(widget) {
        const free = widget.ports.filter((port) => !port.peer).map((port) => port.type);
        $('link-port').replaceChildren(...free.map((type) => h('option', {}, type)));
        $('link-fieldset').disabled = !session.allows('operator') || free.length === 0;
        $('link-fieldset').querySelector('legend').textContent =
            free.length === 0
                ? `Link a free port: ${widget.serialNumber} has none`
                : `Link a free port of ${widget.serialNumber}`;
    }

    async function link() {
        const input = {
            a: { serialNumber: shown.serialNumber, port: $('link-port').value },
            b: { serialNumber: $('link-peer').value.trim(), port: $('link-peer-port').value },
        };
        try {
            const data = await graphql(
                'mutation Link($input: LinkInput!) { link(input: $input) { changed } }',
                { input },
            );
            say(
                message,
                data.link.changed
                    ? `Linked ${input.a.serialNumber} port ${input.a.port} to ${input.b.serialNumber} port ${input.b.port}.`
                    : `${input.a.serialNumber} port ${input.a.port} was already linked to ${input.b.serialNumber}`
                      + ` port ${input.b.port}.`,
            );
            $('link-peer').value = '';
            load();
        } catch (e) {
            say(message, `Not linked: ${e.message}`, 'error');
        }
    }

    async function unlink(serialNumber, port) {
        try {
            await graphql('mutation Unlink($input: UnlinkInput!) { unlink(input: $input) { changed } }', {
                input: { end: { serialNumber, port: port.type }, expectedPeer: port.peer },
            });
            say(message, `Unlinked ${serialNumber} port ${port.type} from ${port.peer.serialNumber} port ${port.peer.port}.`);
            load();
        } catch (e) {
            say(message, `Not unlinked: ${e.message}`, 'error');
        }
    }

    /** Follows the changes of the widgets in view: any of them rewired and the page reads them again. */
    function follow(serials) {
        const key = [...serials].sort().join('\n');
        if (live.stop && live.serials === key) {
            return;
        }
        const previous = live.stop;
        const status = $('live-status');
        live = {
            serials: key,
            stop: subscribe(
                'subscription Follow($serials: [ID!]) { wiringChanged(serialNumbers: $serials) { serialNumber type } }',
                { serials },
                {
                    onData: () => {
                        clearTimeout(reloadTimer);
                        reloadTimer = setTimeout(load, 150); // a link is two events, a rewiring job many
                    },
                    onError: (e) => {
                        say(status, `Live updates stopped (${e.message}); reconnecting…`, 'error');
                        live = { serials: '', stop: null };
                        clearTimeout(retryTimer);
                        retryTimer = setTimeout(load, 2000);
                    },
                    onEnd: () => {
                        live = { serials: '', stop: null };
                    },
                },
            ),
        };
        if (previous) {
            previous(); // after the new one is asked for, so no change falls between the two
        }
        say(status, `Live: the picture follows changes to the ${plural(serials.length, 'widget', 'widgets')} in view.`);
    }

    function unfollow() {
        clearTimeout(reloadTimer);
        clearTimeout(retryTimer);
        if (live.stop) {
            live.stop();
        }
        live = { serials: '', stop: null };
    }

    // a new token means a new WebSocket: follow again on it
    session.onChange(() => unfollow());

    return {
        show(argument) {
            if (argument != null && argument !== serial) {
                serial = argument;
                delete message.dataset.missing;
                say(message, ''); // what was said was about the widget before
            }
            view.hidden = serial == null;
            load();
        },
        hide() {
            unfollow();
        },
    };
}
