// Reading the service's CSV reports (RFC 4180, as its one CSV writer writes them).

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
