package io.rewoo4j.tools.scrape;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import crawlercommons.robots.BaseRobotRules;
import crawlercommons.robots.SimpleRobotRules;
import crawlercommons.robots.SimpleRobotRulesParser;
import io.rewoo4j.tools.http.BlockedAddressException;
import io.rewoo4j.tools.http.FetchException;
import io.rewoo4j.tools.http.FetchStatusException;
import io.rewoo4j.tools.http.HttpUrl;
import io.rewoo4j.tools.http.ResponseTooLargeException;
import io.rewoo4j.tools.http.SafeHttpFetcher;
import io.rewoo4j.tools.http.UnsupportedContentTypeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import reactor.core.publisher.Mono;

/**
 * Reads and caches each site's robots.txt (RFC 9309) with crawler-commons, one fetch per origin while cached.
 * Missing (4xx) or unreadable files allow everything; server errors and unreachable sites disallow everything,
 * as the RFC asks.
 */
final class RobotsTxtPolicy {

    /** The rules of one origin, with a note saying where a blanket rule came from. */
    private record SiteRules(BaseRobotRules rules, String note) {
    }

    private final SafeHttpFetcher fetcher;
    private final List<String> agentNames;
    private final AsyncCache<String, SiteRules> sites;

    RobotsTxtPolicy(SafeHttpFetcher fetcher, String agentName, Duration ttl) {
        this.fetcher = fetcher;
        this.agentNames = List.of(agentName);
        this.sites = Caffeine.newBuilder().maximumSize(1024).expireAfterWrite(ttl).buildAsync();
    }

    /** Completes empty when {@code url} may be fetched, else fails with {@link RobotsDisallowedException}. */
    Mono<Void> check(HttpUrl url) {
        String origin = url.origin();
        return Mono.fromFuture(() -> sites.get(origin, (k, executor) -> load(url).toFuture()), true)
                .flatMap(site -> site.rules().isAllowed(url.withoutFragment().toString())
                        ? Mono.empty()
                        : Mono.error(new RobotsDisallowedException(url.toString(), site.note())));
    }

    private Mono<SiteRules> load(HttpUrl url) {
        HttpUrl robotsUrl = url.resolve("/robots.txt");
        SimpleRobotRulesParser parser = new SimpleRobotRulesParser();
        return fetcher.get(robotsUrl)
                .map(page -> new SiteRules(parser.parseContent(robotsUrl.toString(),
                        page.text().getBytes(StandardCharsets.UTF_8), "text/plain", agentNames),
                        "disallowed by " + robotsUrl))
                .onErrorResume(FetchStatusException.class, e -> Mono.just(new SiteRules(
                        parser.failedFetch(e.statusCode()), robotsUrl + " answered HTTP " + e.statusCode())))
                .onErrorResume(e -> e instanceof UnsupportedContentTypeException
                                || e instanceof ResponseTooLargeException,
                        e -> Mono.just(new SiteRules(new SimpleRobotRules(SimpleRobotRules.RobotRulesMode.ALLOW_ALL),
                                "unreadable " + robotsUrl)))
                // A blocked site is refused by the page fetch itself, with the clearer reason.
                .onErrorResume(BlockedAddressException.class, e -> Mono.just(new SiteRules(
                        new SimpleRobotRules(SimpleRobotRules.RobotRulesMode.ALLOW_ALL), "")))
                .onErrorResume(FetchException.class, e -> Mono.just(new SiteRules(
                        new SimpleRobotRules(SimpleRobotRules.RobotRulesMode.ALLOW_NONE),
                        robotsUrl + " could not be fetched (" + e.getMessage() + ")")));
    }
}
