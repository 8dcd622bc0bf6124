// Small DOM and wording helpers shared by the pages. Text always goes in as text, never as HTML.

/** An element: `h('td', {class: 'n'}, 'text', child)`; attributes starting with `on` are listeners. */
export function h(tag, attributes = {}, ...children) {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
        if (value == null || value === false) {
            continue;
        }
        if (name.startsWith('on')) {
            element.addEventListener(name.slice(2).toLowerCase(), value);
        } else if (name === 'dataset') {
            Object.assign(element.dataset, value);
        } else {
            element.setAttribute(name, value === true ? '' : String(value));
        }
    }
    element.append(...children.flat().filter((child) => child != null));
    return element;
}

/** Shows `text` in a message element (empty hides it); `kind` 'error' styles it as a problem. */
export function say(element, text, kind = 'info') {
    element.textContent = text || '';
    element.hidden = !text;
    element.classList.toggle('error', kind === 'error');
}

const numbers = new Intl.NumberFormat(undefined);
const rates = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });

export function count(n) {
    return n == null ? '–' : numbers.format(n);
}

/** `1 widget`, `3 widgets`. */
export function plural(n, one, many) {
    return `${count(n)} ${n === 1 ? one : many}`;
}

export function rate(n) {
    return n == null ? '–' : rates.format(n);
}

/** Seconds as a person reads them: `0.4 s`, `12 s`, `3 min 5 s`, `2 h 4 min`. */
export function seconds(s) {
    if (s == null || !Number.isFinite(s)) {
        return '–';
    }
    if (s < 10) {
        return `${rates.format(s)} s`;
    }
    const whole = Math.round(s);
    if (whole < 60) {
        return `${whole} s`;
    }
    const minutes = Math.floor(whole / 60);
    if (minutes < 60) {
        return `${minutes} min ${whole % 60} s`;
    }
    return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** Wall-clock seconds between two ISO instants; to now while `to` is null. */
export function between(from, to) {
    if (!from) {
        return null;
    }
    const end = to ? Date.parse(to) : Date.now();
    return Math.max(0, (end - Date.parse(from)) / 1000);
}

export function when(iso) {
    return iso ? new Date(iso).toLocaleString() : '–';
}

/** Calls `task` every `ms` while the tab is visible; returns the function that stops it. */
export function every(ms, task) {
    const timer = setInterval(() => {
        if (document.visibilityState === 'visible') {
            task();
        }
    }, ms);
    return () => clearInterval(timer);
}
