// The console's frame: pages by the address's #fragment (never the token), signing in, and showing only what the
// signed-in role may do.
import { session } from './api.js';
import { say } from './dom.js';
import { rewiringPage } from './rewiring.js';
import { widgetPage } from './widget.js';
import { jobsPage } from './jobs.js';

const pages = {
    signin: { show() {}, hide() {} },
    rewiring: rewiringPage(),
    widget: widgetPage(),
    jobs: jobsPage(),
};

const problem = document.getElementById('problem');
let current = null;

/** `#widget/SN-1` is the page `widget` with `SN-1`. */
function parse(hash) {
    const [name, ...rest] = hash.replace(/^#/, '').split('/');
    let argument = rest.length ? rest.join('/') : null;
    try {
        argument = argument == null ? null : decodeURIComponent(argument);
    } catch (malformed) {
        // typed by hand: take it as it is
    }
    return { name: pages[name] ? name : null, argument };
}

function route(moveFocus) {
    const target = parse(window.location.hash);
    let name = target.name || (session.caller ? 'rewiring' : 'signin');
    say(problem, '');
    if (name !== 'signin' && !session.caller) {
        say(problem, session.lastRefusal || 'Sign in first: paste a token below.', 'error');
        name = 'signin';
    }
    if (current && current !== name) {
        pages[current].hide();
    }
    for (const section of document.querySelectorAll('main > section[data-page]')) {
        section.hidden = section.dataset.page !== name;
    }
    for (const link of document.querySelectorAll('nav a[data-page]')) {
        if (link.dataset.page === name) {
            link.setAttribute('aria-current', 'page');
        } else {
            link.removeAttribute('aria-current');
        }
    }
    current = name;
    pages[name].show(target.argument);
    if (moveFocus) {
        // a screen reader hears the new page's title; a keyboard user starts from it
        document.querySelector(`#page-${name} h1`).focus();
    }
}

/** Disables the forms, and hides the notes and controls, that the role may not use; says who is signed in. */
function applyRole(caller) {
    const who = document.getElementById('who');
    if (!caller) {
        who.textContent = 'Not signed in';
    } else if (session.token == null) {
        who.textContent = 'Reading without a token (open reads)';
    } else {
        who.textContent = `Signed in as ${caller.subject} (${caller.role.toLowerCase()})`;
    }
    for (const element of document.querySelectorAll('[data-needs]')) {
        const allowed = session.allows(element.dataset.needs);
        if ('disabled' in element) {
            element.disabled = !allowed;
        } else {
            element.hidden = !allowed;
        }
    }
    for (const note of document.querySelectorAll('[data-needs-note]')) {
        note.hidden = !caller || session.allows(note.dataset.needsNote);
    }
    document.body.dataset.role = caller ? caller.role.toLowerCase() : 'none';
}

function signInPage() {
    const form = document.getElementById('signin-form');
    const input = document.getElementById('token');
    const message = document.getElementById('signin-message');
    form.addEventListener('submit', async (event) => {
        event.preventDefault();
        const token = input.value.trim().replace(/^Bearer\s+/i, '');
        if (!token) {
            say(message, 'Paste a token first.', 'error');
            return;
        }
        say(message, 'Checking the token…');
        try {
            const caller = await session.signIn(token);
            input.value = '';
            say(message, `Signed in as ${caller.subject}, with the ${caller.role.toLowerCase()} role.`);
            if (parse(window.location.hash).name && parse(window.location.hash).name !== 'signin') {
                route(true); // back to the page that asked to sign in first
            }
        } catch (e) {
            say(message, `Not signed in. ${e.message}`, 'error');
        }
    });
    document.getElementById('signout-button').addEventListener('click', () => {
        session.signOut();
        input.value = '';
        say(message, 'Signed out: the token is forgotten in this tab.');
    });
}

session.onChange((caller) => {
    applyRole(caller);
    if (!caller && current && current !== 'signin') {
        route(false);
    }
});
signInPage();
applyRole(null);
window.addEventListener('hashchange', () => {
    // #main (the skip link) and other in-page targets are not pages: stay where you are
    if (current != null && window.location.hash && !parse(window.location.hash).name) {
        return;
    }
    route(true);
});
session
    .resume()
    .catch((e) => say(document.getElementById('signin-message'), `Signed out. ${e.message}`, 'error'))
    .finally(() => route(false));
