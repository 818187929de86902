// The explorer's few browser-side helpers; everything else is Blazor and the component libraries.

/** "/" focuses the query box, unless the user is typing somewhere already. */
export function focusQueryOnSlash() {
    if (window.logmonitoringSlash) return;
    window.logmonitoringSlash = true;
    document.addEventListener("keydown", (event) => {
        const target = event.composedPath()[0];
        const typing = target instanceof HTMLElement &&
            (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
        if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
            const query = document.getElementById("query");
            if (query) {
                event.preventDefault();
                query.focus();
                query.select();
            }
        }
    });
}

/** Minutes to add to UTC for the browser's time zone now (what the user's clock shows). */
export function timeZoneOffsetMinutes() {
    return -new Date().getTimezoneOffset();
}

/** Copies text to the clipboard; false when the browser refuses (no permission, not focused). */
export async function copyText(text) {
    try {
        await navigator.clipboard.writeText(text);
        return true;
    } catch {
        return false;
    }
}

/** Tells .NET when the results are scrolled away from the top (a live tail pauses) and back. */
export function watchScroll(element, dotnet) {
    let away = false;
    element.addEventListener("scroll", () => {
        const now = element.scrollTop > 24;
        if (now !== away) {
            away = now;
            dotnet.invokeMethodAsync("SetScrolledAway", away);
        }
    }, { passive: true });
}

export function scrollToTop(element) {
    element.scrollTop = 0;
}
