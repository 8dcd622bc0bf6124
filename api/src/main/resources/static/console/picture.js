// The picture of a widget's neighbourhood, drawn with d3 in SVG: widgets as nodes (links to move there), links as
// edges with each end's port beside its widget, free ports as dashed badges, links leaving the picture as stubs.
import { plural } from './dom.js';

const NODE_RADIUS = 24;
const BADGE_DISTANCE = NODE_RADIUS + 13;
const STUB_LENGTH = 70;

/** Every link between two widgets in view, once, as {a, aPort, b, bPort}; and the ports that lead out of view. */
function wiring(nodes) {
    const inView = new Map(nodes.map((node) => [node.serialNumber, node]));
    const edges = new Map();
    const outward = [];
    for (const node of nodes) {
        for (const port of node.ports) {
            if (!port.peer) {
                continue;
            }
            if (inView.has(port.peer.serialNumber)) {
                const one = `${node.serialNumber}.${port.type}`;
                const other = `${port.peer.serialNumber}.${port.peer.port}`;
                const key = one < other ? `${one}|${other}` : `${other}|${one}`;
                if (!edges.has(key)) {
                    edges.set(key, {
                        source: node.serialNumber,
                        target: port.peer.serialNumber,
                        sourcePort: port.type,
                        targetPort: port.peer.port,
                    });
                }
            } else {
                outward.push({ node, port });
            }
        }
    }
    return { edges: [...edges.values()], outward };
}

/** Positions: `from` at the centre, each hop on a ring further out, settled by a force layout (deterministic). */
function layout(d3, nodes, edges) {
    const byDistance = d3.group(nodes, (node) => node.distance);
    for (const [distance, ring] of byDistance) {
        ring.forEach((node, i) => {
            const angle = (2 * Math.PI * i) / ring.length - Math.PI / 2 + distance * 0.35;
            node.x = distance * 150 * Math.cos(angle);
            node.y = distance * 150 * Math.sin(angle);
        });
    }
    const centre = nodes.find((node) => node.distance === 0);
    centre.fx = 0;
    centre.fy = 0;
    const simulation = d3
        .forceSimulation(nodes)
        .force(
            'link',
            d3
                .forceLink(edges)
                .id((node) => node.serialNumber)
                .distance(130)
                .strength(0.4),
        )
        .force('charge', d3.forceManyBody().strength(-500))
        .force('ring', d3.forceRadial((node) => node.distance * 150).strength(0.6))
        .force('collide', d3.forceCollide(NODE_RADIUS * 2.2))
        .stop();
    simulation.tick(300);
}

/** Angles around a node (radians) for its badges, away from the edges that already leave it. */
function freeAngle(taken) {
    let best = -Math.PI / 2;
    let bestGap = -1;
    for (let i = 0; i < 16; i++) {
        const candidate = -Math.PI / 2 + (i * Math.PI) / 8;
        const gap = Math.min(
            Math.PI * 2,
            ...taken.map((angle) => {
                const d = Math.abs(candidate - angle) % (2 * Math.PI);
                return Math.min(d, 2 * Math.PI - d);
            }),
        );
        if (gap > bestGap + 1e-9) {
            best = candidate;
            bestGap = gap;
        }
    }
    taken.push(best);
    return best;
}

/**
  * Draws `widgets` (each with `distance`; the one at 0 is the centre) into `svg`. Returns a sentence describing the
  * picture for its caption.
  */
export function draw(svg, widgets) {
    const d3 = window.d3;
    const nodes = widgets.map((widget) => ({ ...widget }));
    const { edges, outward } = wiring(nodes);
    layout(d3, nodes, edges);

    // two widgets may be linked by more than one pair of ports: such edges run side by side
    const pairs = d3.group(edges, (e) => [e.source.serialNumber, e.target.serialNumber].sort().join('|'));
    // below each widget are its serial number and name: badges keep out of their way
    const angles = new Map(nodes.map((node) => [node.serialNumber, [Math.PI / 2]]));
    const badges = [];
    for (const parallel of pairs.values()) {
        parallel.forEach((edge, k) => {
            const angle = Math.atan2(edge.target.y - edge.source.y, edge.target.x - edge.source.x);
            const shift = (k - (parallel.length - 1) / 2) * 22;
            const dx = -Math.sin(angle) * shift;
            const dy = Math.cos(angle) * shift;
            angles.get(edge.source.serialNumber).push(angle);
            angles.get(edge.target.serialNumber).push(angle + Math.PI);
            Object.assign(edge, {
                x1: edge.source.x + dx,
                y1: edge.source.y + dy,
                x2: edge.target.x + dx,
                y2: edge.target.y + dy,
            });
            const at = (n, a) => badge(n, null, a, null, null);
            const from = at(edge.source, angle);
            const to = at(edge.target, angle + Math.PI);
            badges.push({
                ...from,
                x: from.x + dx,
                y: from.y + dy,
                type: edge.sourcePort,
                kind: 'linked',
                peer: `${edge.target.serialNumber}.${edge.targetPort}`,
            });
            badges.push({
                ...to,
                x: to.x + dx,
                y: to.y + dy,
                type: edge.targetPort,
                kind: 'linked',
                peer: `${edge.source.serialNumber}.${edge.sourcePort}`,
            });
        });
    }
    const stubs = outward.map(({ node, port }) => {
        const angle = freeAngle(angles.get(node.serialNumber));
        badges.push(badge(node, port.type, angle, 'outward', `${port.peer.serialNumber}.${port.peer.port}`));
        return {
            node,
            port,
            x1: node.x + NODE_RADIUS * Math.cos(angle),
            y1: node.y + NODE_RADIUS * Math.sin(angle),
            x2: node.x + (NODE_RADIUS + STUB_LENGTH) * Math.cos(angle),
            y2: node.y + (NODE_RADIUS + STUB_LENGTH) * Math.sin(angle),
        };
    });
    for (const node of nodes) {
        for (const port of node.ports.filter((p) => !p.peer)) {
            badges.push(badge(node, port.type, freeAngle(angles.get(node.serialNumber)), 'free', null));
        }
    }

    const root = d3.select(svg);
    root.selectAll('*').remove();

    root
        .append('g')
        .attr('class', 'edges')
        .selectAll('line')
        .data(edges)
        .join('line')
        .attr('class', 'edge')
        .attr('x1', (e) => e.x1)
        .attr('y1', (e) => e.y1)
        .attr('x2', (e) => e.x2)
        .attr('y2', (e) => e.y2)
        .attr('data-link', (e) => `${e.source.serialNumber}.${e.sourcePort}-${e.target.serialNumber}.${e.targetPort}`)
        .append('title')
        .text((e) => `${e.source.serialNumber} port ${e.sourcePort} is linked to ${e.target.serialNumber} port`
            + ` ${e.targetPort}`);

    const stubGroup = root.append('g').attr('class', 'stubs').selectAll('g').data(stubs).join('g').attr('class', 'stub');
    stubGroup
        .append('line')
        .attr('x1', (s) => s.x1)
        .attr('y1', (s) => s.y1)
        .attr('x2', (s) => s.x2)
        .attr('y2', (s) => s.y2);
    stubGroup
        .append('text')
        .attr('x', (s) => s.x2)
        .attr('y', (s) => s.y2)
        .attr('dy', (s) => (s.y2 >= s.y1 ? '1.1em' : '-0.4em'))
        .attr('text-anchor', 'middle')
        .text((s) => `→ ${s.port.peer.serialNumber}`);
    stubGroup
        .append('title')
        .text((s) => `${s.node.serialNumber} port ${s.port.type} is linked to ${s.port.peer.serialNumber} port`
            + ` ${s.port.peer.port}, further out`);

    const node = root
        .append('g')
        .attr('class', 'nodes')
        .selectAll('.node')
        .data(nodes)
        .join((enter) =>
            enter.append((n) =>
                document.createElementNS('http://www.w3.org/2000/svg', n.distance === 0 ? 'g' : 'a'),
            ),
        )
        .attr('class', (n) => (n.distance === 0 ? 'node current' : 'node'))
        .attr('role', (n) => (n.distance === 0 ? 'img' : null))
        .attr('data-serial', (n) => n.serialNumber)
        .attr('href', (n) => (n.distance === 0 ? null : `#widget/${encodeURIComponent(n.serialNumber)}`))
        .attr('aria-label', (n) =>
            n.distance === 0
                ? `${n.serialNumber}, ${n.name}: the widget shown`
                : `${n.serialNumber}, ${n.name}, ${n.distance} ${n.distance === 1 ? 'hop' : 'hops'} away: show it`,
        )
        .attr('transform', (n) => `translate(${n.x},${n.y})`);
    node.append('circle').attr('r', NODE_RADIUS);
    // below the circle, where a long serial number or name has room
    node
        .append('text')
        .attr('class', 'serial')
        .attr('text-anchor', 'middle')
        .attr('y', NODE_RADIUS + 30)
        .text((n) => n.serialNumber);
    node
        .append('text')
        .attr('class', 'name')
        .attr('text-anchor', 'middle')
        .attr('y', NODE_RADIUS + 44)
        .text((n) => n.name);

    const badge$ = root
        .append('g')
        .attr('class', 'ports')
        .selectAll('g')
        .data(badges)
        .join('g')
        .attr('class', (b) => `port ${b.kind}`)
        .attr('data-port', (b) => `${b.serialNumber}.${b.type}`)
        .attr('transform', (b) => `translate(${b.x},${b.y})`);
    badge$.append('rect').attr('x', -9).attr('y', -9).attr('width', 18).attr('height', 18).attr('rx', 4);
    badge$.append('text').attr('text-anchor', 'middle').attr('dy', '0.35em').text((b) => b.type);
    badge$.append('title').text((b) =>
        b.kind === 'free'
            ? `${b.serialNumber} port ${b.type} is free`
            : `${b.serialNumber} port ${b.type}, linked to ${b.peer}`,
    );

    // fit the drawing, with room for names and stub labels
    const xs = [...nodes.map((n) => n.x), ...stubs.map((s) => s.x2)];
    const ys = [...nodes.map((n) => n.y), ...stubs.map((s) => s.y2)];
    const pad = NODE_RADIUS + 60;
    const minX = Math.min(...xs) - pad;
    const minY = Math.min(...ys) - pad;
    const width = Math.max(...xs) - Math.min(...xs) + 2 * pad;
    const height = Math.max(...ys) - Math.min(...ys) + 2 * pad;
    root
        .attr('viewBox', `${minX} ${minY} ${width} ${height}`)
        .attr('width', Math.round(width * 1.2))
        .attr('height', Math.round(height * 1.2));

    const free = badges.filter((b) => b.kind === 'free').length;
    const further = stubs.length ? `, ${plural(stubs.length, 'link', 'links')} leading further out` : '';
    return `${plural(nodes.length, 'widget', 'widgets')}, ${plural(edges.length, 'link', 'links')}, `
        + `${plural(free, 'free port', 'free ports')}${further}. Choose a widget to move there.`;
}

function badge(node, type, angle, kind, peer) {
    return {
        serialNumber: node.serialNumber,
        type,
        kind,
        peer,
        x: node.x + BADGE_DISTANCE * Math.cos(angle),
        y: node.y + BADGE_DISTANCE * Math.sin(angle),
    };
}
