package io.rewoo4j.tools.search;

import org.jsoup.nodes.Document;

/**
 * Recognises DuckDuckGo's bot challenge ("anomaly") page, which comes with HTTP 200 or 202 and holds no results:
 * it must be reported as rate limiting, never read as "no results".
 */
final class ChallengePage {

    private static final String MARKERS =
            "#challenge-form, form.challenge-form, form[action*=anomaly], [class*=anomaly-modal], #anomaly-modal";

    private ChallengePage() {
    }

    static boolean matches(Document page) {
        return page.selectFirst(MARKERS) != null;
    }
}
