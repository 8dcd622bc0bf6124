// The console's one way to the service: this tab's token, GraphQL over HTTP, uploads and downloads with the
// Authorization header, and subscriptions over the graphql-transport-ws WebSocket (graphql-ws from its webjar).
// Every URL is relative to the page, so the console works under a context path.

const TOKEN_KEY = 'widgets.console.token';
const ROLES = ['VIEWER', 'OPERATOR', 'ADMIN'];

/** A refusal or failure, in words a person can act on; status is the HTTP status (0 when none). */
export class Refused extends Error {
    constructor(message, status = 0, code = null) {
        super(message);
        this.status = status;
        this.code = code;
    }
}

const listeners = new Set();
let caller = null; // { subject, role } of the signed-in token, once the service named it
let client = null; // the WebSocket client, made on first use and dropped when the token changes
let lastRefusal = null;

/** The token of this tab: in sessionStorage only, never a cookie or the address. */
export const session = {
    get token() {
        return sessionStorage.getItem(TOKEN_KEY);
    },
    get caller() {
        return caller;
    },
    /** Whether the signed-in role may do what `role` (viewer, operator, admin) may. */
    allows(role) {
        return caller != null && ROLES.indexOf(caller.role) >= ROLES.indexOf(role.toUpperCase());
    },
    /** Why the last signed-in token stopped working (revoked, expired), for the sign-in page. */
    get lastRefusal() {
        return lastRefusal;
    },
    /** Asks the service whom the token names; keeps it only when the service accepts it. */
    async signIn(token) {
        sessionStorage.setItem(TOKEN_KEY, token);
        dropLive();
        try {
            const data = await graphql('query Me { me { subject role } }');
            lastRefusal = null;
            setCaller(data.me);
            return data.me;
        } catch (e) {
            sessionStorage.removeItem(TOKEN_KEY);
            lastRefusal = null;
            setCaller(null);
            throw e;
        }
    },
    /**
      * The token kept from before a reload, checked again; without one, whether the service lets anyone read
      * (`widgets.security.open-reads`, for a wall display), in which case the tab reads as an anonymous viewer.
      */
    async resume() {
        if (this.token != null) {
            return this.signIn(this.token);
        }
        try {
            const data = await graphql('query Me { me { subject role } }');
            setCaller(data.me);
            return data.me;
        } catch (e) {
            return null; // 401: a token is needed, as by default
        }
    },
    signOut() {
        sessionStorage.removeItem(TOKEN_KEY);
        dropLive();
        setCaller(null);
    },
    /** Calls `listener(caller)` whenever who is signed in changes. */
    onChange(listener) {
        listeners.add(listener);
    },
};

function setCaller(next) {
    caller = next;
    listeners.forEach((listener) => listener(caller));
}

function authorization() {
    const token = session.token;
    return token ? { Authorization: `Bearer ${token}` } : {};
}

/** The service's refusal as a sentence: its own `message` (401, 403, 415 and 4xx bodies are JSON), else the status. */
async function refusal(response) {
    let body = null;
    try {
        body = await response.json();
    } catch (ignored) {
        // not JSON: a proxy's page, say
    }
    const error = body && Array.isArray(body.errors) ? body.errors[0] : body;
    const said = error && error.message ? error.message : `The service answered ${response.status} ${response.statusText}.`;
    const code = error && (error.code || (error.extensions && error.extensions.code));
    const refused = new Refused(explained(response.status, said), response.status, code || null);
    if (response.status === 401 && session.token) {
        // revoked or expired while signed in: forget it, and say why on the sign-in page
        sessionStorage.removeItem(TOKEN_KEY);
        dropLive();
        lastRefusal = refused.message;
        setCaller(null);
    }
    return refused;
}

function explained(status, message) {
    if (status === 401) {
        return `Not signed in, or the token was refused: ${message}`;
    }
    if (status === 403) {
        return `Your token's role may not do this: ${message}`;
    }
    return message;
}

async function send(path, init) {
    try {
        return await fetch(path, init);
    } catch (e) {
        throw new Refused(`The service cannot be reached (${e.message}). Is it running?`);
    }
}

/** Runs a query or mutation over HTTP; resolves to its `data`, rejects with the first error's message. */
export async function graphql(query, variables = {}) {
    const response = await send('graphql', {
        method: 'POST',
        headers: {
            'Content-Type': 'application/json',
            Accept: 'application/graphql-response+json, application/json',
            ...authorization(),
        },
        body: JSON.stringify({ query, variables }),
    });
    if (!response.ok) {
        throw await refusal(response);
    }
    const body = await response.json();
    if (Array.isArray(body.errors) && body.errors.length > 0) {
        const first = body.errors[0];
        const code = first.extensions && first.extensions.code;
        throw new Refused(first.message, response.status, code || null);
    }
    return body.data;
}

/** Uploads a rewiring file as multipart field `file`; resolves to the new job's id. */
export async function upload(file, mode) {
    const form = new FormData();
    form.append('file', file, file.name);
    const response = await send(`rewiring/jobs?mode=${encodeURIComponent(mode)}`, {
        method: 'POST',
        headers: authorization(),
        body: form,
    });
    if (response.status !== 202) {
        throw await refusal(response);
    }
    return (await response.json()).id;
}

/** A GET that needs the token; resolves to the response (its body unread). */
export async function get(path) {
    const response = await send(path, { headers: authorization() });
    if (!response.ok) {
        throw await refusal(response);
    }
    return response;
}

/**
  * Saves what `path` answers as a file: a link cannot carry the Authorization header, so the body is fetched with it
  * and offered to the browser as a download of its own.
  */
export async function download(path, fallbackName) {
    const response = await get(path);
    const disposition = response.headers.get('Content-Disposition') || '';
    const named = /filename="?([^";]+)"?/.exec(disposition);
    const blob = await response.blob();
    const url = URL.createObjectURL(blob);
    const link = document.createElement('a');
    link.href = url;
    link.download = named ? named[1] : fallbackName;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** The first `maxLines` lines of a text the service sends, read no further than needed (reject reports can be big). */
export async function firstLines(path, maxLines) {
    const response = await get(path);
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let text = '';
    while (text.split('\n').length <= maxLines && text.length < 256 * 1024) {
        const { value, done } = await reader.read();
        if (done) {
            break;
        }
        text += decoder.decode(value, { stream: true });
    }
    reader.cancel().catch(() => {});
    return text;
}

function live() {
    if (client == null) {
        const url = new URL('graphql', window.location.href);
        url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
        url.hash = '';
        client = window.graphqlWs.createClient({
            url: url.href,
            // a browser cannot set headers on a WebSocket: the token goes in connection_init, read when (re)connecting
            connectionParams: () => authorization(),
            lazy: true,
            retryAttempts: 5,
            // a refused token is not retried: 4401 says sign in again
            shouldRetry: (event) => !(event && event.code === 4401),
        });
    }
    return client;
}

function dropLive() {
    if (client != null) {
        client.dispose();
        client = null;
    }
}

function liveRefusal(error) {
    if (Array.isArray(error)) {
        const first = error[0] || {};
        return new Refused(first.message || 'The subscription was refused.', 0, first.extensions && first.extensions.code);
    }
    if (error && typeof error.code === 'number') {
        if (error.code === 4401) {
            return new Refused('The live connection refused the token (4401): sign in again.', 401, 'UNAUTHENTICATED');
        }
        return new Refused(`The live connection closed (${error.code}${error.reason ? `: ${error.reason}` : ''}).`);
    }
    return new Refused(`The live connection failed: ${error && error.message ? error.message : 'no answer'}.`);
}

/**
  * Subscribes over the WebSocket: `onData(data)` per result, `onError(Refused)` once if it ends in an error, `onEnd()`
  * when it completes. Returns the function that stops it.
  */
export function subscribe(query, variables, { onData, onError = () => {}, onEnd = () => {} }) {
    let stopped = false;
    const stop = live().subscribe(
        { query, variables },
        {
            next: (result) => {
                if (stopped) {
                    return;
                }
                if (Array.isArray(result.errors) && result.errors.length > 0) {
                    onError(liveRefusal(result.errors));
                } else if (result.data) {
                    onData(result.data);
                }
            },
            error: (error) => {
                if (!stopped) {
                    onError(liveRefusal(error));
                }
            },
            complete: () => {
                if (!stopped) {
                    onEnd();
                }
            },
        },
    );
    return () => {
        stopped = true;
        stop();
    };
}
