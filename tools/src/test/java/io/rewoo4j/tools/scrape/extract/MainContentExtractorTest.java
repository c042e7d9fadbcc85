package io.rewoo4j.tools.scrape.extract;

import static org.assertj.core.api.Assertions.assertThat;

import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.Test;

class MainContentExtractorTest {

    private static final String P1 = "The council voted on Tuesday to rebuild the old harbour bridge, which has been closed "
            + "to traffic since the storm of last winter, at a cost of twelve million euros.";
    private static final String P2 = "Work will start in the spring, the mayor said, and the bridge should reopen to "
            + "cyclists and pedestrians within two years, well before the new ferry terminal is finished.";
    private static final String P3 = "Residents, who had collected more than four thousand signatures for the repair, "
            + "welcomed the decision but asked for a temporary footbridge in the meantime.";

    private final MainContentExtractor extractor = new MainContentExtractor();

    private static String page(String head, String body) {
        return "<!doctype html><html><head>" + head + "</head><body>" + body + "</body></html>";
    }

    private static String article(String... extra) {
        return "<p>" + P1 + "</p><p>" + P2 + "</p>" + String.join("", extra) + "<p>" + P3 + "</p>";
    }

    @Test
    void keepsTheArticleAndDropsNavigationHeaderFooterSidebarAndCookieBanner() {
        String html = page("<title>Harbour bridge to be rebuilt | Daily Courier</title>",
                "<div id='cookie-consent'>We use cookies to improve your experience. Accept all cookies?</div>"
                        + "<header class='site-header'><a href='/'>Daily Courier</a> Your city, every day</header>"
                        + "<nav><ul><li><a href='/news'>News</a></li><li><a href='/sport'>Sport</a></li></ul></nav>"
                        + "<main><article><h1>Harbour bridge to be rebuilt</h1>" + article() + "</article>"
                        + "<aside class='sidebar'><h3>Most read</h3><p>A sidebar paragraph about something else "
                        + "entirely, with enough words to look like prose to a careless reader.</p></aside></main>"
                        + "<footer>© 2024 Daily Courier. All rights reserved. Contact us at the newsroom.</footer>");

        ExtractedPage extracted = extractor.extract(html, "https://courier.example/bridge");

        assertThat(extracted.title()).isEqualTo("Harbour bridge to be rebuilt");
        assertThat(extracted.text()).isEqualTo(P1 + "\n\n" + P2 + "\n\n" + P3);
    }

    @Test
    void rendersListsOneItemPerLineWithBulletsNumbersAndIndentation() {
        String html = page("", "<article>" + article("<ul><li>first point</li><li>second <b>bold</b> point"
                + "<ul><li>nested point</li></ul></li></ul><ol start='3'><li>step three</li><li>step four</li></ol>")
                + "</article>");

        String text = extractor.extract(html, "").text();

        assertThat(text).contains(P2 + "\n\n• first point\n• second bold point\n  • nested point\n\n"
                + "3. step three\n4. step four\n\n" + P3);
    }

    @Test
    void rendersDataTablesAsRowsWithCellsSeparatedByBars() {
        String html = page("", "<article>" + article("<table><caption>Costs</caption>"
                + "<thead><tr><th>Item</th><th>Euros</th></tr></thead>"
                + "<tbody><tr><td>Steel</td><td>7 million</td></tr><tr><td>Labour</td><td>5 million</td></tr>"
                + "</tbody></table>") + "</article>");

        String text = extractor.extract(html, "").text();

        assertThat(text).contains(P2 + "\n\nCosts\nItem | Euros\nSteel | 7 million\nLabour | 5 million\n\n" + P3);
    }

    @Test
    void rendersLayoutTablesAsParagraphs() {
        String html = page("", "<table><tr><td><a href='/'>Home</a></td><td>"
                + "<p>" + P1 + "</p><p>" + P2 + "</p><p>" + P3 + " " + P1 + " " + P2 + "</p>"
                + "</td></tr></table>");

        String text = extractor.extract(html, "").text();

        assertThat(text).startsWith(P1 + "\n\n" + P2 + "\n\n" + P3).doesNotContain(" | ");
    }

    @Test
    void rendersBlockQuotesAndHeadingsAsTheirOwnParagraphs() {
        String html = page("", "<article>" + article("<h2>What happens next</h2>"
                + "<blockquote><p>We will not wait another winter.</p><p>— the mayor</p></blockquote>")
                + "</article>");

        String text = extractor.extract(html, "").text();

        assertThat(text).contains(P2 + "\n\nWhat happens next\n\n> We will not wait another winter.\n\n> — the mayor"
                + "\n\n" + P3);
    }

    @Test
    void findsTheTitleFromMetadataAndTheHeadlineWithoutRepeatingItInTheText() {
        String html = page("<title>Harbour bridge to be rebuilt – Daily Courier</title>"
                        + "<meta property='og:title' content='Harbour bridge to be rebuilt'>"
                        + "<meta property='og:site_name' content='Daily Courier'>",
                "<div class='story'><h1>Harbour bridge to be rebuilt</h1>" + article() + "</div>");

        ExtractedPage extracted = extractor.extract(html, "");

        assertThat(extracted.title()).isEqualTo("Harbour bridge to be rebuilt");
        assertThat(extracted.text()).startsWith(P1);
    }

    @Test
    void takesTheTitleFromTheTitleElementWithoutTheSiteName() {
        String html = page("<title>Daily Courier | Harbour bridge to be rebuilt</title>",
                "<div>" + article() + "</div>");

        assertThat(extractor.extract(html, "").title()).isEqualTo("Harbour bridge to be rebuilt");
    }

    @Test
    void doesNotTakeTheSiteLogoHeadingForTheTitle() {
        String html = page("<title>Bridge rebuilt | Daily Courier</title>"
                + "<meta property='og:site_name' content='Daily Courier'>",
                "<h1 class='logo'>Daily Courier</h1><div>" + article() + "</div>");

        assertThat(extractor.extract(html, "").title()).isEqualTo("Bridge rebuilt");
    }

    @Test
    void dropsScriptsStylesAndHiddenElements() {
        String html = page("<style>p { color: red }</style>", "<article>" + article(
                "<script>var secret = 'tracking code';</script><style>.x{}</style><noscript>Enable JavaScript</noscript>"
                        + "<div style='display: none'>Hidden promotion text that nobody sees on the page.</div>"
                        + "<p hidden>Hidden paragraph.</p><span class='sr-only'>Screen reader label</span>")
                + "</article>");

        String text = extractor.extract(html, "").text();

        assertThat(text).isEqualTo(P1 + "\n\n" + P2 + "\n\n" + P3);
    }

    @Test
    void dropsShareButtonsTagListsCommentsAndRelatedLinks() {
        String html = page("", "<article><div class='entry'>" + article(
                "<div><a href='https://www.facebook.com/sharer/sharer.php?u=x'>Facebook</a> "
                        + "<a href='https://twitter.com/intent/tweet?url=x'>Twitter</a> "
                        + "<a href='whatsapp://send?text=x'>WhatsApp</a></div>"
                        + "<p>Also read: <a href='/a'>Ferry terminal plans unveiled after years of delay</a></p>"
                        + "<ul><li><a href='/b'>Old bridge closed after storm damage</a></li>"
                        + "<li><a href='/c'>Mayor promises action on the harbour</a></li></ul>")
                + "<p>Tags: <a href='/tag/bridges' rel='tag'>bridges</a>, <a href='/tag/harbour' rel='tag'>harbour</a></p>"
                + "</div><section id='comments'><h3>3 comments</h3><p>I have been waiting for this for years, "
                + "finally some good news from the council, thank you!</p></section></article>");

        String text = extractor.extract(html, "").text();

        assertThat(text).isEqualTo(P1 + "\n\n" + P2 + "\n\n" + P3);
    }

    @Test
    void keepsAParagraphThatSaysMoreThanItsLink() {
        String paragraph = "The contractor was chosen last month and <a href='/contract'>signed a fixed-price contract"
                + " with penalties for every week of delay</a>.";
        String html = page("", "<article>" + article("<p>" + paragraph + "</p>") + "</article>");

        assertThat(extractor.extract(html, "").text()).contains("The contractor was chosen last month and signed a "
                + "fixed-price contract with penalties for every week of delay.");
    }

    @Test
    void joinsAnArticleSplitAroundAnEmbeddedPlayer() {
        String html = page("", "<div class='page'><div class='body-part'><div class='inner'><p>" + P1 + "</p><p>"
                + P2 + "</p></div></div><div class='player'><a href='/video'>Watch the video</a></div>"
                + "<div class='body-part-2'><div class='inner'><p>" + P3 + "</p><p>" + P1.replace("Tuesday", "Monday")
                + "</p></div></div></div><div class='promo'><a href='/subscribe'>Subscribe now</a></div>");

        String text = extractor.extract(html, "").text();

        assertThat(text).isEqualTo(P1 + "\n\n" + P2 + "\n\n" + P3 + "\n\n" + P1.replace("Tuesday", "Monday"));
    }

    @Test
    void aPageWithoutAnArticleStillYieldsItsText() {
        String html = page("<title>Opening hours</title>", "<div>Monday to Friday: 9 to 17</div>"
                + "<div>Saturday: 10 to 14</div><span>Closed on Sundays</span>");

        ExtractedPage extracted = extractor.extract(html, "");

        assertThat(extracted.title()).isEqualTo("Opening hours");
        assertThat(extracted.text()).isEqualTo("Monday to Friday: 9 to 17\n\nSaturday: 10 to 14\n\nClosed on Sundays");
    }

    @Test
    void textStraightInTheBodyIsTheContent() {
        String html = "<html><body>" + P1 + "<br><br>" + P2 + "</body></html>";

        assertThat(extractor.extract(html, "").text()).isEqualTo(P1 + "\n\n" + P2);
    }

    @Test
    void normalisesWhiteSpaceAndLineBreaks() {
        String html = page("", "<article><p>  The   council\n\t voted&nbsp;on <em>Tuesday</em>,\n   again.</p>"
                + "<p>First line<br>second line<br><br>after a gap</p>" + article() + "</article>");

        String text = extractor.extract(html, "").text();

        assertThat(text).startsWith("The council voted on Tuesday, again.\n\nFirst line\nsecond line\n\nafter a gap");
    }

    @Test
    void fallsBackToTheDeclaredArticleBodyWhenThePageRendersItWithScripts() {
        String body = (P1 + " " + P2 + " " + P3 + " ").repeat(2).strip();
        String html = page("<script type='application/ld+json'>{\"@context\": \"https://schema.org\", "
                + "\"@type\": \"NewsArticle\", \"headline\": \"Harbour bridge to be rebuilt\", "
                + "\"articleBody\": \"" + body + "\"}</script>", "<div id='app'>Loading…</div>");

        ExtractedPage extracted = extractor.extract(html, "");

        assertThat(extracted.title()).isEqualTo("Harbour bridge to be rebuilt");
        assertThat(extracted.text()).isEqualTo(body);
    }

    @Test
    void leavesAGivenDocumentUntouched() {
        Document document = Jsoup.parse(page("", "<nav>Menu</nav><article>" + article() + "</article>"));
        String before = document.outerHtml();

        ExtractedPage extracted = extractor.extract(document);

        assertThat(extracted.text()).startsWith(P1);
        assertThat(document.outerHtml()).isEqualTo(before);
    }

    @Test
    void anEmptyPageYieldsAnEmptyResult() {
        assertThat(extractor.extract("", "").isEmpty()).isTrue();
        assertThat(extractor.extract("<html><body><script>x()</script></body></html>", null).isEmpty()).isTrue();
    }

    @Test
    void survivesPagesNestedTensOfThousandsOfElementsDeep() {
        String html = "<div>".repeat(30_000) + "<p>" + P1 + "</p>" + "</div>".repeat(30_000);

        assertThat(extractor.extract(html, "").text()).isEqualTo(P1);
    }
}
