package io.rewoo4j.tools.scrape.extract;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jsoup.nodes.Element;

/**
 * Finds the element that holds the article, in three steps.
 *
 * <ol>
 *   <li>Scoring. Every block of text ({@link TextBlocks}) votes for the elements above it — its parent fully,
 *   each level further up half as much (an eighth past an {@code <article>}, whose paragraphs are then a
 *   listing's teasers). A vote grows with the block's length, commas and sentence ends and shrinks with its
 *   share of link text. An element's total, plus a little for its tag, is scaled by its names
 *   ({@link ElementHints}), by one minus its link density, and up for the elements around the headline. The
 *   best element wins; ties go to the first in the document.</li>
 *   <li>Widening. Articles are often cut into several blocks by ads, players or pull quotes, and the winner is
 *   then only one of them. The winner grows to its ancestors while what an ancestor adds is mostly prose with
 *   few links, and enough of it; it stops at the first ancestor that adds furniture instead.</li>
 *   <li>Siblings. Siblings of the result that carry more of the article are taken with it.</li>
 * </ol>
 */
final class ContentLocator {

    private static final int MIN_BLOCK_CHARS = 20;
    private static final int ANCESTOR_LEVELS = 5;
    private static final double HEADLINE_FACTOR = 1.5;
    private static final double PROSE_MAX_LINK_DENSITY = 0.3;
    private static final double WIDENING_PROSE_SHARE = 0.7;
    private static final double WIDENING_MIN_GROWTH = 0.25;
    private static final double WIDENING_MAX_LINK_DENSITY = 0.25;
    private static final double MIN_SIBLING_SCORE = 10;
    private static final double SIBLING_SCORE_SHARE = 0.2;

    private ContentLocator() {
    }

    /** The chosen element with the siblings that belong to it, in document order; empty for an empty page. */
    static List<Element> locate(Element body, Element headline) {
        TextStatistics stats = TextStatistics.compute(body);
        Map<Element, Double> scores = finalScores(body, stats, headline);
        Element best = null;
        double topScore = Double.NEGATIVE_INFINITY;
        for (Element element : body.getAllElements()) {
            // In document order, so that of two equal scores the first wins, the same on every run.
            Double score = scores.get(element);
            if (score != null && score > topScore) {
                best = element;
                topScore = score;
            }
        }
        if (best == null) {
            return stats.of(body).chars() > 0 ? List.of(body) : List.of();
        }
        Element top = best;
        Set<Element> aroundTop = Collections.newSetFromMap(new IdentityHashMap<>());
        aroundTop.addAll(top.parents());
        aroundTop.add(top);
        Map<Element, Integer> prose = BoilerplatePruner.proseByElement(body, PROSE_MAX_LINK_DENSITY,
                block -> !inOtherArticle(block.container(), top, aroundTop));
        Element widened = widened(top, body, stats, prose);
        return withSiblings(widened, Math.max(topScore, scores.getOrDefault(widened, 0.0)), scores, stats);
    }

    /**
     * Every element that received votes, with its score after the link-density penalty and the headline bonus:
     * the story is usually told right under its headline, so the elements around the headline are favoured.
     */
    static Map<Element, Double> finalScores(Element body, TextStatistics stats, Element headline) {
        Map<Element, Double> scores = scoreCandidates(body);
        Set<Element> aroundHeadline = Collections.newSetFromMap(new IdentityHashMap<>());
        if (headline != null && headline.parents().contains(body)) {
            aroundHeadline.addAll(headline.parents());
        }
        scores.replaceAll((element, score) -> score * (1 - stats.of(element).linkDensity())
                * (aroundHeadline.contains(element) ? HEADLINE_FACTOR : 1));
        return scores;
    }

    private static Map<Element, Double> scoreCandidates(Element body) {
        Map<Element, Double> votes = new IdentityHashMap<>();
        for (TextBlocks.Block block : TextBlocks.collect(body)) {
            if (block.chars() < MIN_BLOCK_CHARS || (block.whole() && HtmlTags.isHeading(block.container()))) {
                continue;
            }
            double vote = (1 + block.commas() + 0.5 * block.sentences() + Math.min(block.chars() / 100.0, 3))
                    * (1 - block.linkDensity());
            double share = 1;
            // Text straight in <body> votes for the body: nothing above it is content.
            Element element = block.container() == body ? body : block.parent();
            for (int level = 0; level < ANCESTOR_LEVELS && element != null; level++) {
                votes.merge(element, vote * share, Double::sum);
                if (element == body) {
                    break;
                }
                // Paragraphs of an <article> nested in another are teasers of a listing, not parts of one story.
                share /= "article".equals(element.normalName()) ? 8 : 2;
                element = element.parent();
            }
        }
        votes.replaceAll((element, sum) -> (tagScore(element) + sum) * nameFactor(element));
        return votes;
    }

    /** What an element's tag says before any paragraph votes. */
    static double tagScore(Element element) {
        return switch (element.normalName()) {
            case "article" -> 5;
            case "div", "main", "section" -> 2;
            case "td", "pre", "blockquote" -> 1;
            case "ol", "ul", "dl", "dd", "dt", "li", "form", "address" -> -2;
            case "h1", "h2", "h3", "h4", "h5", "h6", "th" -> -3;
            default -> 0;
        };
    }

    /**
     * What an element's names say, as a factor: names cannot make a tiny element win over the article, only
     * tip the balance between elements holding similar text.
     */
    static double nameFactor(Element element) {
        return Math.max(0.3, Math.min(2.0, 1 + ElementHints.weight(element) / 50));
    }

    /**
     * Climbs from the winner to the ancestor that holds the rest of a split article: an ancestor is taken when
     * what it adds is mostly prose with few links (the article's other sections), and the climb stops at the
     * first ancestor that adds page furniture instead. Wrappers adding nothing are passed through.
     */
    private static Element widened(Element top, Element body, TextStatistics stats, Map<Element, Integer> prose) {
        Element best = top;
        for (Element parent = top.parent(); parent != null && parent != body; parent = parent.parent()) {
            TextStatistics.Counts inner = stats.of(best);
            TextStatistics.Counts outer = stats.of(parent);
            int extraChars = outer.chars() - inner.chars();
            if (extraChars == 0) {
                continue;
            }
            int extraLinks = outer.linkChars() - inner.linkChars();
            int extraProse = prose.getOrDefault(parent, 0) - prose.getOrDefault(best, 0);
            if (extraProse < WIDENING_PROSE_SHARE * extraChars || extraLinks > WIDENING_MAX_LINK_DENSITY * extraChars
                    || extraProse < WIDENING_MIN_GROWTH * prose.getOrDefault(best, 0)) {
                break;
            }
            best = parent;
        }
        return best;
    }

    /**
     * Whether an element is part of an {@code <article>} that is neither the winner, nor around it, nor inside
     * it: another story, whose text must not pull the winner's bounds outwards.
     */
    private static boolean inOtherArticle(Element element, Element top, Set<Element> topAndAncestors) {
        boolean inArticle = false;
        for (Element current = element; current != null; current = current.parent()) {
            if (current == top) {
                return false;
            }
            if (topAndAncestors.contains(current)) {
                return inArticle;
            }
            inArticle |= "article".equals(current.normalName());
        }
        return inArticle;
    }

    /**
     * The element with those of its siblings that carry more of the article: blocks that earned a good score
     * of their own, and plain paragraphs — long ones with few links, short ones that are sentences.
     */
    private static List<Element> withSiblings(Element top, double topScore, Map<Element, Double> scores,
                                              TextStatistics stats) {
        Element parent = top.parent();
        if (parent == null || "body".equals(top.normalName())) {
            return List.of(top);
        }
        double threshold = Math.max(MIN_SIBLING_SCORE, topScore * SIBLING_SCORE_SHARE);
        List<Element> chosen = new ArrayList<>();
        for (Element sibling : parent.children()) {
            if (sibling == top || belongsWith(sibling, threshold, scores, stats)) {
                chosen.add(sibling);
            }
        }
        return chosen;
    }

    private static boolean belongsWith(Element sibling, double threshold, Map<Element, Double> scores,
                                       TextStatistics stats) {
        if ("article".equals(sibling.normalName())) {
            return false; // another story
        }
        if (scores.getOrDefault(sibling, 0.0) >= threshold) {
            return true;
        }
        if (!"p".equals(sibling.normalName())) {
            return false;
        }
        TextStatistics.Counts counts = stats.of(sibling);
        if (counts.chars() >= BoilerplatePruner.PROSE_BLOCK_CHARS) {
            return counts.linkDensity() < PROSE_MAX_LINK_DENSITY;
        }
        String text = sibling.text();
        return counts.chars() > 0 && counts.linkChars() == 0 && (text.endsWith(".") || text.contains(". "));
    }
}
